"""The pieces of sandboxed grading, without nbgrader: the wire format, the source check, the harness.

The harness is driven against an in-process stand-in for the kernel (the agent's :func:`answer` on a namespace
of "student" functions), so these tests are fast; ``test_grading_attacks.py`` runs the real thing.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile

import numpy as np
import pytest

from convlearn import grading
from convlearn.grading import agent, wire
from convlearn.grading.grader import harness, scan
from convlearn.grading.limits import CASE_SECONDS

# --- wire ---------------------------------------------------------------------------------------------------


def _roundtrip(obj):
    return wire.decode(wire.encode(wire.plain_tree, obj))


def test_wire_round_trips_plain_data():
    rng = np.random.default_rng(5)
    value = {"x": rng.standard_normal((2, 3)).astype(np.float32), "n": 3, "t": (1.5, None, True, "s"),
             "l": [np.int64(7), complex(1, 2), slice(1, None, 2), Ellipsis], 4: np.arange(3) > 1}
    back = _roundtrip(value)
    assert back["x"].dtype == np.float32 and np.array_equal(back["x"], value["x"])
    assert back["n"] == 3 and back["t"] == (1.5, None, True, "s")
    assert back["l"][0] == 7 and isinstance(back["l"][0], np.int64)
    assert back["l"][1:] == [complex(1, 2), slice(1, None, 2), Ellipsis]
    assert np.array_equal(back[4], [False, False, True])
    assert np.isnan(_roundtrip(float("nan")))


def test_wire_sends_generators_by_state():
    rng = np.random.default_rng(3)
    rng.standard_normal(4)
    copy = _roundtrip(rng)
    assert np.array_equal(copy.standard_normal(5), rng.standard_normal(5))


def test_wire_refuses_objects_and_pickles():
    with pytest.raises(wire.WireError, match="cannot send"):
        wire.encode(wire.plain_tree, object())
    with pytest.raises(wire.WireError):
        wire.encode(wire.plain_tree, np.array([object()], dtype=object))
    # an archive holding a pickled object array is refused on reading (allow_pickle=False)
    buf = io.BytesIO()
    np.savez(buf, tree=np.frombuffer(b'{"$": "array", "i": 0}', dtype=np.uint8), a0=np.array([{}], dtype=object))
    with pytest.raises(wire.WireError):
        wire.decode(base64.b64encode(buf.getvalue()).decode())
    for junk in ("not base64!", base64.b64encode(b"not a zip").decode(), 5):
        with pytest.raises(wire.WireError):
            wire.decode(junk)


def test_wire_bounds_depth_and_handles():
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(wire.WireError, match="deeply"):
        wire.encode(wire.plain_tree, deep)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w"):
        pass
    message = wire.encode(lambda obj, arrays: {"$": "handle", "id": 1}, None)
    with pytest.raises(wire.WireError, match="cannot be received"):
        wire.decode(message)


# --- the source check ---------------------------------------------------------------------------------------

FORBIDDEN = grading.CONV_1D


@pytest.mark.parametrize(("code", "name"), [
    ("import numpy as np\ndef f(x, k):\n    return np.convolve(x, k)", "f"),
    ("import numpy as np\ndef f(x, k, c=np.convolve):\n    return c(x, k)", "f"),
    ("from numpy import convolve as cv\ndef f(x, k):\n    return cv(x, k)", "f"),
    ("from numpy import *\ndef f(x, k):\n    return convolve(x, k)", "f"),
    ("import numpy as np\ncv = np.convolve\ndef f(x, k):\n    return cv(x, k)", "f"),
    ("import numpy as np\ndef f(x, k):\n    return getattr(np, 'convolve')(x, k)", "f"),
    ("import scipy.signal as ss\ndef f(x, k):\n    return ss.fftconvolve(x, k)", "f"),
    ("from scipy import signal\ndef f(x, k):\n    return signal.convolve(x, k)", "f"),
    ("import numpy\ndef f(x, k):\n    return numpy._core.numeric.convolve(x, k)", "f"),
    ("import numpy as np\ndef helper(x, k):\n    return np.convolve(x, k)\ndef f(x, k):\n    return helper(x, k)", "f"),
    ("import numpy as np\nclass C:\n    def forward(self, x):\n        return np.correlate(x, x)", "C"),
    ("def f(x, k):\n    import numpy\n    return numpy.convolve(x, k)", "f"),
])
def test_scan_finds_library_routines(code, name):
    found = scan.scan([code], ["import numpy as np"], FORBIDDEN)
    assert found.get(name, set()) & set(FORBIDDEN), found


@pytest.mark.parametrize("code", [
    "def f(x, k):\n    return eval('x')",
    "def f(x, k):\n    m = __import__('numpy')\n    return m.convolve(x, k)",
    "import numpy as np\ndef f(x, k):\n    return getattr(np, 'con' + 'volve')(x, k)",
    "import importlib\ndef f(x, k):\n    return importlib.import_module('numpy')",
])
def test_scan_marks_dynamic_code(code):
    assert scan.DYNAMIC in scan.scan([code], [], FORBIDDEN).get("f", set())


@pytest.mark.parametrize("code", [
    "import sys\nsys.modules['convlearn.grading'] = None\ndef f(x, k):\n    return x",
    "import numpy as np\nnp.abs = lambda x: x\ndef f(x, k):\n    return x",
    "get_ipython().input_transformers_post.append(lambda lines: lines)\ndef f(x, k):\n    return x",
])
def test_scan_marks_every_name_when_the_interpreter_is_rewired(code):
    assert scan.DYNAMIC in scan.flags_for(scan.scan([code], [], FORBIDDEN), "f")


def test_scan_leaves_honest_code_and_top_level_tests_alone():
    code = ("import numpy as np\n%matplotlib inline\n"
            "def f(x, k):\n    y = np.zeros(len(x) + len(k) - 1)\n    for i in range(len(x)):\n"
            "        y[i:i + len(k)] += x[i] * np.asarray(k)\n    return y\n"
            "print(np.allclose(f([1, 2], [1, 1]), np.convolve([1, 2], [1, 1])))\n")
    found = scan.scan([code], ["import numpy as np"], FORBIDDEN)
    assert "f" not in found and "*" not in found


# --- the harness, against an in-process kernel --------------------------------------------------------------


class FakeKernel:
    """The agent answering in this process, on a namespace of student definitions."""

    def __init__(self, monkeypatch, namespace: dict, hang: set = frozenset()):
        self.namespace = namespace
        self.hang = hang
        self.restarts = 0
        self.hung = 0
        monkeypatch.setattr(agent, "_namespace", lambda: self.namespace)
        monkeypatch.setattr(agent, "_BLOCK", [])

    def send(self, code: str, timeout: float) -> str:
        message = re.search(r'serve\("([^"]*)"\)', code).group(1)
        request = wire.decode(message, resolve=lambda node, sub: node)
        target = request.get("target") or {}
        if target.get("name") in self.hang:
            self.hung += 1
            raise harness.KernelLost(f"no answer within {timeout:.3g} s (time limit)")
        try:
            return agent.answer(message)
        finally:  # the kernel keeps its block between calls; here it shares this process, so lift it
            while agent._BLOCK:
                agent._BLOCK.pop()[1].close()

    def restart(self) -> None:
        self.restarts += 1


TEST_CELL = '''
from convlearn.grading import CONV_1D, Checks, expect_close

checks = Checks(points=4, forbidden=CONV_1D)
with checks.case("small example"):
    expect_close(convolve_full([1, 2, 3], [0, 1, 0.5]), [0, 1, 2.5, 4, 1.5], "convolve_full")
with checks.case("a mode other than full raises ValueError", weight=1):
    try:
        convolve_full([1], [1], "middle")
    except ValueError:
        pass
    else:
        raise AssertionError("no ValueError")
rng = np.random.default_rng(1)
data = [(rng.standard_normal(n), rng.standard_normal(m)) for n, m in [(7, 3), (4, 6)]]
expected = [np.convolve(x, k) for x, k in data]
with checks.case("random pairs", weight=2):
    for (x, k), e in zip(data, expected):
        expect_close(convolve_full(x, k), e, "convolve_full")
print("extra line from the test code")
checks.score()
'''


def _run(kernel, flags=None, code=TEST_CELL, points=4.0, names=("convolve_full",)):
    return harness.run_test_cell(code, points, trusted_ns=lambda: {"np": np}, student_names=set(names),
                                 send=kernel.send, restart=kernel.restart, flags=flags or {})


def _correct(x, k, mode="full"):
    if mode != "full":
        raise ValueError(mode)
    x, k = np.asarray(x, float), np.asarray(k, float)
    y = np.zeros(len(x) + len(k) - 1)
    for i in range(len(x)):
        y[i:i + len(k)] += x[i] * k
    return y


def test_harness_scores_a_correct_function_in_full(monkeypatch):
    outcome = _run(FakeKernel(monkeypatch, {"convolve_full": _correct}))
    assert outcome.score == 4.0 and outcome.runs == 1
    assert "[PASS] random pairs" in outcome.report and "extra line from the test code" in outcome.report


def test_harness_partial_credit_and_reasons(monkeypatch):
    def no_flip(x, k, mode="full"):
        return _correct(x, np.asarray(k)[::-1], mode)

    outcome = _run(FakeKernel(monkeypatch, {"convolve_full": no_flip}))
    assert outcome.score == pytest.approx(1.0)  # only the ValueError case (weight 1 of 4)
    assert "entries are wrong" in outcome.report


def test_harness_blank_and_missing_functions_score_zero(monkeypatch):
    def blank(x, k, mode="full"):
        raise NotImplementedError

    assert _run(FakeKernel(monkeypatch, {"convolve_full": blank})).score == 0
    outcome = _run(FakeKernel(monkeypatch, {}))
    assert outcome.score == 0 and "did you run the cell" in outcome.report


def test_harness_library_delegation_fails_by_source_and_at_run_time(monkeypatch):
    def delegates(x, k, mode="full"):
        return np.convolve(x, k, mode)

    # the kernel-side block: np.convolve raises ForbiddenCallError inside the call
    outcome = _run(FakeKernel(monkeypatch, {"convolve_full": delegates, "np": np}))
    assert outcome.score == 0 and "your code called numpy.convolve" in outcome.report
    # the source check: even a routine the block missed fails every check that used the function
    outcome = _run(FakeKernel(monkeypatch, {"convolve_full": _correct}),
                   flags={"convolve_full": {"numpy.convolve"}})
    assert outcome.score == 0 and "found in your code by the grader" in outcome.report


def test_harness_restarts_after_a_hang_and_fails_only_the_hanging_checks(monkeypatch):
    # the hang ignores the interrupt: the kernel is replaced once, and the function is not called again
    kernel = FakeKernel(monkeypatch, {"convolve_full": _correct}, hang={"convolve_full"})
    outcome = _run(kernel)
    assert outcome.score == 0 and kernel.hung == 1 and kernel.restarts == 1 and outcome.runs == 2
    assert outcome.report.count("did not finish within") == 1
    assert outcome.report.count("not run: convolve_full ignored the interrupt in an earlier check") == 2
    # only the function that ignored the interrupt is skipped: convolve_full's checks still run and pass
    kernel = FakeKernel(monkeypatch, {"convolve_full": _correct, "helper": _correct}, hang={"helper"})
    code = TEST_CELL.replace('convolve_full([1], [1], "middle")', 'helper([1], [1], "middle")')
    outcome = _run(kernel, code=code, names=("convolve_full", "helper"))
    assert outcome.score == 3.0 and kernel.hung == 1 and kernel.restarts == 1


def test_harness_objects_stay_in_the_kernel(monkeypatch):
    class Layer:
        def __init__(self, scale):
            self.scale = scale
            self.w = np.ones(3)

        def forward(self, x):
            return self.scale * self.w * x

    code = '''
from convlearn.grading import Checks, expect_close
checks = Checks(points=2)
layer = Layer(2.0)
layer.w = np.arange(3.0)
with checks.case("forward"):
    expect_close(layer.forward(np.ones(3)), [0, 2, 4], "Layer.forward")
with checks.case("attributes and arrays"):
    assert np.shape(layer.w) == (3,) and layer.scale == 2.0
    assert "Layer" in repr(layer)
checks.score()
'''
    outcome = _run(FakeKernel(monkeypatch, {"Layer": Layer}), code=code, points=2.0, names=["Layer"])
    assert outcome.score == 2.0, outcome.report


def test_harness_sends_input_functions_as_code(monkeypatch):
    def integrate(f, a, b):
        t = np.linspace(a, b, 1001)
        return float(np.trapezoid(f(t), t))

    code = '''
from convlearn.grading import Checks, expect_close
def cube(t):
    return np.asarray(t) ** 3 * scale
scale = 4.0
checks = Checks(points=1)
with checks.case("integral of 4 t^3 over (0, 1) is 1"):
    expect_close(integrate(cube, 0.0, 1.0), 1.0, "integrate", rtol=1e-5)
checks.score()
'''
    outcome = _run(FakeKernel(monkeypatch, {"integrate": integrate}), code=code, points=1.0, names=["integrate"])
    assert outcome.score == 1.0, outcome.report


def test_harness_outside_a_check_a_lost_kernel_scores_zero(monkeypatch):
    code = "from convlearn.grading import Checks\nvalue = convolve_full([1], [1])\nchecks = Checks(points=4)\n"
    kernel = FakeKernel(monkeypatch, {"convolve_full": _correct}, hang={"convolve_full"})
    outcome = _run(kernel, code=code)
    assert outcome.score == 0 and "could not run" in outcome.report


def test_checks_in_the_students_kernel_report_failures_on_stderr(capsys):
    checks = grading.Checks(points=1)
    with checks.case("fails"):
        raise AssertionError("wrong")
    checks.score()
    captured = capsys.readouterr()
    assert "[FAIL] fails" in captured.err and captured.out == ""
    checks = grading.Checks(points=1)
    with checks.case("passes"):
        pass
    checks.score()
    assert "[PASS] passes" in capsys.readouterr().out


def test_grading_refuses_without_a_sandbox(monkeypatch):
    from convlearn.grading import GradingError
    from convlearn.grading.grader import nbgrader_plugin, sandbox

    monkeypatch.setattr(sandbox, "available", lambda: (False, "bubblewrap is not installed (test)"))
    step = nbgrader_plugin.SandboxedGrade()
    with pytest.raises(GradingError, match="refusing to grade.*bubblewrap is not installed.*allow_unsandboxed"):
        step.preprocess(nbformat_notebook(), {"nbgrader": {}})


def nbformat_notebook():
    import nbformat

    return nbformat.v4.new_notebook()


# --- the second round: IPython syntax, compound statements, containers, introspection ------------------------


@pytest.mark.parametrize(("code", "name"), [
    ("%%capture\nimport numpy as np\ndef f(x, k, c=np.convolve):\n    return c(x, k)", "f"),
    ("%%time\nimport numpy as np\ndef f(x, k):\n    return np.convolve(x, k)", "f"),
    ("try:\n    import scipy.signal as ss\nexcept ImportError:\n    ss = None\nif ss:\n    def f(x, k):\n"
     "        return ss.convolve(x, k)", "f"),
    ("import numpy as np\nwith open('/dev/null'):\n    def f(x, k):\n        return np.convolve(x, k)", "f"),
    ("import numpy as np\nTOOLS = {}\nTOOLS.update(c=np.convolve)\ndef f(x, k):\n    return TOOLS['c'](x, k)", "f"),
    ("import numpy as np\nREG = {}\ndef put(g):\n    REG['c'] = g\nput(np.convolve)\ndef f(x, k):\n"
     "    return REG['c'](x, k)", "f"),
    ("import numpy as np\ndef f(x, k):\n    return np.convolve.__wrapped__(x, k)", "f"),
])
def test_scan_reads_magics_compound_statements_and_containers(code, name):
    found = scan.scan([code], ["import numpy as np"], FORBIDDEN)
    assert found.get(name, set()) & (set(FORBIDDEN) | {scan.DYNAMIC}), found


@pytest.mark.parametrize("code", [
    "import numpy as np\ndef f(x, k):\n    return np.__dict__['convolve'](x, k)",
    "def f(x, k):\n    return f.__globals__['np'].convolve(x, k)",
    "import subprocess\ndef f(x, k):\n    return subprocess.check_output(['python', '-c', '1'])",
    "import os\ndef f(x, k):\n    return os.system('true')",
    "import types\ndef f(x, k):\n    return types.FunctionType(f.__code__, {})",
    "import pickle\ndef f(x, k):\n    return pickle.loads(b'')",
    "import helper_written_by_the_submission\ndef f(x, k):\n    return helper_written_by_the_submission.g(x, k)",
    "from . import sibling\ndef f(x, k):\n    return sibling.g(x, k)",
])
def test_scan_marks_introspection_and_code_it_cannot_read_as_dynamic(code):
    assert scan.DYNAMIC in scan.scan([code], [], FORBIDDEN).get("f", set())


def test_scan_marks_sys_path_changes_as_rewiring():
    found = scan.scan(["import sys\nsys.path.insert(0, '/tmp/work')\ndef f(x, k):\n    return x"], [], FORBIDDEN)
    assert scan.DYNAMIC in scan.flags_for(found, "f")


@pytest.mark.parametrize(("cell", "refused"), [
    ("%%writefile helper.py\nimport numpy\n", "%%writefile"),
    ("!pip install something\n", "shell command"),
    ("files = !ls\n", "shell command"),
    ("%run helper.py\n", "%run"),
    ("%load helper.py\n", "%load"),
    ("%%bash\necho hi\n", "%%bash"),
    ("%config InteractiveShell.ast_transformers = []\n", "%config"),
    ("if True:\n    %run helper.py\n", "%run"),
    ("get_ipython().run_cell_magic('writefile', 'helper.py', 'x = 1')\n", "%%writefile"),
    ("%%capture\n%run helper.py\n", "%run"),
])
def test_cells_with_magics_the_grader_cannot_read_are_refused(cell, refused):
    why = scan.refusal(cell)
    assert why is not None and refused in why


@pytest.mark.parametrize("cell", [
    "import numpy as np\n%matplotlib inline\nx = 1\n",
    "%time y = sum(range(10))\n",
    "%%timeit\nsum(range(10))\n",
    "%%capture\nprint('quiet')\n",
    "np.convolve?\n",
    "def f(x):\n    return x\n",
])
def test_ordinary_cells_and_code_magics_run(cell):
    assert scan.refusal(cell) is None


def test_forbid_blocks_a_routine_wherever_it_is_kept():
    import scipy.signal

    import convlearn.nn as nn

    def make(routine=np.convolve):
        return lambda x, k: routine(x, k)

    class Holder:
        pass

    holder = Holder()
    holder.tools = {"fft": [np.fft.fft2]}
    kept = [make(), lambda: {"c": scipy.signal.fftconvolve}["c"]([1.0], [1.0]), holder,
            (lambda layer=nn.Conv2d: layer(1, 1, 3))]
    with grading.forbid(grading.CNN_LAYERS):
        with pytest.raises(grading.ForbiddenCallError, match="numpy.convolve"):
            kept[0]([1, 2], [1])
        with pytest.raises(grading.ForbiddenCallError, match="scipy.signal.fftconvolve"):
            kept[1]()
        with pytest.raises(grading.ForbiddenCallError, match="numpy.fft.fft2"):
            kept[2].tools["fft"][0](np.ones((2, 2)))
        with pytest.raises(grading.ForbiddenCallError, match="convlearn.nn.Conv2d"):
            kept[3]()
    # and everything works again afterwards
    assert np.array_equal(kept[0]([1, 2], [1, 1]), [1, 3, 2])
    assert kept[3]().weight.shape == (1, 1, 3, 3)


class InterruptibleKernel(FakeKernel):
    """A kernel whose hanging functions stop when interrupted (the kernel is kept, not restarted)."""

    def __init__(self, monkeypatch, namespace, hang):
        super().__init__(monkeypatch, namespace, hang)
        self.timeouts: list[float] = []

    def send(self, code: str, timeout: float) -> str:
        message = re.search(r'serve\("([^"]*)"\)', code).group(1)
        target = wire.decode(message, resolve=lambda node, sub: node).get("target") or {}
        if target.get("name") in self.hang:
            self.timeouts.append(timeout)
            raise harness.CallTimedOut(f"no answer within {timeout:.3g} s (time limit)")
        return super().send(code, timeout)


def test_a_function_that_timed_out_gets_a_short_limit_and_no_restart(monkeypatch):
    kernel = InterruptibleKernel(monkeypatch, {"convolve_full": _correct}, hang={"convolve_full"})
    budget = harness.Budget()
    outcome = harness.run_test_cell(TEST_CELL, 4.0, trusted_ns=lambda: {"np": np}, student_names={"convolve_full"},
                                    send=kernel.send, restart=kernel.restart, flags={}, budget=budget)
    assert outcome.score == 0 and kernel.restarts == 0 and outcome.runs == 1
    assert kernel.timeouts[0] > harness.AFTER_TIMEOUT_SECONDS  # the first call had the check's own limit
    assert all(t <= harness.AFTER_TIMEOUT_SECONDS for t in kernel.timeouts[1:])
    assert "convolve_full" in budget.slow and outcome.report.count("did not finish within") == 3
    # SandboxedGrade.time_scale multiplies every check's limit (here the checks' default, 10 s)
    kernel = InterruptibleKernel(monkeypatch, {"convolve_full": _correct}, hang={"convolve_full"})
    outcome = harness.run_test_cell(TEST_CELL, 4.0, trusted_ns=lambda: {"np": np}, student_names={"convolve_full"},
                                    send=kernel.send, restart=kernel.restart, flags={},
                                    budget=harness.Budget(time_scale=0.25))
    assert 2.0 < kernel.timeouts[0] <= 0.25 * CASE_SECONDS and "did not finish within 2.5 s" in outcome.report
    assert all(t <= 0.25 * harness.AFTER_TIMEOUT_SECONDS for t in kernel.timeouts[1:])  # the short limit too


def test_the_time_scale_must_be_positive():
    from traitlets import TraitError

    from convlearn.grading.grader.nbgrader_plugin import SandboxedGrade

    assert SandboxedGrade(time_scale=0.5).time_scale == 0.5
    for bad in (0.0, -1.0):
        with pytest.raises(TraitError, match="time_scale must be positive"):
            SandboxedGrade(time_scale=bad)


def test_a_submission_past_its_time_budget_keeps_what_it_earned(monkeypatch):
    budget = harness.Budget(seconds=1000.0)
    kernel = FakeKernel(monkeypatch, {"convolve_full": _correct})
    first = harness.run_test_cell(TEST_CELL, 4.0, trusted_ns=lambda: {"np": np}, student_names={"convolve_full"},
                                  send=kernel.send, restart=kernel.restart, flags={}, budget=budget)
    budget.seconds = 0.0  # the budget runs out between two test cells
    second = harness.run_test_cell(TEST_CELL, 4.0, trusted_ns=lambda: {"np": np}, student_names={"convolve_full"},
                                   send=kernel.send, restart=kernel.restart, flags={}, budget=budget)
    assert first.score == 4.0 and second.score == 0
    assert "used up its grading time" in second.report
