"""Fast checks of the course: generated notebooks in sync, consistent grading metadata, variants well formed,
and the grading helpers in convlearn.grading (blocking, time and memory limits, messages, partial credit).

The end-to-end nbgrader run is in test_exercises_nbgrader.py (marked ``nbgrader``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from convlearn import grading

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"
sys.path.insert(0, str(EXERCISES / "testing"))
import course  # noqa: E402

ASSIGNMENTS = course.assignments()


def test_the_assignments_are_the_authoring_files():
    # one place to add an assignment: exercises/authoring/<name>.md (build.py writes the notebook and the tables)
    assert ASSIGNMENTS == sorted(p.stem for p in (EXERCISES / "authoring").glob("*.md"))
    assert len(ASSIGNMENTS) >= 6
    readme = (EXERCISES / "README.md").read_text(encoding="utf-8")
    for name in ASSIGNMENTS:
        assert f"| `{name}` |" in readme


def test_source_notebooks_are_generated_from_authoring():
    proc = subprocess.run([sys.executable, str(EXERCISES / "build.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_grading_metadata_is_consistent(assignment):
    nb = nbformat.read(EXERCISES / "source" / assignment / f"{assignment}.ipynb", 4)
    tests = [c for c in nb.cells if course.is_test(c)]
    solutions = [c for c in nb.cells if course.is_solution(c)]
    assert tests and solutions
    total = 0.0
    for cell in tests:
        gid = cell.metadata.nbgrader["grade_id"]
        total += cell.metadata.nbgrader["points"]  # written by build.py from the cell's Checks(points=...)
        assert cell.source.rstrip().endswith("checks.score()"), f"{gid}: the score must be the last expression"
        assert "### BEGIN HIDDEN TESTS" in cell.source and "### END HIDDEN TESTS" in cell.source, gid
        assert "forbidden=" in cell.source, f"{gid}: library routines must be blocked while grading"
    for cell in solutions:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
    assert 8 <= total <= 15
    assert nb.metadata.convlearn.student_names  # declared in the authoring front matter, checked by build.py


# --- build-time checks of the authoring files (exercises/build.py) ----------------------------------------

_FAKE = """---
course:
  topic: a fake assignment
  student_writes: one function
  chapters: [part1/01-integral]
  student_names: [double]
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

```{code-cell} ipython3
:nbgrader: readonly
:grade_id: setup

import numpy as np
```

```{code-cell} ipython3
:nbgrader: solution
:grade_id: double_it

def double(x):
    ### BEGIN SOLUTION
    return 2 * np.asarray(x)
    ### END SOLUTION
```

