"""Names in Python code: which names a piece of code binds and reads, and which object a dotted name denotes.

One home for the walk over a cell's syntax tree that the course build (``exercises/build.py``: checking
the declared ``student_names`` of an assignment) and the grader (``nbgrader_plugin``: binding the student's
names in a test cell) both need, and for the resolution of dotted names (``numpy.convolve``) that blocking
(:mod:`.limits`, in the student's kernel), the grader's source check (:mod:`.grader.scan`) and the harness
(:mod:`.grader.harness`) share. Only the standard library is used.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import sys
from collections.abc import Collection

__all__ = ["bound_names", "free_names", "top_level_names", "imported_names", "assigned_names", "resolve"]

#: Nodes that open a scope of their own: what they bind inside stays inside.
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _binds(node: ast.AST) -> list[str]:
    """The names one node binds itself (not its children)."""
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
        return [node.id]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Import | ast.ImportFrom):
        return list(imported_names(node))
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


def imported_names(node: ast.Import | ast.ImportFrom) -> dict[str, str]:
    """What an import binds: each bound name and the dotted name it stands for.

    ``import a.b`` binds ``a`` (to ``a``), ``import a.b as c`` binds ``c`` (to ``a.b``), ``from m import f as g``
    binds ``g`` (to ``m.f``; with a relative import, ``.m.f``). ``from m import *`` binds nothing known here.
    """
    out = {}
    for alias in node.names:
        if isinstance(node, ast.Import):
            top = alias.name.split(".")[0]
            out[alias.asname or top] = alias.name if alias.asname else top
        elif alias.name != "*":
            module = "." * node.level + (f"{node.module}." if node.module else "")
            out[alias.asname or alias.name] = module + alias.name
    return out


def assigned_names(stmt: ast.stmt) -> list[str]:
    """The names a top-level statement defines or fills, as the grader's source check counts them.

    A ``def``/``class`` name, and every name in the targets of an assignment (``x = ...``, ``x += ...``,
    ``x: T = ...``; ``x.attr = ...`` and ``x[k] = ...`` count ``x`` and ``k``): what the statement finds is
    attributed to the objects it puts it into (:mod:`.grader.scan`). Unlike :func:`top_level_names`, an import,
    a ``for`` target or a ``with ... as`` name is not counted (the source check reads imports as aliases).
    """
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return _binds(stmt)
    if not isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
        return []
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return [sub.id for target in targets for sub in ast.walk(target) if isinstance(sub, ast.Name)]


def bound_names(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere, nested scopes included.

    Assignment, ``del``, ``for``/``with``/comprehension targets, ``def``/``class`` names, parameters,
    imports (``import a.b`` binds ``a``), ``except ... as name`` and ``match`` captures.
    """
    return {name for node in ast.walk(tree) for name in _binds(node)}


def top_level_names(tree: ast.AST) -> set[str]:
    """The names the code binds in its own (module) scope: not inside functions, classes or comprehensions.

    Module-level ``if``/``for``/``while``/``with``/``try`` bodies count (they run in the module's scope).
    """
    names: set[str] = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        names.update(_binds(node))
        if not isinstance(node, _SCOPES):
            todo.extend(ast.iter_child_nodes(node))
    return names


def free_names(tree: ast.AST, defined=()) -> set[str]:
    """Names the code reads that neither it (anywhere), ``defined`` nor Python's builtins bind."""
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return read - bound_names(tree) - set(defined) - set(vars(builtins))


def _module(name: str, may_import: Collection[str]):
    """The module ``name`` if it is loaded, or imported when its package is in ``may_import``; else None."""
    module = sys.modules.get(name)
    if module is None and name.split(".")[0] in may_import:
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module not written yet (or broken) names nothing
            return None
    return module


def resolve(dotted: str, *, may_import: Collection[str] = (), attribute_access: bool = False):
    """The object ``package.module.attr`` names, or None where it names nothing (an optional library).

    By default the part before the last dot is taken as a module when it is one (loaded, or imported when its
    package is in ``may_import``): ``module.attr`` means what ``import module; module.attr`` gives, which is
    also how the grading kernel reads an import node (:mod:`.agent`). Where that part is no module, it is
    resolved in turn and the last part read as its attribute (``numpy.convolve.__wrapped__``) -- for a package
    in ``may_import`` only: for any other, nothing is imported and only a loaded module's own attribute is
    read, since walking into a package's attributes can import its submodules (SciPy loads them lazily),
    which code that must not import (the grading kernel, :func:`.limits.forbid`) may not trigger.

    Parameters
    ----------
    dotted : str
        A dotted name whose first part is a top-level package.
    may_import : collection of str
        The top-level packages that may be imported (and walked through) to resolve it.
    attribute_access : bool
        Follow the name as attribute access from the top-level package reaches it (``np.fft.fft`` in code
        that ran ``import numpy as np``), importing a submodule only where the package has no attribute of
        that name (a package in ``may_import`` only): what the grader's source check (:mod:`.grader.scan`)
        needs. The two readings differ only where an attribute hides a submodule of the same name
        (``scipy.optimize._lsq.least_squares`` is a module and a function).
    """
    parts = dotted.split(".")
    if attribute_access and parts[0] in may_import:
        obj = _module(parts[0], may_import)
        for i, part in enumerate(parts[1:], start=1):
            if obj is None:
                return None
            nxt = getattr(obj, part, None)
            obj = nxt if nxt is not None else _module(".".join(parts[: i + 1]), may_import)
        return obj
    parent_name, _, attr = dotted.rpartition(".")
    if not parent_name:
        return _module(dotted, may_import)
    parent = _module(parent_name, may_import)
    if parent is None and parts[0] in may_import:
        parent = resolve(parent_name, may_import=may_import)
    return None if parent is None else getattr(parent, attr, None)
