"""The trusted side of grading: run a test cell in the grader's own process against a student's kernel.

A test cell of the course is ordinary Python (``Checks``, ``expect_close``, reference values). While grading,
:func:`run_test_cell` executes it **here**, in the grader's process, never in the student's kernel: every
name the student defined (``convolve_full``, ``Conv2d``) is bound to a :class:`Remote`, a stand-in that
forwards each call, attribute access or item access to the kernel as plain data (:mod:`.wire`) and turns
the reply back into arrays, numbers, lists, or further stand-ins. The expected values, the comparisons and
the points are therefore computed where the submission cannot reach them; the kernel only ever sees the
inputs of the calls (arrays, numbers, and the input functions of a test, such as ``f`` in ``f * g``).

Fairness. Each check (a ``with checks.case(...)`` block) has its own time limit (``Checks(seconds=...)``).
When a call does not answer in time, or the kernel dies, the grader starts a new kernel, runs the
student's cells again, and runs the test cell again from the top, with the checks that already failed
this way marked as failed: one runaway function costs the checks that call it, and nothing else.

Library delegation. Each check also fails when a student function it used refers, in its source, to a
routine the test cell forbids (:mod:`.scan`); the kernel-side block (:func:`convlearn.grading.forbid`)
still runs too, for code the static check cannot read.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import dataclasses
import io
import itertools
import marshal
import time
import types
from collections.abc import Callable

import numpy as np

from .. import wire
from .._context import ACTIVE_HARNESS, Skipped
from ..limits import AFTER_TIMEOUT_SECONDS, CASE_MEMORY_BYTES, ForbiddenCallError
from ..names import resolve
from .scan import flags_for

__all__ = ["KernelLost", "CallTimedOut", "Remote", "CellRun", "CellOutcome", "Budget", "run_test_cell", "agent_call"]

#: Time limit of calls made outside any check (e.g. building a layer before the checks that use it).
OUTSIDE_SECONDS = 30.0
#: Packages whose functions travel to the kernel as import nodes (the kernel imports them itself).
_IMPORTABLE = ("numpy", "scipy", "math", "convlearn")
_SAFE_EXCEPTIONS = {name: obj for name, obj in vars(builtins).items()
                    if isinstance(obj, type) and issubclass(obj, Exception)}


class KernelLost(Exception):
    """The kernel did not answer in time, died, or sent something that is not a reply."""


class CallTimedOut(Exception):
    """A call ran out of time and was interrupted; the kernel (and what the student's cells built) is kept."""


class NoAnswer(Exception):
    """The kernel finished the request but published no reply (its output was intercepted or suppressed)."""


class Restart(BaseException):
    """Internal: stop the test cell, restart the kernel, run the cell again (passes through ``except Exception``)."""


def agent_call(message: str) -> str:
    """The one line of code the grader sends to the kernel for each request."""
    return f'__import__("convlearn.grading.agent").grading.agent.serve("{message}")'


class Remote:
    """A student's object that lives in the kernel; using it sends a request there.

    Supports calling, attributes (``layer.W``; setting ``layer.W = w``), items (``obj[i]``, ``obj[i] = v``),
    ``len``, iteration and ``numpy.asarray``. What comes back is plain data (arrays, numbers, strings, lists,
    tuples, dicts) or another :class:`Remote`. An in-place change of a returned array (``layer.b[...] = v``)
    changes the grader's copy only: test code writes ``layer.b = v`` instead.
    """

    __slots__ = ("_ctx", "_ref", "_origins", "_label")

    def __init__(self, ctx: CellRun, ref: dict, origins: frozenset, label: str):
        object.__setattr__(self, "_ctx", ctx)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_origins", origins)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ctx.request(self, "getattr", name=name)

    def __setattr__(self, name: str, value) -> None:
        self._ctx.request(self, "setattr", name=name, value=value)

    def __call__(self, *args, **kwargs):
        return self._ctx.request(self, "call", args=list(args), kwargs=dict(kwargs))

    def __getitem__(self, key):
        return self._ctx.request(self, "getitem", key=key)

    def __setitem__(self, key, value) -> None:
        self._ctx.request(self, "setitem", key=key, value=value)

    def __len__(self) -> int:
        return int(self._ctx.request(self, "len"))

    def __iter__(self):
        return iter(self._ctx.request(self, "list"))

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._ctx.request(self, "asarray"), dtype=dtype)

    def __repr__(self) -> str:
        return f"<{self._label} in the submission>"


