"""The static half of the "implement it yourself" rule: which library routines a submission's source refers to.

:func:`scan` reads the code cells of a submission (never runs them) and returns, for every top-level name the
student defines (a function, a class, a variable), the forbidden routines its source refers to, directly or
through other top-level names it uses. The grader fails each check that used such a name
(:meth:`convlearn.grading.harness.Context.delegation`).

What is recognised as a reference to ``numpy.convolve`` (``np`` bound by ``import numpy as np``, in any
cell, the instructor's included):

- attribute chains through module aliases: ``np.convolve``, ``numpy.convolve``, ``import scipy.signal as ss``
  then ``ss.convolve``, ``from scipy import signal`` then ``signal.convolve``; and any other dotted path to the
  same object (``numpy._core.numeric.convolve``), compared by identity;
- names imported from a module (``from numpy import convolve as cv``), also through ``from numpy import *``;
- module-level aliases used by a function (``cv = np.convolve`` at the top, ``cv(x, k)`` inside);
- default arguments and decorators (``def f(x, k, c=np.convolve)``), lambdas, class bodies and methods;
- ``getattr(np, "convolve")`` with a constant name.

What marks a name as *dynamic* (``"<dynamic>"``; every check with forbidden routines that uses it fails,
because its library use cannot be read): ``exec``, ``eval``, ``compile``, ``__import__``,
``importlib``, ``getattr``/``setattr`` on a module with a computed name, ``globals()``/``vars()``. Code at the
top level of a cell that rewires the interpreter — assigning into ``sys.modules`` or ``builtins``, IPython's
``get_ipython()`` hooks, ``sys.meta_path``/``sys.settrace``/``sys.setprofile``, or assigning to an attribute
of an imported module (``np.abs = ...``) — marks **every** name dynamic.

What is not caught: a routine reached through an object the scan cannot follow (an attribute of a function's
argument, a value returned by another call), or through strings built at run time; those are still stopped
at run time by :func:`convlearn.grading.forbid` inside the kernel unless the submission also defeats that.
The instructor's guide (book appendix) states these limits.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys

__all__ = ["scan", "DYNAMIC"]

DYNAMIC = "<dynamic>"
_RESOLVABLE = ("numpy", "scipy", "convlearn", "math")
_DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "globals", "vars", "breakpoint"}
#: What IPython turns magics and shell escapes into: harmless uses of get_ipython().
_BENIGN_IPYTHON = {"run_line_magic", "run_cell_magic", "system", "getoutput"}
_TAMPER_ROOTS = {"sys", "builtins", "importlib", "IPython"}


def _python(cell: str) -> str:
    """IPython syntax (magics, ``!cmd``) turned into Python, as the kernel would run it."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(cell)
    except Exception:  # noqa: BLE001 - fall back to the text itself
        return cell


def _resolve(dotted: str):
    """The object a dotted path names inside NumPy, SciPy, convlearn or math, or None (never imports others)."""
    parts = dotted.split(".")
    if parts[0] not in _RESOLVABLE:
        return None
    try:
        obj = importlib.import_module(parts[0])
    except ImportError:
        return None
    for i, part in enumerate(parts[1:], start=1):
        nxt = getattr(obj, part, None)
        if nxt is None:
            try:
                nxt = importlib.import_module(".".join(parts[: i + 1]))
            except Exception:  # noqa: BLE001 - not a module either
                return None
        obj = nxt
    return obj


class _Refs(ast.NodeVisitor):
    """Dotted library paths, top-level names and dynamic features used by one definition."""

    def __init__(self, aliases: dict, stars: list):
        self.aliases = aliases
        self.stars = stars
        self.paths: set[str] = set()
        self.names: set[str] = set()
        self.dynamic = False

    def _dotted(self, node) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = self._dotted(node)
        if dotted:
            self.paths.add(dotted)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        self.names.add(node.id)
        if node.id in self.aliases:
            self.paths.add(self.aliases[node.id])
        elif node.id not in vars(builtins):
            for module in self.stars:
                self.paths.add(f"{module}.{node.id}")
        if node.id in _DYNAMIC_CALLS or node.id == "importlib":
            self.dynamic = True

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("getattr", "setattr", "hasattr", "delattr") and node.args:
            base = self._dotted(node.args[0]) if isinstance(node.args[0], ast.Name | ast.Attribute) else None
            if len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                if base:
                    self.paths.add(f"{base}.{node.args[1].value}")
            elif base or len(node.args) < 2:
                self.dynamic = True
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == "importlib":
                self.dynamic = True

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if (node.module or "").split(".")[0] == "importlib":
            self.dynamic = True
        for alias in node.names:
            if node.module and alias.name != "*":
                self.paths.add(f"{node.module}.{alias.name}")


def _collect_aliases(tree: ast.AST, aliases: dict, stars: list) -> None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name == "*":
                    stars.append(node.module)
                else:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"


