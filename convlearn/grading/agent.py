"""The grader's agent inside a student's (sandboxed) kernel: call the student's code on given inputs.

The trusted grader (:mod:`convlearn.grading.grader.harness`) runs the test code in its own process. Whenever that
code uses a name the student defined (``convolve_full``, ``Conv2d``), it sends the kernel one line,
``__import__("convlearn.grading.agent").grading.agent.serve("<message>")``, and reads the reply this module
publishes as a ``display_data`` message of type :data:`convlearn.grading.wire.MIME`. Requests and replies
are plain data (:mod:`convlearn.grading.wire`); objects that are not (a layer, a bound method) stay here and
travel as numbered handles.

Nothing here is trusted by the grader: a submission can replace this module, and all it gains is control
over its own replies, which the grader compares with values the kernel never sees.
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import importlib
import itertools
import marshal
import types
import warnings

import numpy as np

from . import wire
from .limits import EXCEPTION_MESSAGE_CHARS, forbid, memory_limit

#: The objects the grader holds handles to, by number. They live as long as the kernel: one submission's
#: kernel serves one notebook's test cells, which hold a few layers and bound methods at most.
_HANDLES: dict[int, object] = {}
_IDS = itertools.count(1)
#: The block in force: (forbidden names, the ExitStack that undoes it). Patching every module is costly, so a
#: block stays in place from call to call and changes only when a test cell forbids other routines.
_BLOCK: list = []


def _block(names: tuple) -> None:
    if _BLOCK and _BLOCK[0][0] == names:
        return
    if _BLOCK:
        _BLOCK.pop()[1].close()
    stack = contextlib.ExitStack()
    stack.enter_context(forbid(names, [_namespace()], import_missing=False))
    _BLOCK.append((names, stack))


def _namespace() -> dict:
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else vars(importlib.import_module("__main__"))


def _exception_node(exc: BaseException) -> dict:
    return {"$": "exception", "type": type(exc).__name__, "mro": [c.__name__ for c in type(exc).__mro__],
            "message": str(exc)[:EXCEPTION_MESSAGE_CHARS]}


def _keep(obj) -> dict:
    if isinstance(obj, BaseException):
        return _exception_node(obj)
    key = next(_IDS)
    _HANDLES[key] = obj
    return {"$": "handle", "id": key, "type": type(obj).__name__, "callable": callable(obj)}


def _tree(obj, arrays):
    return wire.plain_tree(obj, arrays, other=_keep)


def _resolve(node: dict, sub):
    kind = node["$"]
    if kind == "handle":
        try:
            return _HANDLES[int(node["id"])]
        except (KeyError, TypeError, ValueError):
            raise wire.WireError("an unknown handle (was the kernel restarted?)") from None
    if kind == "global":
        name = str(node.get("name"))
        ns = _namespace()
        if name not in ns:
            raise NameError(f"name '{name}' is not defined")
        return ns[name]
    if kind == "import":
        module = importlib.import_module(str(node["module"]))
        return module if node.get("name") is None else getattr(module, str(node["name"]))
    if kind == "function":
        code = marshal.loads(base64.b64decode(node["code"]))
        scope = {"__builtins__": builtins, "__name__": "convlearn_grading_inputs"}
        scope.update(sub(node["globals"]))
        closure = tuple(types.CellType(v) for v in sub(node["closure"]))
        fn = types.FunctionType(code, scope, str(node["name"]), sub(node["defaults"]), closure or None)
        fn.__kwdefaults__ = sub(node["kwdefaults"])
        return fn
    raise wire.WireError(f"an unknown node {kind!r}")


def _run(request: dict):
    op = request["op"]
    target = request.get("target")
    if op == "call":
        _block(tuple(sorted(request.get("forbidden") or ())))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"), memory_limit(int(request["memory"])):
                return target(*request.get("args", ()), **request.get("kwargs", {}))
    if op == "getattr":
        return getattr(target, request["name"])
    if op == "setattr":
        setattr(target, request["name"], request["value"])
        return None
    if op == "getitem":
        return target[request["key"]]
    if op == "setitem":
        target[request["key"]] = request["value"]
        return None
    if op == "len":
        return len(target)
    if op == "list":
        return list(target)
    if op == "asarray":
        return np.asarray(target)
    raise wire.WireError(f"unknown operation {op!r}")


def serve(message: str) -> None:
    """Answer one request of the grader (see the module docstring); publish the reply, return nothing."""
    from IPython.display import publish_display_data

    publish_display_data({wire.MIME: answer(message)})


def answer(message: str) -> str:
    """The reply to one request, as the text :func:`serve` publishes."""
    try:
        request = wire.decode(message, resolve=_resolve)
        reply = {"ok": _run(request)}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - whatever the student's code raised is the answer
        reply = {"raised": exc}
    try:
        return wire.encode(_tree, reply)
    except Exception as exc:  # noqa: BLE001 - e.g. an object array: report it as the answer
        return wire.encode(_tree, {"raised": TypeError(f"the result cannot be sent to the grader: {exc}")})