def _builtin_exception(node: dict) -> Exception:
    """A local exception standing for what the student's code raised (only built-in classes are made)."""
    name, message = str(node.get("type")), str(node.get("message", ""))
    if name == "ForbiddenCallError":
        return ForbiddenCallError(message)
    for candidate in node.get("mro") or ():
        cls = _SAFE_EXCEPTIONS.get(str(candidate))
        if cls is not None:
            try:
                exc = cls(message if candidate == name else f"{name}: {message}")
            except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError needs five arguments
                exc = RuntimeError(f"{name}: {message}")
            return exc
    return RuntimeError(f"{name}: {message}")


@dataclasses.dataclass
class Budget:
    """What one submission may still spend: wall time, and the functions that already ran out of time.

    Parameters
    ----------
    seconds : float or None
        The submission's total grading time (student cells and checks); None for no limit.
    time_scale : float
        Multiplies the time limits of the checks: each check's own (``Checks(seconds=...)``) and the short one
        of a later call of a function that ran out of time (``AFTER_TIMEOUT_SECONDS``).
    """

    seconds: float | None = None
    time_scale: float = 1.0
    start: float = dataclasses.field(default_factory=time.monotonic)
    #: functions (by the student's name) that ran out of time once: every later call gets a short limit
    slow: set = dataclasses.field(default_factory=set)
    #: functions that ran out of time and ignored the interrupt, so that the kernel had to be replaced: never
    #: called again (each call would cost a new kernel and a rerun of the student's cells)
    stubborn: set = dataclasses.field(default_factory=set)

    def remaining(self) -> float:
        """Seconds left (infinite without a limit)."""
        return float("inf") if self.seconds is None else self.seconds - (time.monotonic() - self.start)

    def spent_reason(self) -> str:
        return (f"not run: this submission used up its grading time ({self.seconds:g} s in all); what ran before "
                "keeps its points")


@dataclasses.dataclass
class _CaseState:
    index: int
    deadline: float
    forbidden: tuple
    memory: int
    origins: set