def _targets(node) -> list[str]:
    names = []
    for target in getattr(node, "targets", None) or [getattr(node, "target", None)]:
        for sub in ast.walk(target) if target is not None else ():
            if isinstance(sub, ast.Name):
                names.append(sub.id)
    return names


def _tampers(stmt: ast.stmt, aliases: dict) -> bool:
    """Code that rewires the interpreter or an imported module."""
    benign = set()
    for node in ast.walk(stmt):
        if (isinstance(node, ast.Attribute) and node.attr in _BENIGN_IPYTHON and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "get_ipython"):
            benign.add(id(node.value.func))
    for node in ast.walk(stmt):
        targets = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = getattr(node, "targets", None) or [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute | ast.Subscript):
                    root = sub
                    while isinstance(root, ast.Attribute | ast.Subscript):
                        root = root.value
                    if isinstance(root, ast.Name) and (root.id in aliases or root.id in _TAMPER_ROOTS):
                        return True
        if isinstance(node, ast.Name) and node.id in ("get_ipython", "__builtins__") and id(node) not in benign:
            return True
        if isinstance(node, ast.Attribute) and node.attr in ("meta_path", "path_hooks", "settrace", "setprofile",
                                                              "modules", "events", "input_transformers_post",
                                                              "ast_transformers", "display_formatter"):
            return True
    return False


def scan(cells: list[str], setup_cells: list[str], watch) -> dict[str, set[str]]:
    """For each top-level name the submission defines: the routines of ``watch`` its source refers to.

    Parameters
    ----------
    cells : list of str
        The student's code cells (every code cell that is not the instructor's).
    setup_cells : list of str
        The instructor's set-up cells (their imports bind aliases such as ``np``; their code is not scanned).
    watch : iterable of str
        Dotted names of the forbidden routines (the union of the test cells' ``forbidden`` lists).

    Returns
    -------
    dict of str to set of str
        ``name -> {dotted forbidden names}``, with :data:`DYNAMIC` in the set for dynamic code. Names whose
        source refers to nothing forbidden are absent.
    """
    aliases: dict[str, str] = {}
    stars: list[str] = []
    trees = []
    for text in setup_cells:
        try:
            _collect_aliases(ast.parse(_python(text)), aliases, stars)
        except SyntaxError:
            continue
    for text in cells:
        try:
            tree = ast.parse(_python(text))
        except SyntaxError:
            continue
        _collect_aliases(tree, aliases, stars)
        trees.append(tree)
    watch_ids = {}
    for dotted in watch:
        obj = _resolve(dotted) if dotted.split(".")[0] in _RESOLVABLE else None
        if obj is not None:
            watch_ids[id(obj)] = (obj, dotted)
    watch_names = set(watch)

    def forbidden_in(paths) -> set[str]:
        hits = set()
        for path in paths:
            if path in watch_names:
                hits.add(path)
                continue
            obj = _resolve(path)
            if obj is not None and id(obj) in watch_ids and watch_ids[id(obj)][0] is obj:
                hits.add(watch_ids[id(obj)][1])
        return hits

    direct: dict[str, set[str]] = {}
    uses: dict[str, set[str]] = {}
    tamper = False
    for tree in trees:
        # module-level aliases to library objects (cv = np.convolve) extend the alias table
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Attribute | ast.Name):
                dotted = _Refs(aliases, stars)._dotted(stmt.value)
                if dotted:
                    for name in _targets(stmt):
                        aliases[name] = dotted
    for tree in trees:
        for stmt in tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names = [stmt.name]
            elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
                names = _targets(stmt)
            else:
                names = ["<top level>"]
            if not isinstance(stmt, ast.Import | ast.ImportFrom) and _tampers(stmt, aliases):
                tamper = True
            refs = _Refs(aliases, stars)
            refs.visit(stmt)
            found = forbidden_in(refs.paths)
            if refs.dynamic:
                found.add(DYNAMIC)
            for name in names:
                direct.setdefault(name, set()).update(found)
                uses.setdefault(name, set()).update(refs.names)
    # through other top-level names, to a fixed point
    flags = {name: set(found) for name, found in direct.items()}
    changed = True
    while changed:
        changed = False
        for name, used in uses.items():
            for other in used & flags.keys():
                if other != name and not flags[other] <= flags[name]:
                    flags[name] |= flags[other]
                    changed = True
    if tamper:
        for name in flags:
            flags[name].add(DYNAMIC)
        flags.setdefault("<top level>", set()).add(DYNAMIC)
    result = {name: found for name, found in flags.items() if found}
    if tamper:
        result["*"] = {DYNAMIC}
    return result


def flags_for(result: dict[str, set[str]], name: str) -> set[str]:
    """The findings for one name, including those that apply to the whole submission."""
    return result.get(name, set()) | result.get("*", set())


if __name__ == "__main__":  # pragma: no cover - a quick look at one file: python -m convlearn.grading.scan f.py
    print(scan([open(sys.argv[1]).read()], [], sys.argv[2:]))
