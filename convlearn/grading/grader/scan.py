"""The static half of the "implement it yourself" rule: which library routines a submission's source refers to.

:func:`scan` reads the code cells of a submission (never runs them) and returns, for every top-level name the
student defines (a function, a class, a variable), the forbidden routines its source refers to, directly or
through other top-level names it uses. The grader fails each check that used such a name
(:meth:`convlearn.grading.grader.harness.CellRun.delegation`).

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

IPython syntax is read as the code it runs or refused (:func:`refusal`: the grader does not run such a cell, and
says why in its output): the cell magics ``%%time``, ``%%timeit`` and ``%%capture`` and the line magics
``%time``/``%timeit`` are read as the Python they run; ``%matplotlib``, ``%precision``, ``%who``, ``%whos``,
``%pwd`` and ``?`` help run as they are; every other magic (``%run``, ``%load``, ``%%writefile``, ``%%bash``,
``%%script``, ``%config``, ...) and every shell escape (``!cmd``) is refused, whether written with ``%``/``!``
or as the ``get_ipython()`` call it becomes.

Definitions inside compound statements at the top level (``try:``/``if``/``with``/``for``) are attributed to
their own names. A statement at the top level that is not a definition (``tools.update(conv=np.convolve)``)
is attributed to every top-level name it uses, and a function that stores into a top-level name
(``CACHE[k] = ...``, ``global``, a method call on it) passes its findings to that name. Also dynamic:
introspection that reaches code or namespaces (``__dict__``, ``__code__``, ``__globals__``, ``__closure__``,
frames, ...), modules that run or load code (``subprocess``, ``multiprocessing``, ``ctypes``, ``gc``,
``pickle``, ``marshal``, ``runpy``, ...), ``os.system``/``os.exec*``/``os.fork``, ``types.FunctionType``
and importing a module that is not installed (one the submission wrote itself) or a relative import;
changing ``sys.path`` counts as rewiring the interpreter. A dotted path *through* a forbidden routine
(``np.convolve.__wrapped__``) refers to it.

What is not caught: a routine reached through an object the scan cannot follow (an attribute of a function's
argument, a value returned by another call), or through strings built at run time; those are still stopped
at run time by :func:`convlearn.grading.forbid` inside the kernel unless the submission also defeats that.
The instructor's guide (book appendix) states these limits.
"""

from __future__ import annotations

import ast
import builtins
import gc
import importlib.util
import sys

from ..names import assigned_names, imported_names, resolve

__all__ = ["scan", "refusal", "parse", "DYNAMIC"]

DYNAMIC = "<dynamic>"
_RESOLVABLE = ("numpy", "scipy", "convlearn", "math")
_DYNAMIC_CALLS = {"exec", "eval", "compile", "__import__", "globals", "vars", "breakpoint"}
#: What IPython turns magics and shell escapes into (``get_ipython().<one of these>(...)``).
_IPYTHON_CALLS = {"run_line_magic", "run_cell_magic", "system", "getoutput"}
#: Magics whose argument or body is Python that runs: read as that Python.
_CODE_MAGICS = {"line": {"time", "timeit"}, "cell": {"time", "timeit", "capture"}}
#: Line magics that run no code of the submission.
_INERT_MAGICS = {"matplotlib", "precision", "who", "whos", "who_ls", "pwd", "pinfo", "pinfo2", "pdoc", "psource"}
_TAMPER_ROOTS = {"sys", "builtins", "importlib", "IPython"}
#: Attributes that reach code objects, namespaces or frames: code using them can rebuild or find any routine.
_INTROSPECTION = {"__dict__", "__code__", "__globals__", "__closure__", "__defaults__", "__kwdefaults__",
                  "__builtins__", "__subclasses__", "__bases__", "__mro__", "__getattribute__", "__import__",
                  "__loader__", "__spec__", "__reduce__", "__reduce_ex__", "__wrapped__", "__self__", "__func__",
                  "_implementation", "f_globals", "f_locals", "f_back", "f_code", "gi_frame", "cr_frame",
                  "tb_frame", "func_globals"}
#: Modules (by their top-level name) that run, load or find code the scan cannot read.
_DYNAMIC_MODULES = {"importlib", "ctypes", "cffi", "gc", "marshal", "pickle", "_pickle", "dill", "cloudpickle",
                    "shelve", "copyreg", "runpy", "subprocess", "multiprocessing", "concurrent", "pty", "code",
                    "codeop", "zipimport", "pkgutil", "imp", "inspect", "sysconfig", "site", "_thread", "threading",
                    "signal", "atexit", "posix"}
