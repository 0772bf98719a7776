"""Shared test fixtures.

Optional oracles: PyTorch and headless Chromium. Locally a missing one makes its tests skip with a
reason; CI sets CONVLEARN_REQUIRE_TORCH=1 / CONVLEARN_REQUIRE_BROWSER=1 so that a missing oracle fails
instead of silently skipping.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from _site import CHROMIUM, CHROMIUM_ARGS


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
def chromium():
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
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()
