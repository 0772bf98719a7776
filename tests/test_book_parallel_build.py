"""The build reads its chapters in parallel processes: book/_ext/convlearn_parallel.py.

Whether the parallel build makes the same site is checked where the site is checked (every page in Chromium,
tests/test_site_browser.py, against the build CI makes with it); here, the number of processes it asks Sphinx for
and its refusal of a number that is not one, the stall watch, the kernels' one-at-a-time start, and the order in
which the processes take the documents.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _site import book_extension
from sphinx.util.parallel import make_chunks


@pytest.fixture(scope="module")
def ext():
    return book_extension("convlearn_parallel")


def test_two_processes_per_core_unless_told(ext, monkeypatch):
    monkeypatch.delenv("CONVLEARN_BUILD_JOBS", raising=False)
    assert ext.jobs() == ext.JOBS_PER_CORE * len(os.sched_getaffinity(0))
    monkeypatch.setenv("CONVLEARN_BUILD_JOBS", "1")
    assert ext.jobs() == 1
    monkeypatch.setenv("CONVLEARN_BUILD_JOBS", " 3 ")
    assert ext.jobs() == 3


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_number_of_processes_that_is_not_one_is_refused_by_name(ext, monkeypatch, value):
    monkeypatch.setenv("CONVLEARN_BUILD_JOBS", value)
    expected = f"CONVLEARN_BUILD_JOBS must be a whole number of processes >= 1, not '{value}'"
    with pytest.raises(ValueError, match=expected):
        ext.jobs()


class _App:
    """What setup() uses of a Sphinx application."""

    def __init__(self) -> None:
        self.parallel = 1

    def connect(self, event, handler) -> None:
        pass


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_chapters_read_in_parallel_compute_with_one_thread_each(ext, monkeypatch, jobs):
    monkeypatch.setenv("CONVLEARN_BUILD_JOBS", jobs)
    for name in ext.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")  # the reader's own choice is kept
    ext.setup(_App())
    if jobs == "1":  # one process: a kernel may use every core
        assert "OMP_NUM_THREADS" not in os.environ and "OPENBLAS_NUM_THREADS" not in os.environ
    else:
        assert os.environ["OMP_NUM_THREADS"] == os.environ["OPENBLAS_NUM_THREADS"] == "1"
    assert os.environ["MKL_NUM_THREADS"] == "3"


@pytest.mark.parametrize("finished", [False, True])
def test_a_chapter_read_for_too_long_prints_the_stacks_once(finished):
    """After STALL_SECONDS on one document, the reading process prints where each of its threads waits."""
    import subprocess
    import sys

    code = ("import time\n"
            "from _site import book_extension\n"
            "ext = book_extension('convlearn_parallel')\n"
            "ext.STALL_SECONDS = 0.3\n"
            "ext._watch(None, 'book/slow', [])\n"
            + ("ext._unwatch(None, None)\n" if finished else "")
            + "def waiting_for_a_reply():\n    time.sleep(1.0)\n"
            "waiting_for_a_reply()\n")
    tests = str(Path(__file__).resolve().parent)
    err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": tests}).stderr
    if finished:
        assert "waiting_for_a_reply" not in err
    else:
        assert err.count("most recent call first") == 1 and "waiting_for_a_reply" in err


def test_kernels_start_one_at_a_time(ext, monkeypatch, tmp_path):
    """While a process chooses its kernel's ports and waits for the kernel to answer, it holds the lock."""
    import asyncio
    import concurrent.futures
    import fcntl

    from nbclient import NotebookClient

    lock_path = tmp_path / "kernel-start.lock"
    held = []

    def lock_is_held() -> bool:
        with open(lock_path, "a") as other:
            try:
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(other, fcntl.LOCK_UN)
            return False

    async def start(self, **kwargs):
        held.append(("start", lock_is_held()))

    async def connect(self):
        held.append(("connect", lock_is_held()))

    monkeypatch.setattr(NotebookClient, "async_start_new_kernel", start)
    monkeypatch.setattr(NotebookClient, "async_start_new_kernel_client", connect)
    ext.serialise_kernel_starts(lock_path)
    ext.serialise_kernel_starts(lock_path)  # once only
    # in a thread of its own: the test process may already run an event loop (asyncio.run refuses to nest)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, NotebookClient.async_start_new_kernel(NotebookClient.__new__(NotebookClient))).result()
    assert held == [("start", True), ("connect", True)]
    assert not lock_is_held()


def _run_seconds(order: list[str], nproc: int, seconds: dict) -> list[float]:
    return [sum(seconds.get(name, 0) for name in run) for run in make_chunks(order, nproc)]


def test_the_runs_sphinx_cuts_take_about_equally_long(ext):
    """22 documents, 4 processes (the book on 2 cores): Sphinx cuts 4 runs of 5 and a last one of 2."""
    seconds = {f"c{i:02d}": s for i, s in enumerate([25, 6, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3])}
    names = sorted([*seconds, "intro", "api", "glossary", "notation", "references", "instructors"])
    order = ext.balanced_order(names, 4, seconds)
    assert sorted(order) == names and len(order) == len(set(order))
    runs = _run_seconds(order, 4, seconds)
    assert [len(run) for run in make_chunks(order, 4)] == [5] * 4 + [2]
    assert order[0] == "c00" and runs[0] == 25  # the longest starts first, with only the quick documents beside it
    assert runs[:4] == sorted(runs[:4], reverse=True) and runs[4] == 0  # longest runs first; the last run is quick
    assert max(runs[1:4]) - min(runs[1:4]) <= 1  # the other three runs share the rest evenly
    # name order ends with the longest document in a run of five
    assert max(_run_seconds(names, 4, seconds)) > max(runs)


@pytest.mark.parametrize("count, nproc", [(3, 4), (6, 4), (7, 2), (100, 4)])
def test_every_document_is_read_once_whatever_the_count(ext, count, nproc):
    names = [f"d{i:03d}" for i in range(count)]
    seconds = {name: (i * 7) % 11 for i, name in enumerate(names)}
    order = ext.balanced_order(names, nproc, seconds)
    assert sorted(order) == names


def test_every_timed_document_is_in_the_book(ext):
    """A renamed chapter would silently lose its place: every name of READ_SECONDS is a document of the toc."""
    from _site import toc_documents

    assert set(ext.READ_SECONDS) <= set(toc_documents())


def test_the_reading_order_is_set_before_sphinx_cuts_it(ext, monkeypatch, tmp_path):
    """The handler of env-before-read-docs reorders Sphinx's own list, in place, when reading in parallel."""
    monkeypatch.setattr(ext, "serialise_kernel_starts", lambda lock_path: None)
    names = sorted(ext.READ_SECONDS)
    for parallel, expected in ((1, names), (4, ext.balanced_order(names, 4, ext.READ_SECONDS))):
        app = _App()
        app.parallel, app.extensions, app.doctreedir = parallel, {}, str(tmp_path)
        docnames = list(names)
        ext._prepare(app, object(), docnames)
        assert docnames == expected
    assert expected != names
