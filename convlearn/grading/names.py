"""The names a piece of Python binds and reads: which names a test cell takes from the student.

One home for the walk over a cell's syntax tree that the course build (``exercises/build.py``: checking
the declared ``student_names`` of an assignment) and the grader (``nbgrader_plugin``: binding the student's
names in a test cell) both need. Only the standard library is used.
"""

from __future__ import annotations

import ast
import builtins

__all__ = ["bound_names", "free_names", "top_level_names"]

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
        return [(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        return [node.name]
    if isinstance(node, ast.MatchMapping) and node.rest:
        return [node.rest]
    return []


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
