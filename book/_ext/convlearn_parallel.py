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

A chapter that takes more than :data:`STALL_SECONDS` to read (to execute, in practice: the longest takes under a
minute) makes the process reading it print the stacks of all its threads to the build's error output, once, and
go on: what it was waiting for when a build stalls. (Twice in about fifty clean builds one chapter took 305 s,
its execution timeout, then 300 s, plus its usual time, with the machine idle, and then succeeded; the timeout
is now 120 s, ``_config.yml``, and this watch fires before it.)
"""

from __future__ import annotations

import faulthandler
import os
import sys
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
