"""The build reads its chapters in parallel processes: book/_ext/convlearn_parallel.py.

Whether the parallel build makes the same site is checked where the site is checked (every page in Chromium,
tests/test_site_browser.py, against the build CI makes with it); here, the number of processes it asks Sphinx for
and its refusal of a number that is not one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _site import book_extension


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
