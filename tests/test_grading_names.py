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


# --- dotted names: convlearn.grading.names.resolve ------------------------------------------------------------
def test_resolve_reads_module_attr_and_walks_only_where_it_may_import():
    import sys

    import numpy as np
    import scipy.optimize._lsq.least_squares  # noqa: F401 - loads the module that a function of its name hides

    from convlearn.grading.names import resolve

    lsq_module = sys.modules["scipy.optimize._lsq.least_squares"]

    assert resolve("numpy.convolve", may_import=("numpy",)) is np.convolve
    assert resolve("numpy.convolve") is np.convolve  # loaded: read without importing
    assert resolve("numpy.convolve.__wrapped__", may_import=("numpy",)) is np.convolve.__wrapped__
    assert resolve("numpy.convolve.__wrapped__") is None  # no walking without leave to import
    assert resolve("numpy.no_such_routine", may_import=("numpy",)) is None
    assert resolve("no_such_package_xyz.f", may_import=("no_such_package_xyz",)) is None
    # a function hides the submodule of the same name: "module.attr" reads the module (as the kernel's import
    # node does), attribute access the function (as code that imported scipy reaches it)
    assert resolve("scipy.optimize._lsq.least_squares.prepare_bounds",
                   may_import=("scipy",)) is lsq_module.prepare_bounds
    assert resolve("scipy.optimize._lsq.least_squares.prepare_bounds", may_import=("scipy",),
                   attribute_access=True) is None


def test_resolve_imports_nothing_without_leave():
    """The kernel blocks with import_missing=False: a package's lazily loaded submodule must stay unloaded."""
    import subprocess
    import sys

    code = ("import sys, scipy; from convlearn.grading.names import resolve; "
            "a = resolve('scipy.io.loadmat'); loaded = 'scipy.io' in sys.modules; "
            "b = resolve('scipy.io.loadmat', may_import=('scipy',)); "
            "print(a is None, loaded, b is sys.modules['scipy.io'].loadmat)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "True"]


def test_imported_and_assigned_names():
    from convlearn.grading.names import assigned_names, imported_names

    def first(code):
        return ast.parse(code).body[0]

    assert imported_names(first("import a.b, c.d as e")) == {"a": "a", "e": "c.d"}
    assert imported_names(first("from m.n import f, g as h")) == {"f": "m.n.f", "h": "m.n.g"}
    assert imported_names(first("from m import *")) == {}
    assert imported_names(first("from . import x")) == {"x": ".x"}
    assert imported_names(first("from ..p import y")) == {"y": "..p.y"}
    assert assigned_names(first("def f(a):\n    b = 1")) == ["f"]
    assert assigned_names(first("x, (y, *z) = w")) == ["x", "y", "z"]
    assert assigned_names(first("cache[k] = v")) == ["cache", "k"]
    assert assigned_names(first("obj.attr += 1")) == ["obj"]
    assert assigned_names(first("n: int = 3")) == ["n"]
    assert assigned_names(first("for i in r: pass")) == [] == assigned_names(first("import numpy as np"))