_DYNAMIC_PATHS = ("os.system", "os.popen", "os.exec", "os.spawn", "os.fork", "os.posix_spawn", "os.startfile",
                  "os.kill", "types.FunctionType", "types.CodeType", "types.LambdaType", "types.ModuleType",
                  # the grading machinery inside the kernel (the block, the agent that answers the grader)
                  "convlearn.grading.agent", "convlearn.grading.wire", "convlearn.grading.forbid",
                  "convlearn.grading.limits",
                  "convlearn.grading._", "convlearn.grading.grader",
                  # (before the grader moved into grader/: a submission importing these names is still dynamic)
                  "convlearn.grading.sandbox", "convlearn.grading.harness", "convlearn.grading.scan",
                  "convlearn.grading.nbgrader_plugin", "convlearn.grading.submission")


def parse(text: str) -> ast.Module:
    """:func:`ast.parse`, tried again after a spurious ``SystemError``.

    CPython 3.11 can fail an ``ast.parse`` with "AST constructor recursion depth mismatch" when the
    interpreter's recursion bookkeeping was disturbed, which a grader that runs asyncio event loops and
    abandons their tasks sees now and then (python/cpython#106905); the same call then succeeds.
    """
    for attempt in range(3):
        try:
            return ast.parse(text)
        except SystemError:
            if attempt == 2:
                raise
            gc.collect()
    raise AssertionError("unreachable")  # pragma: no cover


class _Magics(ast.NodeTransformer):
    """Replace ``get_ipython()`` calls by the Python they run, or note why the cell cannot run."""

    def __init__(self):
        self.refused: list[str] = []

    @staticmethod
    def _ipython_call(node) -> tuple[str, list] | None:
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in _IPYTHON_CALLS and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name) and node.func.value.func.id == "get_ipython"):
            return node.func.attr, node.args
        return None

    def _code(self, text) -> list[ast.stmt]:
        try:
            return parse(_python(text, self)).body
        except SyntaxError:
            return []

    def visit_Expr(self, node: ast.Expr):
        found = self._ipython_call(node.value)
        if found is None:
            return self.generic_visit(node)
        kind, args = found
        consts = [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        if kind in ("run_line_magic", "run_cell_magic") and len(consts) == len(args) and consts:
            name = consts[0]
            if kind == "run_cell_magic" and name in _CODE_MAGICS["cell"] and len(consts) == 3:
                return self._code(consts[2]) or ast.Pass()
            if kind == "run_line_magic" and name in _CODE_MAGICS["line"] and len(consts) == 2:
                return self._code(consts[1]) or ast.Pass()
            if kind == "run_line_magic" and name in _INERT_MAGICS:
                return ast.Pass()
            self.refused.append(f"{'%%' if kind == 'run_cell_magic' else '%'}{name}")
        else:
            self.refused.append("a shell command (!)" if kind in ("system", "getoutput") else f"get_ipython().{kind}")
        return ast.Pass()

    def generic_visit(self, node):
        node = super().generic_visit(node)
        for sub in ast.walk(node):
            found = self._ipython_call(sub)
            if found is not None:  # used as a value (x = !ls, f(%time ...)) or with computed arguments
                kind = found[0]
                self.refused.append("a shell command (!)" if kind in ("system", "getoutput") else
                                    f"get_ipython().{kind} used as a value")
                break
        return node


def _python(cell: str, magics: _Magics | None = None) -> str:
    """The Python a cell runs: IPython syntax turned into Python, code magics replaced by their code."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        text = TransformerManager().transform_cell(cell)
    except Exception:  # noqa: BLE001 - fall back to the text itself
        text = cell
    if "get_ipython" not in text:
        return text
    try:
        tree = parse(text)
    except SyntaxError:
        return text
    tree = ast.fix_missing_locations((magics or _Magics()).visit(tree))
    return ast.unparse(tree)


def refusal(cell: str) -> str | None:
    """Why the grader does not run this cell (IPython syntax it cannot read as Python), or None."""
    magics = _Magics()
    _python(cell, magics)
    if not magics.refused:
        return None
    used = ", ".join(sorted(set(magics.refused)))
    return (f"this cell uses {used}, which the grader does not run: the code it would run cannot be checked. "
            "Write the code in Python in the cell itself (the magics %time, %%time, %timeit, %%timeit, %%capture "
            "and %matplotlib are fine)")


def _resolve(dotted: str):
    """The object a dotted path names inside NumPy, SciPy, convlearn or math, as code reaches it, or None."""
    if dotted.split(".")[0] not in _RESOLVABLE:
        return None
    return resolve(dotted, may_import=_RESOLVABLE, attribute_access=True)


class _Refs(ast.NodeVisitor):
    """Dotted library paths, top-level names and dynamic features used by one definition."""

    def __init__(self, aliases: dict, stars: list):
        self.aliases = aliases
        self.stars = stars
        self.paths: set[str] = set()
        self.names: set[str] = set()
        self.mutated: set[str] = set()
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
        if node.attr in _INTROSPECTION:
            self.dynamic = True
        if isinstance(node.ctx, ast.Store | ast.Del):
            self._mutates(node.value)
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, ast.Store | ast.Del):
            self._mutates(node.value)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.mutated.update(node.names)

    def _mutates(self, node) -> None:
        while isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        if isinstance(node, ast.Name):
            self.mutated.add(node.id)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value in _INTROSPECTION:  # getattr(f, "__code__"), d["__dict__"]
            self.dynamic = True

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
        if isinstance(func, ast.Attribute):  # tools.update(...), cache.append(...): may store into the receiver
            self._mutates(func.value)
        if isinstance(func, ast.Name) and func.id in ("setattr", "delattr") and node.args:
            self._mutates(node.args[0])
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
            if not _plain_module(alias.name):
                self.dynamic = True

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not _plain_module(node.module or ""):
            self.dynamic = True
        for alias in node.names:
            if node.module and alias.name != "*":
                self.paths.add(f"{node.module}.{alias.name}")


def _plain_module(name: str) -> bool:
    """Whether importing ``name`` loads installed code that runs nothing the scan should know about."""
    top = name.split(".")[0]
    if not top or top in _DYNAMIC_MODULES:
        return False
    if top in sys.builtin_module_names or top in sys.stdlib_module_names:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def _dynamic_path(path: str) -> bool:
    return path.split(".")[0] in _DYNAMIC_MODULES or path.startswith(_DYNAMIC_PATHS) or any(
        part in _INTROSPECTION for part in path.split("."))


def _collect_aliases(tree: ast.AST, aliases: dict, stars: list) -> None:
    """Every import in ``tree`` (functions included): the names it binds, as the dotted paths they stand for."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
            aliases.update(imported_names(node))
            if isinstance(node, ast.ImportFrom):
                stars.extend(node.module for alias in node.names if alias.name == "*")


_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.TryStar, ast.Match)