```{code-cell} ipython3
:nbgrader: tests
:grade_id: test_double

from convlearn.grading import Checks
checks = Checks(points=2, forbidden=["numpy.multiply"])
with checks.case("doubles"):
    try:
        assert double(2) == 4
    except ValueError as exc:
        raise AssertionError(str(exc)) from None
### BEGIN HIDDEN TESTS
### END HIDDEN TESTS
checks.score()
```
"""


def _build_fake(tmp_path, text):
    import importlib.util

    spec = importlib.util.spec_from_file_location("convlearn_exercises_build", EXERCISES / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    md = tmp_path / "a0_fake.md"
    md.write_text(text, encoding="utf-8")
    return build.build_notebook(md)


def test_build_takes_points_and_student_names_from_one_place(tmp_path):
    nb = _build_fake(tmp_path, _FAKE)
    points = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader.get("points") for c in nb.cells}
    assert points == {"setup": None, "double_it": None, "test_double": 2.0}
    assert nb.metadata.convlearn.student_names == ["double"]
    # "exc" is bound by the test cell's own "except ... as exc": not a name taken from the student


@pytest.mark.parametrize(("old", "new", "error"), [
    ("Checks(points=2, ", "Checks(", r"test_double.*Checks\(points=\.\.\.\).*got nothing"),
    ("Checks(points=2, ", "Checks(points=1 + 1, ", r"test_double.*positive number written as a literal, got 1 \+ 1"),
    ("Checks(points=2, ", "Checks(points=0, ", r"test_double.*positive number"),
    ("Checks(points=2, ", "Checks(points=True, ", r"test_double.*positive number"),
    ("checks = Checks(points=2, forbidden=[\"numpy.multiply\"])\n", "", r"test_double.*needs Checks\(points=N"),
    (":grade_id: test_double\n", ":grade_id: test_double\n:points: 2\n", r"cell 2.*drop the ':points:' option"),
    ("student_names: [double]", "student_names: [double, triple]", r"'triple' is not defined at the top level"),
    ("student_names: [double]", "student_names: [double, np]", r"'np' is also defined by a set-up"),
    ("  student_names: [double]\n", "", r"needs student_names"),
    ("assert double(2) == 4", "assert dubble(2) == 4", r"cell test_double: reads dubble, which is not a declared"),
    ("return 2 * np.asarray(x)", "return 2 * np.asarray(x)\n    y = 1", None),  # a local name of the solution
    ("assert double(2) == 4", "assert double(2) == 4 and y == 1", r"cell test_double: reads y\b"),
])
def test_build_refuses_an_authoring_slip(tmp_path, old, new, error):
    assert old in _FAKE
    text = _FAKE.replace(old, new)
    if error is None:
        _build_fake(tmp_path, text)
        return
    with pytest.raises(ValueError, match=error):
        _build_fake(tmp_path, text)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_variants_are_well_formed(assignment):
    nb = nbformat.read(EXERCISES / "source" / assignment / f"{assignment}.ipynb", 4)
    reference = course.reference_solutions(nb)
    test_ids = {c.metadata.nbgrader["grade_id"] for c in nb.cells if course.is_test(c)}
    variants = course.variants(assignment)
    kinds = {v.kind for v in variants}
    assert {"buggy", "cheat", "hang"} <= kinds
    assert sum(v.kind == "buggy" for v in variants) >= 4
    for v in variants:
        assert set(v.loses) <= test_ids, v.name
        for gid, code in v.code(reference).items():  # patches apply to today's reference solution
            assert code != reference[gid], f"{v.name}: section {gid} is the reference solution"
            compile(code, v.name, "exec")


_REFERENCE = "def f(x):\n    y = x + 1\n    return y\n\n\ndef g(x):\n    return x\n"


def _variant(tmp_path, body):
    path = tmp_path / "buggy_example.py"
    path.write_text(f'"""A mistake.\n\nloses: test_f\n"""\n# %% f_cell\n{body}', encoding="utf-8")
    return course.Variant.from_file(path)


def test_a_variant_section_can_be_a_patch_of_the_reference(tmp_path):
    body = ("# replace:     y = x + 1\n# with:     y = x - 1\n\n"
            "# replace: def g(x):\n# replace:     return x\n# with: def g(x):\n# with:     return -x\n")
    code = _variant(tmp_path, body).code({"f_cell": _REFERENCE})["f_cell"]
    assert code == _REFERENCE.replace("x + 1", "x - 1").replace("return x\n", "return -x\n")
    block = _variant(tmp_path, "# replace:     y = x + 1\n# replace:     return y\n# with:     return x\n")
    assert block.code({"f_cell": _REFERENCE})["f_cell"] == _REFERENCE.replace("y = x + 1\n    return y", "return x")
    deleted = _variant(tmp_path, "# replace:     y = x + 1\n")  # no "# with:" line: the line goes
    assert deleted.code({"f_cell": _REFERENCE})["f_cell"] == _REFERENCE.replace("    y = x + 1\n", "")


@pytest.mark.parametrize(("body", "error"), [
    ("# replace:     y = x + 2\n# with:     y = x - 1\n", r"'# replace: y = x \+ 2' is not in the reference"),
    ("# replace:     return x\n# with:     return 0\n",
     r"'# replace: return x' is 2 times in the reference solution \(add a neighbouring line"),
    ("# replace:     y = x + 1\nz = 1\n", r"only '# replace: <line>' and '# with: <line>' lines"),
])
def test_a_patch_fails_loudly(tmp_path, body, error):
    reference = _REFERENCE + "\n\ndef h(x):\n    return x\n"  # "    return x" is now in g and in h
    with pytest.raises(ValueError, match=error):
        _variant(tmp_path, body).code({"f_cell": reference})


# --- convlearn.grading -----------------------------------------------------------------------------------


def test_forbid_blocks_module_attribute_and_aliases_then_restores():
    original = np.convolve
    namespace = {"cv": np.convolve}
    with grading.forbid(["numpy.convolve"], [namespace]):
        with pytest.raises(grading.ForbiddenCallError, match="numpy.convolve"):
            np.convolve([1, 2], [1, 1])
        with pytest.raises(grading.ForbiddenCallError):
            namespace["cv"]([1, 2], [1, 1])
    assert np.convolve is original and namespace["cv"] is original
    np.testing.assert_array_equal(np.convolve([1, 2], [1, 1]), [1, 3, 2])


def test_forbid_ignores_names_that_do_not_exist():
    with grading.forbid(["convlearn.no_such_module.f", "numpy.no_such_function"]):
        pass


def test_time_limit_stops_an_infinite_loop():
    with pytest.raises(TimeoutError, match="did not finish"), grading.time_limit(0.2):
        while True:
            pass


def test_memory_limit_turns_a_runaway_allocation_into_memory_error():
    pytest.importorskip("resource")
    with pytest.raises(MemoryError), grading.memory_limit(256 << 20):
        np.ones((1 << 30,))  # 8 GiB
    np.ones((1 << 20,))  # the limit is lifted afterwards


def test_expect_close_describes_without_dumping_expected():
    expected = np.array([[0.123456, 7.654321], [1.5, 2.5]])
    with pytest.raises(AssertionError) as info:
        grading.expect_close(expected + [[0, 0], [0, 1]], expected, "conv(x)")
    message = str(info.value)
    assert "1 of 4 entries are wrong" in message and "(1, 1)" in message
    assert "7.654321" not in message and "0.123456" not in message
    with pytest.raises(AssertionError, match=r"shape \(2,\), expected \(2, 2\)"):
        grading.expect_close([1, 2], expected)
    with pytest.raises(AssertionError, match="dtype int64, expected float64"):
        grading.expect_close(np.array([1, 2]), [1.0, 2.0], dtype=np.float64)
    with pytest.raises(AssertionError, match="None"):
        grading.expect_close(None, [1.0])


def test_checks_partial_credit_and_reasons(capsys):
    checks = grading.Checks(points=3, forbidden=["numpy.convolve"], seconds=0.5)
    with checks.case("passes"):
        pass
    with checks.case("wrong value", weight=2):
        grading.expect_close([1.0], [2.0], "f()")
    with checks.case("library call"):
        np.convolve([1], [1])
    with checks.case("not implemented"):
        raise NotImplementedError
    with checks.case("hangs"):
        while True:
            pass
    checks.after_timeout = 0.1
    with checks.case("hangs again after a hang: stopped sooner"):
        while True:
            pass
    with checks.case("passes after a hang", weight=2):
        pass
    assert checks.earned() == pytest.approx(3 * 3 / 9, abs=1e-4)
    report = checks.report()
    assert "numpy.convolve" in report and "not implemented yet" in report and "did not finish" in report
    assert "shorter limit" in report and "did not finish within 0.1 s" in report  # the limit it had, not a time
    assert checks.score() == checks.earned()
    # a failing cell reports on stderr, which nbgrader's Validate button shows (see Checks.score)
    assert "2 of 7 checks passed" in capsys.readouterr().err


def test_checks_memory_error_fails_the_case_only():
    pytest.importorskip("resource")
    checks = grading.Checks(points=2, memory=256 << 20)
    with checks.case("runaway allocation"):
        np.ones((1 << 30,))
    with checks.case("small allocation afterwards"):
        np.ones((1 << 10,))
    assert [r.passed for r in checks.results] == [False, True]
    assert "ran out of memory" in checks.results[0].reason


def test_checks_do_not_swallow_keyboard_interrupt():
    checks = grading.Checks(points=1)
    with pytest.raises(KeyboardInterrupt), checks.case("interrupted by the notebook's cell timeout"):
        raise KeyboardInterrupt


def test_variant_submission_fills_solution_cells(tmp_path):
    variant = course.variants("a2_discrete1d")[0]
    assert variant.patches  # a patch of the reference solution
    c = course.Course(tmp_path / "c", copy=True)
    expected = variant.code(course.reference_solutions(c.source_notebook("a2_discrete1d")))
    release_dir = c.root / "release" / "a2_discrete1d"
    release_dir.mkdir(parents=True)
    # a stand-in release: the source with solutions stubbed as nbgrader would
    nb = c.source_notebook("a2_discrete1d")
    for cell in nb.cells:
        if course.is_solution(cell):
            cell.source = "# YOUR CODE HERE\nraise NotImplementedError()"
    nbformat.write(nb, release_dir / "a2_discrete1d.ipynb")
    sub = c.submission("a2_discrete1d", variant)
    sources = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in sub.cells if course.is_solution(cell)}
    for gid, code in sources.items():
        assert "NotImplementedError" not in code
        assert "### BEGIN SOLUTION" not in code
        if gid in variant.sections or gid in variant.patches:
            assert code == expected[gid]