class CellRun:
    """One run of one test cell: the kernel connection, the check being run, and what is known to have failed.

    Parameters
    ----------
    send : callable ``(code: str, timeout: float) -> str``
        Runs one line in the kernel and returns the text of the reply it published; raises
        :class:`KernelLost` when the kernel does not answer within ``timeout`` seconds or dies.
    flags : dict of str to set of str
        For each name the student defined, the forbidden routines its source refers to (:mod:`.scan`).
    lost : dict of int to str
        Checks (by position in the cell) that failed on an earlier run because the kernel was lost.
    """

    def __init__(self, send: Callable[[str, float], str], flags: dict, lost: dict | None = None,
                 budget: Budget | None = None):
        self.send = send
        self.flags = flags
        self.lost = dict(lost or {})
        self.budget = budget if budget is not None else Budget()
        self.checks: list = []
        self.case_state: _CaseState | None = None
        self.cell_failure: str | None = None

    # --- requests ---------------------------------------------------------------------------------------
    def remote_global(self, name: str) -> Remote:
        return Remote(self, {"$": "global", "name": name}, frozenset([name]), name)

    def _outgoing(self, obj):
        if isinstance(obj, Remote):
            if self.case_state is not None:
                self.case_state.origins.update(obj._origins)
            return obj._ref
        if isinstance(obj, types.ModuleType):
            return {"$": "import", "module": obj.__name__, "name": None}
        importable = _importable(obj)
        if importable is not None:
            return importable
        if isinstance(obj, types.FunctionType):
            return self._function_node(obj)
        raise wire.WireError(f"cannot send a {type(obj).__name__} to the submission")

    def _function_node(self, fn: types.FunctionType) -> dict:
        names = set()
        stack = [fn.__code__]
        while stack:
            code = stack.pop()
            names.update(code.co_names)
            stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        scope = {}
        for name in sorted(names):
            if name in fn.__globals__ and fn.__globals__[name] is not fn:
                try:
                    scope[name] = wire.plain_tree(fn.__globals__[name], self._arrays, other=self._outgoing)
                except (wire.WireError, RecursionError):
                    continue
        return {
            "$": "function",
            "name": fn.__name__,
            "code": base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii"),
            "globals": {"$": "dict", "items": [[k, v] for k, v in scope.items()]},
            "defaults": wire.plain_tree(fn.__defaults__, self._arrays, other=self._outgoing),
            "kwdefaults": wire.plain_tree(fn.__kwdefaults__, self._arrays, other=self._outgoing),
            "closure": wire.plain_tree([c.cell_contents for c in fn.__closure__ or ()], self._arrays,
                                       other=self._outgoing),
        }

    def _tree(self, obj, arrays):
        self._arrays = arrays
        return wire.plain_tree(obj, arrays, other=self._outgoing)

    def request(self, target: Remote, op: str, **fields):
        """Send one request about ``target``; return the reply as local values (or raise what the student raised)."""
        state = self.case_state
        if state is not None and state.index in self.lost:
            raise Skipped(self.lost[state.index])
        if target._ctx is not self:
            raise Skipped("an object from before the kernel was restarted cannot be used")
        stubborn = sorted(target._origins & self.budget.stubborn)
        if stubborn:
            why = f"not run: {stubborn[0]} ignored the interrupt in an earlier check; the grader does not call it again"
            raise Skipped(why) if state is not None else TimeoutError(why)
        if state is not None:
            state.origins.update(target._origins)
        request = {"op": op, "target": target, **fields}
        if op == "call":
            request["forbidden"] = list(state.forbidden) if state is not None else []
            request["memory"] = state.memory if state is not None else CASE_MEMORY_BYTES
        message = wire.encode(self._tree, request)
        timeout = OUTSIDE_SECONDS if state is None else max(state.deadline - time.monotonic(), 0.05)
        if target._origins & self.budget.slow:
            timeout = min(timeout, AFTER_TIMEOUT_SECONDS * self.budget.time_scale)
        left = self.budget.remaining()
        if left <= 0:
            if state is not None:
                raise Skipped(self.budget.spent_reason())
            raise TimeoutError(self.budget.spent_reason())
        timeout = min(timeout, left)
        try:
            text = self.send(agent_call(message), timeout)
            reply = wire.decode(text, resolve=lambda node, sub: self._incoming(node, target))
        except CallTimedOut:
            self.budget.slow.update(target._origins)
            raise TimeoutError(_lost_reason(KernelLost("time"), timeout)) from None
        except NoAnswer:
            raise AssertionError("the submission's kernel did not answer the grader's call (does the notebook "
                                 "change how IPython runs or displays code?)") from None
        except wire.WireError as exc:
            raise AssertionError(f"the submission's kernel sent something that is not an answer ({exc})") from None
        except KernelLost as exc:
            if "time" in str(exc):
                self.budget.slow.update(target._origins)
                if "(time limit)" in str(exc):
                    self.budget.stubborn.update(target._origins)
            if state is not None:
                self.lost[state.index] = _lost_reason(exc, timeout)
            else:
                self.cell_failure = _lost_reason(exc, timeout)
            raise Restart from None
        if not isinstance(reply, dict) or not ({"ok", "raised"} & set(reply)):
            raise AssertionError("the submission's kernel sent a reply that is not an answer")
        if "raised" in reply:
            raised = reply["raised"]
            raise raised if isinstance(raised, Exception) else RuntimeError(str(raised))
        return reply["ok"]

    def _incoming(self, node: dict, target: Remote):
        kind = node["$"]
        if kind == "handle":
            label = f"{node.get('type', 'object')!s:.60} object"
            return Remote(self, {"$": "handle", "id": int(node["id"])}, target._origins, label)
        if kind == "exception":
            return _builtin_exception(node)
        raise wire.WireError(f"the grader does not accept a {kind!r} from the submission")

    # --- checks -----------------------------------------------------------------------------------------
    def register(self, checks) -> None:
        self.checks.append(checks)

    @contextlib.contextmanager
    def case(self, checks, index: int):
        """The state of one check while its body runs; a lost kernel inside it becomes :class:`Restart`."""
        seconds = float(checks.seconds) * self.budget.time_scale
        self.case_state = _CaseState(index, time.monotonic() + seconds, tuple(checks.forbidden),
                                     int(checks.memory), set())
        try:
            yield self.case_state
        finally:
            self.case_state = None

    def delegation(self, state: _CaseState) -> str | None:
        """Why the check fails the source check (a forbidden routine in a function it used), or None."""
        if not state.forbidden:
            return None
        forbidden = set(state.forbidden)
        for origin in sorted(state.origins):
            found = flags_for(self.flags, origin)
            if "<dynamic>" in found:
                return (f"{origin} builds or runs code at run time (exec, eval, compile, __import__, importlib or "
                        "getattr with a computed name), which the grader cannot check for library calls")
            hit = sorted(found & forbidden)
            if hit:
                return (f"{origin} refers to {hit[0]}, which this exercise asks you to implement yourself "
                        "(found in your code by the grader)")
        return None


