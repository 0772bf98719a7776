"""The shape of ``convlearn.grading``: no import cycle, and the student/kernel side never reaches the grader.

Every ``import`` statement of every module under ``convlearn/grading/`` is read from the source (those inside
functions too, which a look at ``sys.modules`` after an import would miss), so an import that only runs when a
function is called cannot hide a cycle or a dependency of the student's side on the instructor's.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import convlearn.grading as grading

PACKAGE = "convlearn.grading"
ROOT = Path(grading.__file__).resolve().parent
GRADER = f"{PACKAGE}.grader"
#: The instructor's entry points that stay at their names outside grader/ (``python -m convlearn.grading
#: autograde``, the server extension name in installed Jupyter configurations): thin modules that hand over to
#: the grader, imported by no other module here.
ENTRY_POINTS = {f"{PACKAGE}.__main__", f"{PACKAGE}.server_extension"}
#: The packages of the ``grading`` extras (pyproject.toml), by import name: only the grader may import them.
GRADER_DEPENDENCIES = {"nbgrader", "nbclient", "nbconvert", "nbformat", "traitlets", "jupyter_client", "jupyter_core",
                       "jupyter_server", "ipykernel", "zmq", "tornado", "sqlalchemy", "dask", "distributed", "psycopg",
                       "jupyterhub"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


MODULES = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _imports(name: str) -> set[str]:
    """Every module ``name`` imports anywhere in its source: absolute names, relative imports resolved."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                # "from . import wire" imports the module wire; "from .limits import forbid" the module limits
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return found


GRAPH = {name: {m for m in _imports(name) if m in MODULES} for name in MODULES}


def test_the_walk_sees_the_package():
    assert {PACKAGE, f"{PACKAGE}.limits", f"{PACKAGE}.agent", f"{GRADER}.harness", f"{GRADER}.scan"} <= MODULES.keys()
    assert f"{PACKAGE}.limits" in GRAPH[PACKAGE]  # the face re-exports it
    assert f"{PACKAGE}.names" in GRAPH[f"{PACKAGE}.limits"]  # relative import resolved
    assert f"{GRADER}.parallel" in GRAPH[f"{PACKAGE}.__main__"]  # an import inside a function is seen


def test_no_import_cycle_in_grading():
    """Tarjan's strongly connected components of the import graph: each must be a single module, importing not
    itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in GRAPH[v]:
                cycles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_student_side_imports_neither_the_grader_nor_its_dependencies():
    kernel_side = [m for m in MODULES if not (m == GRADER or m.startswith(GRADER + ".")) and m not in ENTRY_POINTS]
    assert len(kernel_side) >= 8
    reach = {}
    for name in kernel_side:
        bad = sorted(m for m in _imports(name) if m == GRADER or m.startswith(GRADER + ".")
                     or m.split(".")[0] in GRADER_DEPENDENCIES)
        if bad:
            reach[name] = bad
    assert reach == {}
    # and nothing in grading imports the entry points
    assert not any(ENTRY_POINTS & GRAPH[m] for m in MODULES)


def test_importing_the_face_loads_no_grader_module():
    code = ("import sys, convlearn.grading; "
            f"print(sorted(m for m in sys.modules if m.startswith({GRADER!r}) "
            f"or m.split('.')[0] in {sorted(GRADER_DEPENDENCIES)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_sandbox_launcher_imports_no_numpy():
    """The kernelspec's command (``python -m convlearn.grading.grader.sandbox``) runs once for every graded kernel and
    needs no NumPy: neither ``convlearn`` nor ``convlearn.grading`` imports it until one of their NumPy-backed names
    (``manual_seed``, ``Checks``, ...) is first asked for, and then those names are what they were."""
    code = ("import sys, convlearn.grading.grader.sandbox as s; loaded = 'numpy' in sys.modules; "
            "import convlearn, convlearn.grading as g, convlearn._random as r, convlearn.grading.checks as c; "
            "print(loaded, g.Checks is c.Checks, g.expect_close is c.expect_close, "
            "convlearn.manual_seed is r.manual_seed, 'Checks' in dir(g), 'manual_seed' in dir(convlearn))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "True", "True", "True", "True"], out.stdout + out.stderr
