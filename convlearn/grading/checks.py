"""The checks of a test cell: weighted cases, partial credit, and assertions that explain a failure.

A test cell builds one :class:`Checks` and runs each case in ``with checks.case(...)``. In the student's own
kernel every case runs here, under :func:`convlearn.grading.limits.forbid`, a time limit and a memory limit;
when the grader runs the cell (:mod:`convlearn.grading.grader.harness`) each case is handed to the harness
found in :mod:`convlearn.grading._context`, which runs the student's calls in the sandboxed kernel. This
module imports nothing of the grader.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import warnings
from collections.abc import Iterable, Iterator

import numpy as np

from ._context import ACTIVE_HARNESS, Skipped
from .limits import (
    AFTER_TIMEOUT_SECONDS,
    CASE_MEMORY_BYTES,
    CASE_SECONDS,
    ForbiddenCallError,
    forbid,
    memory_limit,
    time_limit,
)

__all__ = ["Checks", "CaseResult", "GradingError", "expect_close", "expect_shape"]


class GradingError(RuntimeError):
    """Grading cannot go on safely (no sandbox, a broken course); the message says what to do."""


def _fmt(x: float) -> str:
    return f"{x:.3g}"


def expect_shape(actual, shape, what: str = "the result") -> np.ndarray:
    """Assert that ``actual`` is an ndarray-like of ``shape``; return it as an array."""
    if actual is None:
        raise AssertionError(f"{what} is None: did you forget to `return` it?")
    a = np.asarray(actual)
    if a.shape != tuple(shape):
        raise AssertionError(f"{what} has shape {a.shape}, expected {tuple(shape)}")
    return a


def expect_close(actual, expected, what: str = "the result", *, rtol: float = 1e-7, atol: float = 1e-9,
                 dtype=None) -> None:
    """Assert ``actual ≈ expected``, describing the first problem in words (never printing ``expected``).

    The message names the shape or dtype mismatch, or the number of wrong entries, the index of the worst
    one and its error — enough to debug with, without revealing the hidden expected array.
    """
    expected = np.asarray(expected)
    a = expect_shape(actual, expected.shape, what)
    if dtype is not None and a.dtype != np.dtype(dtype):
        raise AssertionError(f"{what} has dtype {a.dtype}, expected {np.dtype(dtype)}")
    if not np.issubdtype(a.dtype, np.number):
        raise AssertionError(f"{what} has non-numeric dtype {a.dtype}")
    if np.iscomplexobj(a):
        raise AssertionError(f"{what} is complex; a real result was expected")
    a = a.astype(np.float64)
    e = expected.astype(np.float64)
    if not np.all(np.isfinite(a)):
        raise AssertionError(f"{what} contains NaN or infinity ({int(np.sum(~np.isfinite(a)))} entries)")
    err = np.abs(a - e)
    bad = err > atol + rtol * np.abs(e)
    if bad.any():
        worst = np.unravel_index(int(np.argmax(np.where(bad, err, -1))), err.shape) if err.ndim else ()
        scale = float(np.max(np.abs(e))) if e.size else 0.0
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} entries are wrong; the worst is at index "
            f"{tuple(int(i) for i in worst)} with error {_fmt(float(err[worst]))} "
            f"(largest expected magnitude {_fmt(scale)})"
        )


@dataclasses.dataclass
class CaseResult:
    """One named check: its weight, whether it passed, and the reason when it did not."""

    description: str
    weight: float
    passed: bool
    reason: str = ""


class Checks:
    """A list of weighted cases whose passed fraction of ``points`` is the cell's partial credit.

    Usage in a test cell::

        checks = Checks(points=3, forbidden=CONV_1D)
        with checks.case("the example in the text"):
            expect_close(convolve_full([1, 2], [1, 1]), [1, 3, 2], "convolve_full([1, 2], [1, 1])")
        checks.score()          # last expression: the points, read by nbgrader

    Parameters
    ----------
    points : float
        Points of the test cell (must equal its nbgrader ``points``).
    forbidden : iterable of str
        Dotted names blocked while each case runs (see :func:`forbid`).
    seconds : float
        Time limit of each case.
    memory : int
        Extra bytes each case may allocate.
    """

    def __init__(self, points: float, *, forbidden: Iterable[str] = (), seconds: float = CASE_SECONDS,
                 memory: int = CASE_MEMORY_BYTES):
        self.points = float(points)
        self.forbidden = tuple(forbidden)
        self.seconds = seconds
        self.memory = memory
        self.results: list[CaseResult] = []
        self.after_timeout = AFTER_TIMEOUT_SECONDS
        self._timed_out = False
        if ACTIVE_HARNESS:
            ACTIVE_HARNESS[-1].register(self)

    @contextlib.contextmanager
    def case(self, description: str, weight: float = 1.0) -> Iterator[None]:
        """Run the body as one case; any exception fails the case (``KeyboardInterrupt`` is not caught)."""
        result = CaseResult(description, float(weight), False)
        self.results.append(result)
        harness = ACTIVE_HARNESS[-1] if ACTIVE_HARNESS else None
        try:
            if harness is not None:
                # graded: the body talks to the sandboxed kernel, which blocks, times and limits the calls
                with harness.case(self, len(self.results) - 1) as state:
                    yield
                why = harness.delegation(state)
                if why:
                    raise ForbiddenCallError(why)
            else:
                # in the student's own kernel: block, time and limit here. A context manager cannot skip its
                # body: after a case ran out of time or memory, later cases still run, but with a short time
                # limit, so one runaway function cannot use up the cell's timeout.
                seconds = min(self.seconds, self.after_timeout) if self._timed_out else self.seconds
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    with np.errstate(all="ignore"), forbid(self.forbidden), memory_limit(self.memory), \
                            time_limit(seconds):
                        yield
            result.passed = True
        except AssertionError as exc:
            result.reason = str(exc) or "an assertion failed"
        except Skipped as exc:
            result.reason = str(exc)
        except TimeoutError as exc:
            result.reason = str(exc)
            if self._timed_out:
                result.reason += " (an earlier case ran out of time or memory, so this one had a shorter limit)"
            self._timed_out = True
        except MemoryError:
            self._timed_out = harness is None
            result.reason = "ran out of memory (the grader allows about 1 GiB): is an array far too large?"
        except ForbiddenCallError as exc:
            result.reason = str(exc)
        except NameError as exc:
            result.reason = f"{exc} (did you run the cell that defines it, and keep its name?)"
        except NotImplementedError:
            result.reason = "not implemented yet (the function still raises NotImplementedError)"
        except Exception as exc:  # noqa: BLE001 - any error in student code fails this case only
            result.reason = f"raised {type(exc).__name__}: {exc}"

    def fraction(self) -> float:
        """The passed fraction of the cases' weights (0 when there are no cases)."""
        total = sum(r.weight for r in self.results)
        return sum(r.weight for r in self.results if r.passed) / total if total else 0.0

    def earned(self) -> float:
        """Points earned: ``points`` times :meth:`fraction`, rounded to 4 decimals."""
        return round(self.points * self.fraction(), 4)

    def report(self) -> str:
        lines = []
        for r in self.results:
            mark = "PASS" if r.passed else "FAIL"
            lines.append(f"[{mark}] {r.description}" + ("" if r.passed else f"\n       why: {r.reason}"))
        passed = sum(r.passed for r in self.results)
        lines.append(f"{passed} of {len(self.results)} checks passed: {self.earned():g} of {self.points:g} points")
        return "\n".join(lines)

    def score(self) -> float:
        """Print the report and return the points earned (display it as the cell's last value).

        The report goes to standard output when every case passed and to standard error otherwise, so that
        nbgrader's *Validate* button lists the ``[PASS]``/``[FAIL] why`` lines of a failing cell (it shows a
        cell's error output). In the student's notebook the score is advisory; the grader decides it.
        """
        report = self.report()
        print(report, file=sys.stdout if all(r.passed for r in self.results) else sys.stderr)
        return self.earned()