def _flatten(body: list[ast.stmt]) -> list[ast.stmt]:
    """Top-level statements, with those inside compound statements (``try``, ``if``, ``with``, ...) taken out.

    A compound statement stands for its header (test, iterable, context managers, exception types) as an
    expression statement; its bodies are flattened in turn.
    """
    out: list[ast.stmt] = []
    for stmt in body:
        if not isinstance(stmt, _COMPOUND):
            out.append(stmt)
            continue
        header = [getattr(stmt, f) for f in ("test", "iter", "target", "subject") if getattr(stmt, f, None)]
        header += [item.context_expr for item in getattr(stmt, "items", ())]
        header += [h.type for h in getattr(stmt, "handlers", ()) if h.type is not None]
        if header:
            out.append(ast.Expr(value=ast.Tuple(elts=header, ctx=ast.Load())))
        for field in ("body", "orelse", "finalbody"):
            out.extend(_flatten(getattr(stmt, field, None) or []))
        for sub in getattr(stmt, "handlers", ()):
            out.extend(_flatten(sub.body))
        for case in getattr(stmt, "cases", ()):
            out.extend(_flatten(case.body))
    return out


def _tampers(stmt: ast.stmt, aliases: dict) -> bool:
    """Code that rewires the interpreter or an imported module."""
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
        if isinstance(node, ast.Name) and node.id in ("get_ipython", "__builtins__"):  # magics are gone by now
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
    trees, aliases, stars = _read_cells(cells, setup_cells)
    statements = [stmt for tree in trees for stmt in _flatten(tree.body)]
    refs = [_references(stmt, aliases, stars) for stmt in statements]
    direct, uses = _direct_findings(statements, refs, _Watch(watch))
    return _result(_propagate(direct, uses), tampered=_tampered(statements, refs, aliases))


# --- the phases of scan, in order ---------------------------------------------------------------------------------
def _read_cells(cells: list[str], setup_cells: list[str]) -> tuple[list[ast.Module], dict[str, str], list[str]]:
    """The student's cells parsed (as the Python they run), and what every import binds, the set-up cells'
    included: ``alias -> dotted path`` and the modules imported with ``*``. A cell that is not Python is skipped."""
    aliases: dict[str, str] = {}
    stars: list[str] = []
    trees = []
    for text in setup_cells:
        try:
            _collect_aliases(parse(_python(text)), aliases, stars)
        except SyntaxError:
            continue
    for text in cells:
        try:
            tree = parse(_python(text))
        except SyntaxError:
            continue
        _collect_aliases(tree, aliases, stars)
        trees.append(tree)
    return trees, aliases, stars


