"""Sphinx extension: read, and so execute, the chapters in several processes at once.

Nearly all of the site build's time is the chapters' execution, one kernel after another, while the other cores
wait. Sphinx can read documents in parallel processes (``sphinx-build -j``), but ``jupyter-book build`` (Jupyter
Book 1) has no option for it and always builds with one. This extension sets the number of processes Sphinx
reads and writes with: ``CONVLEARN_BUILD_JOBS`` if set (``1``: one process, as without this extension), else
:data:`JOBS_PER_CORE` per core. More processes than cores pays because Sphinx hands each process a run of
neighbouring chapters and the book's chapters differ greatly in cost (the training chapter alone is nearly a
third of the execution): shorter runs keep every core busy until the end.

Sphinx cuts the list of documents into runs of equal length in the order it is given (``make_chunks``), starts
one process per run, as many at once as it has processes, and a run's process reads its documents one after
another. In name order the training chapter came last in a run of five chapters, and the build ended with that
run alone on one core for about 12 s. So the extension reorders the list (:func:`balanced_order`): the runs take
about equally long by :data:`READ_SECONDS`, the longest run starts first, and the short run Sphinx makes of the
remainder, which starts only when a process is free, holds the quickest documents. Only the order changes.

Every extension the book loads says whether it is safe for parallel reading and writing, except two that
Jupyter Book loads itself, which Sphinx would then take as unsafe, with a warning (an error under ``-W``):
``sphinx_multitoc_numbering`` only numbers sections once all the documents are read, in the main process, and
``sphinx_jupyterbook_latex`` only acts in the LaTeX builders, which this book does not use; both are declared
safe here. The jupyter-cache database is made in the main process before any chapter is read, so that two
processes never both create it.

When several processes read at once, each chapter's kernel computes with one thread (``OMP_NUM_THREADS``,
``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``, unless already set): the cores are already shared out between the
processes, and a kernel's extra BLAS or PyTorch threads only wait for work, busily, on cores another kernel needs.

The processes start their kernels one at a time. jupyter_client picks a kernel's five ports by asking the system
for free ones and releasing them, and the kernel binds them only once it has started; a kernel started meanwhile
by another process can be handed the same port. Seen once in a clean build: "Address already in use", the kernel
died and the build failed. So each process holds a lock (a file beside the doctrees) from choosing the ports until
its kernel has answered, and the kernels run in parallel after that.

A chapter that takes more than :data:`STALL_SECONDS` to read (to execute, in practice: the longest takes under a
minute) makes the process reading it print the stacks of all its threads to the build's error output, once, and
go on: what it was waiting for when a build stalls. (Twice in about fifty clean builds one chapter took 305 s,
its execution timeout, then 300 s, plus its usual time, with the machine idle, and then succeeded; the timeout
is now 120 s, ``_config.yml``, and this watch fires before it.)
"""

from __future__ import annotations

import faulthandler
import fcntl
import os
import sys
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: processes per core when ``CONVLEARN_BUILD_JOBS`` is not set
JOBS_PER_CORE = 2
#: extensions that declare nothing although they are safe in parallel (see the module's text)
DECLARED_SAFE = ("sphinx_multitoc_numbering", "sphinx_jupyterbook_latex")
#: what sets the threads of a chapter's numerical libraries (one each when several processes read)
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: seconds of reading one document after which its process prints its threads' stacks (see the module's text)
STALL_SECONDS = 90
#: Seconds each chapter takes to execute on its own ("Executed notebook in" of a clean build's log with
#: ``CONVLEARN_BUILD_JOBS=1``, 2026-12-08; 82 s in all). Only the order in which the processes take the documents
#: depends on these; a document not listed counts as 0 (``tests/test_book_parallel_build.py`` checks that every
#: name is a document of the book).
READ_SECONDS = {
    "book/part2/12-training": 24.7, "book/part2/07-arithmetic": 6.1, "book/part1/04-images-2d": 5.1,
    "book/part2/13-next": 4.9, "book/part1/03-discrete-1d": 4.2, "book/appendix/linear-algebra": 4.0,
    "book/part1/01-integral": 3.9, "book/part1/05-correlation": 3.9, "book/part2/neural-networks": 3.9,
    "book/part2/08-receptive-fields": 3.8, "book/part2/09-fast": 3.8, "book/part2/06-conv-layer": 3.3,
    "book/how-to-use": 3.1, "book/part1/02-riemann": 2.8, "book/part2/11-pooling": 2.7, "book/part2/10-backprop": 2.6,
}