def _importable(obj) -> dict | None:
    """An import node for a function of NumPy, SciPy, math or convlearn (``np.ones_like``), else None."""
    module_name = getattr(obj, "__module__", None)
    name = getattr(obj, "__name__", None)
    if isinstance(obj, np.ufunc):
        module_name = "numpy"
    if not module_name or not name or module_name.split(".")[0] not in _IMPORTABLE:
        return None
    for candidate in (module_name, module_name.split(".")[0]):
        # read as the agent reads an import node: import the module, take its attribute
        if resolve(f"{candidate}.{name}", may_import=_IMPORTABLE) is obj:
            return {"$": "import", "module": candidate, "name": name}
    return None


def _lost_reason(exc: Exception, timeout: float) -> str:
    text = str(exc)
    if "time" in text:
        return f"did not finish within {timeout:.3g} s (an infinite loop, or far too slow)"
    return f"the kernel stopped while running this check ({text})"


@dataclasses.dataclass
class CellOutcome:
    """The result of one test cell: points earned of ``points``, and the report the student reads."""

    score: float
    points: float
    report: str
    runs: int = 1


def run_test_cell(code: str, points: float, *, trusted_ns: Callable[[], dict], student_names: set,
                  send: Callable[[str, float], str], restart: Callable[[], None], flags: dict,
                  filename: str = "<test cell>", budget: Budget | None = None) -> CellOutcome:
    """Run a test cell's code in this process against the submission; return the points and the report.

    Parameters
    ----------
    code : str
        The test cell as the instructor wrote it (visible and hidden checks).
    points : float
        The cell's points in the gradebook (the score is ``points`` times the passed fraction of the weights).
    trusted_ns : callable
        Returns a fresh namespace with the instructor's set-up cells already run (in this process).
    student_names : set of str
        The names the test code takes from the student (the assignment's declared ``student_names``): bound to
        :class:`Remote`.
    send, restart : callable
        The kernel connection (see :class:`CellRun`) and a function that starts a new kernel with the student's
        cells run again.
    flags : dict
        The source check's findings (see :class:`CellRun`).
    budget : Budget, optional
        The submission's time budget and the functions that already ran out of time (shared by its test cells).
    """
    compiled = compile(code, filename, "exec")
    lost: dict[int, str] = {}
    budget = budget if budget is not None else Budget()
    # Each run after the first follows a restart, and a restart always marks one more check as lost (a check
    # already marked is skipped, never run again; a kernel lost outside every check ends the cell): so the cell
    # runs at most once more than it has checks, and the loop ends without a cap.
    for run in itertools.count(1):
        ctx = CellRun(send, flags, lost, budget)
        ns = trusted_ns()
        for name in student_names:
            ns[name] = ctx.remote_global(name)
        ACTIVE_HARNESS.append(ctx)
        failure = None
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                exec(compiled, ns)  # noqa: S102 - the instructor's own test code, in the grader's process
        except Restart:
            failure = "restart"
        except Exception as exc:  # noqa: BLE001 - the test code stopped outside a check
            failure = f"the test cell stopped outside a check: {type(exc).__name__}: {exc}"
        finally:
            ACTIVE_HARNESS.remove(ctx)
        if failure == "restart":
            restart()
            if ctx.cell_failure is not None:
                return CellOutcome(0.0, points, f"[FAIL] the test cell could not run: {ctx.cell_failure}\n"
                                                f"0 of {points:g} points", run)
            if len(ctx.lost) <= len(lost):  # would run the same cell again for ever
                raise RuntimeError("a test cell lost the kernel without marking a check as lost")
            lost = ctx.lost
            continue
        if failure is not None or not ctx.checks:
            reason = failure or "the test cell made no checks"
            return CellOutcome(0.0, points, f"[FAIL] {reason}\n0 of {points:g} points", run)
        checks = ctx.checks[-1]
        fraction = checks.fraction()
        checks.points = float(points)
        report = checks.report()
        # what the test code printed itself (e.g. "test accuracy: 0.953"), not the reports of Checks.score()
        extra = printed.getvalue().replace(report, "").strip()
        return CellOutcome(round(points * fraction, 4), points, (extra + "\n" if extra else "") + report, run)
    raise AssertionError("unreachable")  # pragma: no cover - itertools.count does not end