def _references(stmt: ast.stmt, aliases: dict, stars: list) -> _Refs:
    """The library paths, top-level names and dynamic features one top-level statement uses."""
    refs = _Refs(aliases, stars)
    refs.visit(stmt)
    return refs


class _Watch:
    """The forbidden routines, by dotted name and by the objects they resolve to."""

    def __init__(self, watch):
        self.ids = {}
        for dotted in watch:
            obj = _resolve(dotted)
            if obj is not None:
                self.ids[id(obj)] = (obj, dotted)
        self.names = set(watch)

    def found_in(self, paths) -> set[str]:
        """The forbidden routines among ``paths``: named, reached through, or the same object by another path."""
        hits = set()
        for path in paths:
            if path in self.names:
                hits.add(path)
                continue
            through = [w for w in self.names if path.startswith(w + ".")]
            if through:  # a path through a forbidden routine (np.convolve.__wrapped__)
                hits.update(through)
                continue
            obj = _resolve(path)
            if obj is not None and id(obj) in self.ids and self.ids[id(obj)][0] is obj:
                hits.add(self.ids[id(obj)][1])
        return hits


def _is_definition(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)


def _direct_findings(statements: list[ast.stmt], refs: list[_Refs], watch: _Watch):
    """What each top-level name's own statements refer to, and the top-level names they use.

    Returns ``(direct, uses)``: ``name -> {forbidden routines, DYNAMIC}`` and ``name -> {names used}``.
    """
    defined = {name for stmt in statements for name in assigned_names(stmt)}
    mutates: dict[str, set[str]] = {}  # definition -> top-level names its code stores into
    for stmt, read in zip(statements, refs, strict=True):
        if _is_definition(stmt):
            mutates.setdefault(stmt.name, set()).update(read.mutated & defined - {stmt.name})
    direct: dict[str, set[str]] = {}
    uses: dict[str, set[str]] = {}
    for stmt, read in zip(statements, refs, strict=True):
        found = watch.found_in(read.paths)
        if read.dynamic or any(_dynamic_path(p) for p in read.paths):
            found.add(DYNAMIC)
        if _is_definition(stmt):
            names = [stmt.name]
            for target in mutates[stmt.name]:  # a function that stores into a top-level name passes it on
                uses.setdefault(target, set()).add(stmt.name)
        else:
            # a statement that is not a definition may store what it finds into the names it assigns, the
            # objects it changes (tools.update(...), cache[k] = ...) and what the functions it calls change
            names = set(assigned_names(stmt)) | {"<top level>"} | (read.mutated & defined)
            if isinstance(stmt, ast.Import | ast.ImportFrom):  # what an import finds goes with the names it binds
                names |= set(imported_names(stmt))
            for called in read.names & mutates.keys():
                names |= mutates[called]
            names = sorted(names)
        for name in names:
            direct.setdefault(name, set()).update(found)
            uses.setdefault(name, set()).update(read.names)
    return direct, uses


def _propagate(direct: dict[str, set[str]], uses: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each name's findings with those of the top-level names it uses added, to a fixed point."""
    flags = {name: set(found) for name, found in direct.items()}
    changed = True
    while changed:
        changed = False
        for name, used in uses.items():
            for other in used & flags.keys():
                if other != name and not flags[other] <= flags[name]:
                    flags[name] |= flags[other]
                    changed = True
    return flags


def _tampered(statements: list[ast.stmt], refs: list[_Refs], aliases: dict) -> bool:
    """Whether any statement rewires the interpreter or an imported module, or changes ``sys.path``."""
    for stmt, read in zip(statements, refs, strict=True):
        if not isinstance(stmt, ast.Import | ast.ImportFrom) and _tampers(stmt, aliases):
            return True
        if any(p == "sys.path" or p.startswith("sys.path.") for p in read.paths):
            return True
    return False


def _result(flags: dict[str, set[str]], tampered: bool) -> dict[str, set[str]]:
    """The names with findings; after tampering, every name (and ``"*"``, the whole submission) is dynamic."""
    if tampered:
        for name in flags:
            flags[name].add(DYNAMIC)
        flags.setdefault("<top level>", set()).add(DYNAMIC)
    result = {name: found for name, found in flags.items() if found}
    if tampered:
        result["*"] = {DYNAMIC}
    return result


def flags_for(result: dict[str, set[str]], name: str) -> set[str]:
    """The findings for one name, including those that apply to the whole submission."""
    return result.get(name, set()) | result.get("*", set())


if __name__ == "__main__":  # pragma: no cover - a quick look at one file: python -m convlearn.grading.grader.scan f.py
    print(scan([open(sys.argv[1]).read()], [], sys.argv[2:]))
