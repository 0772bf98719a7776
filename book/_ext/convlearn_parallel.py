"""Sphinx extension: read, and so execute, the chapters in several processes at once.

Nearly all of the site build's time is the chapters' execution, one kernel after another, while the other cores
wait. Sphinx can read documents in parallel processes (``sphinx-build -j``), but ``jupyter-book build`` (Jupyter
Book 1) has no option for it and always builds with one. This extension sets the number of processes Sphinx
reads and writes with: ``CONVLEARN_BUILD_JOBS`` if set (``1``: one process, as without this extension), else
:data:`JOBS_PER_CORE` per core. More processes than cores pays because Sphinx hands each process a run of
neighbouring chapters and the book's chapters differ greatly in cost (the training chapter alone is a quarter
of the execution): shorter runs keep every core busy until the end.

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
