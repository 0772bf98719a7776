"""Running code under the rules of a check: routines blocked, a time limit, a memory limit.

Both sides use these: :class:`convlearn.grading.checks.Checks` around each case in the student's own kernel,
and the grader's agent (:mod:`convlearn.grading.agent`) around each call in the sandboxed kernel. The limits a
case gets by default are the named constants below, each with its reason.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
import types
from collections.abc import Iterable, Iterator

from .names import resolve

__all__ = ["ForbiddenCallError", "forbid", "time_limit", "memory_limit", "CASE_SECONDS", "CASE_MEMORY_BYTES",
           "AFTER_TIMEOUT_SECONDS", "CELL_SECONDS", "REPLAY_FACTOR", "REPLAY_EXTRA_SECONDS", "STREAM_BUDGET_CHARS",
           "KERNEL_POLL_SECONDS", "EXCEPTION_MESSAGE_CHARS", "SANDBOX_CHECK_SECONDS", "SOCKET_WAIT_SECONDS",
           "KERNEL_STDERR_BYTES", "SOCKET_TMPDIR_MAX_CHARS"]

#: Time limit of one check (``Checks(seconds=...)``): every reference solution of the course passes each of its
#: checks in well under a second, so ten seconds only stops an infinite loop or a far too slow approach.
CASE_SECONDS = 10.0
#: Extra address space one check, or one call of the grader into the student's kernel, may allocate
#: (``Checks(memory=...)``): far above what any check's arrays need (a few MiB), far below the machine's memory.
CASE_MEMORY_BYTES = 1 << 30
#: Time limit of a check (student side) or of a call (grader side) after a function already ran out of time once:
#: a hanging helper that every check calls costs one full limit, not one per check.
AFTER_TIMEOUT_SECONDS = 1.0

# The grader's numbers (used by convlearn.grading.grader and the kernel's agent; plain numbers, no import).
# The configurable ones are traits of SandboxedGrade instead (output_limit, flood_limit, read_limit,
# message_limit, submission_seconds, interrupt_grace), with their reasons in their help.

#: A student cell's time limit while grading when ``Execute.timeout`` is not set; the course sets
#: ``c.Execute.timeout`` to it (``exercises/nbgrader_config.py``). The slowest cell of the course, a6's training,
#: takes a few seconds: the limit only stops a cell that hangs.
CELL_SECONDS = 60
#: After a kernel is replaced, each student cell that ran before runs again within ``REPLAY_FACTOR`` times the
#: time it took the first time plus ``REPLAY_EXTRA_SECONDS`` (and the cell limit): a loaded machine may be slower
#: the second time, but a cell that now hangs costs seconds, not the whole cell limit, on every restart.
REPLAY_FACTOR = 2.0
REPLAY_EXTRA_SECONDS = 5.0
#: Characters of printed output (stream messages) the kernel may send while it answers one call of the grader
#: or re-runs one cell after a restart; past it the kernel counts as flooding and is replaced. An honest
#: function prints a few lines; the output of the student's cells is bounded by ``SandboxedGrade.flood_limit``.
STREAM_BUDGET_CHARS = 64 << 20
#: While it waits for a kernel's message, the grader checks this often (seconds) that the kernel still lives,
#: so a kernel that died is noticed within a second, not at the end of the call's time limit.
KERNEL_POLL_SECONDS = 1.0
#: Characters of the message of an exception a student's function raised that the kernel sends back: the
#: report quotes it, and a longer one (a huge array in the message) would only fill the feedback.
EXCEPTION_MESSAGE_CHARS = 2000
#: Seconds the trial sandbox (``import numpy`` under bubblewrap) may take when grading starts; it takes well
#: under a second where bubblewrap works, so only a machine where it hangs waits this long.
SANDBOX_CHECK_SECONDS = 60
#: Grading as root, the sandbox's launcher waits at most this long (seconds) for the kernel to create its five
#: sockets before it closes their directory to writing; a kernel starts in a few seconds on a loaded machine.
SOCKET_WAIT_SECONDS = 60
#: Bytes of the sandboxed kernel's own stderr passed on to the grader's terminal (why a kernel failed to start):
#: enough for a traceback, not for a submission that writes to file descriptor 2 without end.
KERNEL_STDERR_BYTES = 64 << 10
#: The kernels' sockets live in a new directory under the temporary directory, unless its path is longer than
#: this (then under /tmp). A Unix socket path has at most 107 bytes, and the grader adds up to 48 after the
#: temporary directory (``/convlearn-kernels-XXXXXXXX/runtime/kernel-ipc-N``): 40 leaves room for the port
#: numbers.
SOCKET_TMPDIR_MAX_CHARS = 40

# Packages imported to block their routines; others (torch) are blocked only if already loaded, since
# code can only reach them after importing them.
_IMPORTABLE = ("numpy", "scipy", "convlearn")


class ForbiddenCallError(RuntimeError):
    """Raised when graded code calls a library routine that the exercise asks to implement."""


def _message(dotted: str) -> str:
    return (f"your code called {dotted}, which this exercise asks you to implement yourself; "
            "write the sums with loops or array arithmetic instead")


def _blocker(dotted: str):
    def blocked(*args, **kwargs):
        raise ForbiddenCallError(_message(dotted))

    blocked.__name__ = dotted.rpartition(".")[2]
    return blocked


def _blocked_code(dotted: str, fn: types.FunctionType) -> types.CodeType:
    """A code object that raises :class:`ForbiddenCallError` and fits ``fn`` (the same free variables)."""
    free = fn.__code__.co_freevars
    lines = ["def _outer():", *(f"    {v} = None" for v in free), "    def _blocked(*args, **kwargs):"]
    if free:
        lines.append(f"        ({', '.join(free)},)")
    lines.append(f"        raise __import__('convlearn.grading.limits', fromlist=['_']).ForbiddenCallError("
                 f"{_message(dotted)!r})")
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
        obj = resolve(dotted, may_import=_IMPORTABLE if import_missing else ())
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
