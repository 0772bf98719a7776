"""Shared test fixtures, and how xdist spreads the tests.

Scheduling: most of the suite's time is a few end-to-end tests that grade, serve or drive a browser. They
keep a core busy (kernels starting, a hanging submission spinning for its time limit), so ``-n auto`` starts
one worker per core (:func:`pytest_xdist_auto_num_workers`), and the longest tests are collected first
(:func:`pytest_collection_modifyitems`); with ``--dist load --maxschedchunk 1`` (``pyproject.toml``) each
worker takes the next test when it is free, so the long ones start at once and the run ends on short tests.

Optional oracles: PyTorch and headless Chromium. Locally a missing one makes its tests skip with a
reason; CI sets CONVLEARN_REQUIRE_TORCH=1 / CONVLEARN_REQUIRE_BROWSER=1 so that a missing oracle fails
instead of silently skipping.
"""

from __future__ import annotations

import os

import pytest

#: One worker per core, and most long tests start more processes (nbgrader, servers, kernels): each computes
#: with one BLAS/OpenMP thread unless told otherwise (the unit tests: 85 -> 78 busy CPU-s on 2 cores). Set
#: before NumPy is imported, in the process that starts the workers, so that every process inherits it.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for _name in THREAD_VARIABLES:
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402 - after the thread settings above
from _site import CHROMIUM, DeadEnd, launch  # noqa: E402 - after the thread settings above

#: Workers per core for ``-n auto``: two per core gained 3 % and made timing-sensitive checks flaky (stop 24).
WORKERS_PER_CORE = 1

#: The longest tests, longest first (node-id prefixes; ``--durations`` of a CI run on 2 cores, seconds).
#: Only the order depends on this list: a test missing from it merely starts later.
LONGEST_FIRST = (
    "tests/test_grading_parallel.py::test_parallel_matches_serial_and_reruns_skip",  # ~170
    "tests/test_grading_attacks.py::test_attacks_score_their_honest_part_and_harm_nobody[class1of",  # ~165
    "tests/test_exercises_nbgrader.py::test_course_end_to_end[a6_cnn]",  # ~140
    "tests/test_formgrader_browser.py::test_instructor_formgrader_loop",  # ~120
    "tests/test_grading_attacks.py::test_attacks_score_their_honest_part_and_harm_nobody",  # 50-105 each
    "tests/test_exercises_nbgrader.py::test_course_end_to_end",  # 75-90 each
    "tests/test_hub.py::test_a_class_on_the_hub",  # ~60
    "tests/test_grading_parallel.py::test_driver_killed_then_rerun_loses_and_doubles_nothing",  # ~45
)
#: Then by marker: the other end-to-end tests before the browser and book tests, before the unit tests.
_MARKER_ORDER = ("nbgrader", "browser", "book", "slow")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: :data:`WORKERS_PER_CORE` workers per core (``PYTEST_XDIST_AUTO_NUM_WORKERS`` overrides)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    return WORKERS_PER_CORE * (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())


def _rank(item) -> tuple[int, int]:
    for i, prefix in enumerate(LONGEST_FIRST):
        if item.nodeid.startswith(prefix):
            return 0, i
    for i, marker in enumerate(_MARKER_ORDER):
        if item.get_closest_marker(marker) is not None:
            return 1, i
    return 2, 0


def pytest_collection_modifyitems(config, items) -> None:
    """Longest tests first (a stable sort: the order within a rank is pytest's), each followed by a unit test.

    xdist's ``load`` scheduler hands every worker its first *two* tests at once, in collection order; a unit
    test after each long one keeps two long ones from being queued on the same worker.
    """
    items.sort(key=_rank)
    long = [item for item in items if _rank(item)[0] < 2]
    short = items[len(long):]
    paired = [item for pair in zip(long, short, strict=False) for item in pair]
    items[:] = paired + long[len(short):] + short[len(long):]


def pytest_configure(config) -> None:
    """Tests that make a gradebook in this process stamp it as the course's nbgrader does (no ``alembic`` process).

    In the processes that run tests: not in xdist's controller, which runs none."""
    if not os.environ.get("PYTEST_XDIST_WORKER") and getattr(config.option, "numprocesses", None):
        return
    try:
        from convlearn.grading.grader.nbgrader_plugin import stamp_gradebooks_in_process
    except ImportError:  # the grading extra is not installed
        return
    stamp_gradebooks_in_process()


def pytest_sessionfinish(session, exitstatus) -> None:
    """Remove what the graders that tests killed left in the temporary directory (their clean-up never ran)."""
    try:
        from convlearn.grading.grader import gradetask, sandbox
    except ImportError:  # the grading extra is not installed: no grader ran
        return
    for base in {None, "/tmp"}:
        for prefix in (sandbox.RUNTIME_PREFIX, sandbox.STAGE_PREFIX, gradetask.GRADE_PREFIX,
                       gradetask.OUTPUT_PREFIX):
            sandbox.remove_orphans(prefix, base)


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: every test is reproducible."""
    return np.random.default_rng(20261124)


def _require(env: str) -> bool:
    return os.environ.get(env, "") not in ("", "0")


@pytest.fixture(scope="session")
def torch():
    """The ``torch`` module, or skip (fail in CI) when it is not installed."""
    try:
        import torch as _torch
    except ImportError:
        if _require("CONVLEARN_REQUIRE_TORCH"):
            pytest.fail("CONVLEARN_REQUIRE_TORCH is set but torch is not installed (pip install torch==2.13.0)")
        pytest.skip("torch is not installed: PyTorch parity tests need `pip install torch==2.13.0`")
    _torch.set_num_threads(1)
    return _torch


@pytest.fixture(scope="session")
def sandboxed() -> None:
    """Skip (fail when CONVLEARN_REQUIRE_SANDBOX=1) where no grading sandbox can be made (no bubblewrap)."""
    from convlearn.grading.grader import sandbox

    ok, why = sandbox.available()
    if not ok:
        if _require("CONVLEARN_REQUIRE_SANDBOX"):
            pytest.fail(f"CONVLEARN_REQUIRE_SANDBOX=1 but {why}")
        pytest.skip(why)


# --- headless Chromium, shared by the site and JupyterLab browser tests --------------------------------

def _required() -> bool:
    return os.environ.get("CONVLEARN_REQUIRE_BROWSER", "") not in ("", "0")


@pytest.fixture(scope="session")
def dead_end():
    """Where the browser sends every request not for 127.0.0.1 (``localsite.DeadEnd``): none leaves the machine."""
    with DeadEnd() as proxy:
        yield proxy


@pytest.fixture(scope="session")
def chromium(dead_end):
    """Headless Debian Chromium through playwright, or skip (fail when CONVLEARN_REQUIRE_BROWSER is set)."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = reason or "the playwright package is missing (pip install -r requirements.txt)"
    if reason:
        if _required():
            pytest.fail(f"CONVLEARN_REQUIRE_BROWSER is set but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = launch(playwright, dead_end)
        try:
            yield browser
        finally:
            browser.close()
