"""The names a cell binds and reads (convlearn.grading.names), and where the grader takes the student's names from."""

from __future__ import annotations

import ast

import nbformat
import pytest

from convlearn.grading.names import bound_names, free_names, top_level_names

_CELL = """
import numpy as np
from os import path as p
import xml.dom
checks = make()
for i, (a, *rest) in enumerate(items):
    total += i
try:
    student(a)
except ValueError as exc:
    report(exc)
match value:
    case {"k": kk, **others}:
        use(kk, others)
    case [first, *tail] if first:
        use(tail)
    case Point(x=px) | px:
        use(px)
    case _ as whole:
        use(whole)
def helper(arg, *args, kw=None, **kws):
    inner = arg
    return inner
class Local:
    attr = 1
squares = [n * n for n in range(3)]
f = lambda lam: lam
del checks
print(len(items), missing, whole)
"""


def test_bound_and_free_names_cover_every_binding_form():
    tree = ast.parse(_CELL)
    bound = bound_names(tree)
    for name in ("np", "p", "xml", "checks", "i", "a", "rest", "total", "exc", "kk", "others", "first", "tail",
                 "px", "whole", "helper", "arg", "args", "kw", "kws", "inner", "Local", "attr", "squares", "n",
                 "f", "lam"):
        assert name in bound, name
    # read but bound nowhere in the cell: the names it takes from elsewhere (print, len, range are builtins)
    assert free_names(tree) == {"make", "items", "student", "report", "value", "use", "Point", "missing"}
    assert free_names(tree, {"items", "make"}) == {"student", "report", "value", "use", "Point", "missing"}


def test_except_as_is_bound_not_free():
    tree = ast.parse("try:\n    f()\nexcept Exception as exc:\n    print(exc)\n")
    assert free_names(tree) == {"f"}


def test_top_level_names_stop_at_functions_classes_and_comprehensions():
    tree = ast.parse("import numpy as np\nif True:\n    a = 1\nfor b in []:\n    pass\n"
                     "def f(x):\n    y = x\n    return y\nclass C:\n    z = 1\n"
                     "w = [v for v in range(2)]\ng = lambda q: q\n")
    assert top_level_names(tree) == {"np", "a", "b", "f", "C", "w", "g"}


def _plugin(tmp_path):
    nbgrader_plugin = pytest.importorskip("convlearn.grading.grader.nbgrader_plugin")
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    return nbgrader_plugin.SandboxedGrade(config=config)


def test_grader_reads_student_names_from_the_source_notebook(tmp_path):
    info = {"assignment": "a0", "notebook": "a0", "student": "s", "db_url": "sqlite://"}
    grade = _plugin(tmp_path)
    assert grade._declared_student_names(info) is None  # no source notebook: inferred
    nb = nbformat.v4.new_notebook()
    path = tmp_path / "source" / "a0" / "a0.ipynb"
    path.parent.mkdir(parents=True)
    nbformat.write(nb, path)
    assert grade._declared_student_names(info) is None  # nothing declared: inferred
    nb.metadata["convlearn"] = {"student_names": ["conv", "not a name"]}
    nbformat.write(nb, path)
    assert grade._declared_student_names(info) is None  # not a list of names: inferred
    nb.metadata["convlearn"] = {"student_names": ["conv", "pool"]}
    nbformat.write(nb, path)
    assert grade._declared_student_names(info) == {"conv", "pool"}
    # the submission (the student's copy) is never read: only the course's source/ folder
    submitted = tmp_path / "submitted" / "s" / "a0" / "a0.ipynb"
    submitted.parent.mkdir(parents=True)
    nb.metadata["convlearn"] = {"student_names": ["open"]}
    nbformat.write(nb, submitted)
    assert grade._declared_student_names(info) == {"conv", "pool"}