def jobs() -> int:
    """How many processes read the book: ``CONVLEARN_BUILD_JOBS``, or :data:`JOBS_PER_CORE` per core."""
    value = os.environ.get("CONVLEARN_BUILD_JOBS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"CONVLEARN_BUILD_JOBS must be a whole number of processes >= 1, not {value!r}")
        return int(value)
    return JOBS_PER_CORE * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())


def _prepare(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """Just before Sphinx decides whether to read in parallel (Jupyter Book loads the numbering extension late)."""
    for name in DECLARED_SAFE:
        extension = app.extensions.get(name)
        if extension is not None:
            extension.parallel_read_safe = extension.parallel_write_safe = True
    config = getattr(env, "mystnb_config", None)  # myst-nb's settings, its cache's folder resolved
    if app.parallel > 1 and docnames and config is not None and config.execution_mode == "cache":
        from jupyter_cache import get_cache

        get_cache(config.execution_cache_path).db  # noqa: B018 - the property creates the database
    if app.parallel > 1 and docnames:
        serialise_kernel_starts(Path(app.doctreedir) / "kernel-start.lock")
        docnames[:] = balanced_order(docnames, app.parallel, READ_SECONDS)


def balanced_order(docnames: list[str], nproc: int, seconds: dict[str, float]) -> list[str]:
    """``docnames`` reordered so that the runs Sphinx cuts from it for ``nproc`` processes take about equally long.

    Parameters
    ----------
    docnames : list of str
        The documents to read.
    nproc : int
        The processes that read them.
    seconds : dict of str to float
        Each document's reading time; a document not in it counts as 0.

    Returns
    -------
    list of str
        The same documents. Cut as ``sphinx.util.parallel.make_chunks`` cuts it, each run of full length holds
        documents given to the run with the least time so far, longest document first; the runs come longest
        first; the shorter last run (the remainder, started once a process is free) holds the quickest documents.
    """
    from sphinx.util.parallel import make_chunks

    sizes = [len(run) for run in make_chunks(docnames, nproc)]
    if len(sizes) < 2:
        return list(docnames)
    slowest_first = sorted(docnames, key=lambda name: (-seconds.get(name, 0), name))
    tail = sizes[-1] if sizes[-1] < sizes[0] else 0
    runs: list[list[str]] = [[] for _ in sizes[:len(sizes) - bool(tail)]]
    totals = [0.0] * len(runs)
    for name in slowest_first[:len(slowest_first) - tail]:
        room = min((i for i in range(len(runs)) if len(runs[i]) < sizes[0]), key=lambda i: (totals[i], i))
        runs[room].append(name)
        totals[room] += seconds.get(name, 0)
    order = sorted(range(len(runs)), key=lambda i: (-totals[i], i))
    return [name for i in order for name in runs[i]] + slowest_first[len(slowest_first) - tail:]


def serialise_kernel_starts(lock_path: Path) -> None:
    """Make nbclient start a kernel and connect to it while holding an exclusive lock on ``lock_path``."""
    from nbclient import NotebookClient

    start = NotebookClient.async_start_new_kernel
    if getattr(start, "one_at_a_time", False):
        return

    async def start_and_connect(self, **kwargs):
        with open(lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            await start(self, **kwargs)
            await self.async_start_new_kernel_client()  # returns once the kernel answers on its ports

    start_and_connect.one_at_a_time = True
    NotebookClient.async_start_new_kernel = start_and_connect


def _watch(app: Sphinx, docname: str, source: list[str]) -> None:
    """A document starts being read: print the stacks if it is still being read :data:`STALL_SECONDS` from now."""
    faulthandler.dump_traceback_later(STALL_SECONDS, file=sys.__stderr__)


def _unwatch(app: Sphinx, doctree: Any) -> None:
    faulthandler.cancel_dump_traceback_later()


def setup(app: Sphinx) -> dict[str, Any]:
    app.parallel = jobs()
    if app.parallel > 1:  # read by the kernels the reading processes start, which inherit this environment
        for name in THREAD_VARIABLES:
            os.environ.setdefault(name, "1")
    app.connect("env-before-read-docs", _prepare)
    app.connect("source-read", _watch)
    app.connect("doctree-read", _unwatch)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
