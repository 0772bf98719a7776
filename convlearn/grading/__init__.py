"""Grading of the course (``exercises/``): checks with partial credit, and the isolation of submissions.

Two places run a test cell of the course:

- **In the student's JupyterLab**, the visible checks run in the student's own kernel, as ordinary code:
  :class:`Checks` runs each case with library routines blocked (:func:`forbid`), a time limit and a memory
  limit, and prints ``[PASS]``/``[FAIL] why`` lines. These checks teach; they decide nothing.
- **When the instructor runs** ``nbgrader autograde``, the whole test cell (visible and hidden checks) runs
  in the grader's own process (:mod:`convlearn.grading.harness`), while the student's code runs in a
  sandboxed kernel (:mod:`convlearn.grading.sandbox`) that the grader calls with plain data
  (:mod:`convlearn.grading.agent`, :mod:`convlearn.grading.wire`). The score is decided there
  (:mod:`convlearn.grading.nbgrader_plugin`), together with a static check of the source for library
  routines (:mod:`convlearn.grading.scan`).

The same test code serves both: :class:`Checks` notices when the harness runs it and then leaves blocking and
time limits to the kernel side.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import signal
import sys
import threading
import time
import types
import warnings
from collections.abc import Iterable, Iterator

import numpy as np

__all__ = [
    "Checks",
    "GradingError",
    "CaseResult",
    "ForbiddenCallError",
    "forbid",
    "time_limit",
    "memory_limit",
    "expect_close",
    "expect_shape",
    "CONV_1D",
    "CONV_2D",
    "CONV_LAYER",
    "CONV_BACKWARD",
    "INTEGRALS",
    "CNN_LAYERS",
]

# Library routines that do the work an exercise asks for; blocked while the student's code runs.
INTEGRALS = (
    "convlearn.continuous.convolve",
    "convlearn.continuous.riemann_convolve",
    "scipy.integrate.quad",
    "scipy.integrate.quad_vec",
    "scipy.integrate.trapezoid",
    "scipy.integrate.simpson",
    "numpy.trapezoid",
    "numpy.convolve",
    "scipy.signal.convolve",
    "scipy.signal.fftconvolve",
)
CONV_1D = (
    "numpy.convolve",
    "numpy.correlate",
    "numpy.polymul",
    "numpy.fft.fft",
    "numpy.fft.rfft",
    "scipy.signal.convolve",
    "scipy.signal.correlate",
    "scipy.signal.fftconvolve",
    "scipy.signal.oaconvolve",
    "scipy.signal.lfilter",
    "scipy.linalg.toeplitz",
    "scipy.linalg.convolution_matrix",
    "scipy.ndimage.convolve1d",
    "scipy.ndimage.correlate1d",
    "convlearn.signal.convolve1d",
    "convlearn.signal.correlate1d",
    "convlearn.signal.fftconvolve",
    "convlearn.signal.convolution_matrix_1d",
    "convlearn.signal.reference.convolve1d_loops",
    "convlearn.signal.reference.correlate1d_loops",
)
CONV_2D = (
    "numpy.convolve",
    "numpy.correlate",
    "numpy.fft.fft2",
    "numpy.fft.rfft2",
    "scipy.signal.convolve",
    "scipy.signal.correlate",
    "scipy.signal.convolve2d",
    "scipy.signal.correlate2d",
    "scipy.signal.fftconvolve",
    "scipy.signal.oaconvolve",
    "scipy.ndimage.convolve",
    "scipy.ndimage.correlate",
    "convlearn.signal.convolve2d",
    "convlearn.signal.correlate2d",
    "convlearn.signal.fftconvolve",
    "convlearn.signal.separable_convolve2d",
    "convlearn.signal.convolution_matrix_2d",
    "convlearn.signal.reference.convolve2d_loops",
    "convlearn.signal.reference.correlate2d_loops",
    "convlearn.signal.reference.centred_sum",
)
CONV_LAYER = CONV_2D + (
    "convlearn.nn.functional.conv1d",
    "convlearn.nn.functional.conv2d",
    "convlearn.nn.functional.conv3d",
    "convlearn.nn.functional.conv_transpose2d",
    "convlearn.nn.functional.im2col",
    "convlearn.nn.functional.conv_output_size",
    "convlearn.nn.functional.reference.conv2d_loops",
    "torch.nn.functional.conv2d",
)
CONV_BACKWARD = CONV_LAYER + (
    "convlearn.nn.functional.conv2d_backward",
    "convlearn.nn.functional.col2im",
    "convlearn.nn.functional.max_pool2d",
    "convlearn.nn.functional.avg_pool2d",
    "convlearn.nn.functional.max_pool2d_backward",
    "convlearn.nn.functional.avg_pool2d_backward",
    "convlearn.nn.functional.reference.conv2d_backward_loops",
    "convlearn.nn.functional.reference.max_pool2d_loops",
    "convlearn.nn.functional.reference.avg_pool2d_loops",
    "convlearn.nn.functional.reference.max_pool2d_backward_loops",
    "convlearn.nn.functional.reference.avg_pool2d_backward_loops",
    "convlearn.gradcheck.numerical_gradient",
    "convlearn.gradcheck.check_gradient",
)


CNN_LAYERS = CONV_BACKWARD + tuple(
    f"convlearn.nn.{name}" for name in ("Conv2d", "MaxPool2d", "AvgPool2d", "Linear", "Sequential")
)

# Packages imported to block their routines; others (torch) are blocked only if already loaded, since
# code can only reach them after importing them.
_IMPORTABLE = ("numpy", "scipy", "convlearn")


class ForbiddenCallError(RuntimeError):
    """Raised when graded code calls a library routine that the exercise asks to implement."""


class GradingError(RuntimeError):
    """Grading cannot go on safely (no sandbox, a broken course); the message says what to do."""


#: The harness contexts running a test cell in this process (see :mod:`convlearn.grading.harness`).
_ACTIVE_HARNESS: list = []


def _resolve(dotted: str, import_missing: bool = True):
    """The object named ``package.module.attr``, or None when it does not exist (optional libraries)."""
    module_name, _, attr = dotted.rpartition(".")
    module = sys.modules.get(module_name)
    if module is None and import_missing and module_name.split(".")[0] in _IMPORTABLE:
        try:
            module = importlib.import_module(module_name)
        except Exception:  # noqa: BLE001 - a module not written yet simply has nothing to block
            return None
    return getattr(module, attr, None)


def _blocker(dotted: str):
    def blocked(*args, **kwargs):
        raise ForbiddenCallError(
            f"your code called {dotted}, which this exercise asks you to implement yourself; "
            "write the sums with loops or array arithmetic instead"
        )

    blocked.__name__ = dotted.rpartition(".")[2]
    return blocked


def _blocked_code(dotted: str, fn: types.FunctionType) -> types.CodeType:
    """A code object that raises :class:`ForbiddenCallError` and fits ``fn`` (the same free variables)."""
    free = fn.__code__.co_freevars
    message = (f"your code called {dotted}, which this exercise asks you to implement yourself; "
               "write the sums with loops or array arithmetic instead")
    lines = ["def _outer():", *(f"    {v} = None" for v in free), "    def _blocked(*args, **kwargs):"]
    if free:
        lines.append(f"        ({', '.join(free)},)")
    lines.append(f"        raise __import__('convlearn.grading', fromlist=['_']).ForbiddenCallError({message!r})")
    lines.append("    return _blocked")
    scope: dict = {}
    exec("\n".join(lines), scope)  # noqa: S102 - a fixed template
    return scope["_outer"]().__code__


def _functions_of(obj) -> list[types.FunctionType]:
    """The Python functions whose code runs when ``obj`` is called (a NumPy dispatcher's implementation, a
    decorator's wrapped function, a class's ``__init__``), so that blocking their code blocks ``obj`` wherever
    it is kept: in a default argument, a closure, a container or any other object."""
    found, stack = [], [obj]
    while stack and len(found) < 8:
        item = stack.pop()
        if isinstance(item, types.FunctionType):
            if item not in found:
                found.append(item)
            stack.append(getattr(item, "__wrapped__", None))
        elif isinstance(item, type):  # the __init__ it runs: its own, or the nearest base's in its package
            package = item.__module__.split(".")[0]
            stack.append(next((k.__dict__["__init__"] for k in item.__mro__ if "__init__" in k.__dict__
                               and k.__module__.split(".")[0] == package), None))
        elif item is not None:
            stack.extend(getattr(item, name, None) for name in ("_implementation", "__wrapped__", "__func__"))
    return found


@contextlib.contextmanager
def forbid(names: Iterable[str], namespaces: Iterable[dict] = (), import_missing: bool = True) -> Iterator[None]:
    """Temporarily replace library routines by stubs that raise :class:`ForbiddenCallError`.

    Two things are done to each forbidden object. The code of the Python functions that run when it is called
    (:func:`_functions_of`) is swapped for code that raises, so the object is blocked however it is reached:
    through a module, a default argument, a closure, a container, an object's attribute. And every reference
    to it is replaced by a stub: the attribute of every loaded module that holds it (so ``np.convolve`` and
    ``numpy._core.numeric.convolve`` alike) and every name bound to it in ``namespaces`` (e.g. the notebook's
    globals after ``from numpy import convolve as cv``), which also blocks compiled routines whose code
    cannot be swapped.

    Parameters
    ----------
    names : iterable of str
        Dotted names, e.g. ``"numpy.convolve"``. Names that cannot be imported are ignored.
    namespaces : iterable of dict
        Extra dictionaries to patch (a notebook's ``globals()``).
    import_missing : bool
        Import NumPy, SciPy and convlearn modules that are not loaded yet, to block their routines too. The
        grading kernel passes False (code cannot reach a module it has not imported, and the grader's source
        check sees an import inside a function).
    """
    originals = {}
    swapped: list[tuple[types.FunctionType, types.CodeType]] = []
    for dotted in names:
        obj = _resolve(dotted, import_missing)
        if obj is not None and id(obj) not in originals:
            originals[id(obj)] = (obj, _blocker(dotted))
            for fn in _functions_of(obj):
                if all(fn is not done for done, _ in swapped):
                    swapped.append((fn, fn.__code__))
                    fn.__code__ = _blocked_code(dotted, fn)
    patched: list[tuple[dict, str, object]] = []
    dicts = [vars(m) for m in list(sys.modules.values()) if m is not None and hasattr(m, "__dict__")]
    dicts.extend(namespaces)
    try:
        for d in dicts:
            for key, value in list(d.items()):
                hit = originals.get(id(value))
                if hit is not None and hit[0] is value:
                    try:
                        d[key] = hit[1]
                    except TypeError:  # read-only mapping
                        continue
                    patched.append((d, key, value))
        yield
    finally:
        for d, key, value in reversed(patched):
            d[key] = value
        for fn, code in reversed(swapped):
            fn.__code__ = code


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeoutError` in the running code after ``seconds`` (main thread, POSIX; else no limit)."""
    if seconds is None or threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def on_alarm(signum, frame):
        raise TimeoutError(f"did not finish within {seconds:g} s (an infinite loop, or far too slow)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay > 0:  # an enclosing timer (e.g. pytest-timeout) keeps running
            remaining = max(outer_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, remaining, outer_interval)


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            import os

            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def memory_limit(extra_bytes: int) -> Iterator[None]:
    """Let the running code allocate at most ``extra_bytes`` more address space (Linux ``RLIMIT_AS``).

    Beyond it NumPy raises :class:`MemoryError` instead of exhausting the machine. Where the limit
    cannot be set (other OS, unknown current usage) the block runs without one.
    """
    try:
        import resource
    except ImportError:
        yield
        return
    current = _address_space()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = None if current is None else current + int(extra_bytes)
    if limit is not None and hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        yield
    finally:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


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

    def __init__(self, points: float, *, forbidden: Iterable[str] = (), seconds: float = 10.0,
                 memory: int = 1 << 30):
        self.points = float(points)
        self.forbidden = tuple(forbidden)
        self.seconds = seconds
        self.memory = memory
        self.results: list[CaseResult] = []
        self.after_timeout = 1.0
        self._timed_out = False
        if _ACTIVE_HARNESS:
            _ACTIVE_HARNESS[-1].register(self)

    @contextlib.contextmanager
    def case(self, description: str, weight: float = 1.0) -> Iterator[None]:
        """Run the body as one case; any exception fails the case (``KeyboardInterrupt`` is not caught)."""
        from .harness import Skipped

        result = CaseResult(description, float(weight), False)
        self.results.append(result)
        harness = _ACTIVE_HARNESS[-1] if _ACTIVE_HARNESS else None
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
