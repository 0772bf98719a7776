"""Plain data between the grader and a student's kernel: arrays in ``.npz`` (``allow_pickle=False``), the rest JSON.

Both sides of :mod:`convlearn.grading.grader.harness` (the trusted grader) and :mod:`convlearn.grading.agent`
(inside the student's sandboxed kernel) use this one encoding. A message is a base64 string of one ``.npz``
archive: entry ``tree`` holds a JSON document (as UTF-8 bytes) and entries ``a0``, ``a1``, ... the arrays it refers to.

What a JSON tree may hold:

- ``null``, booleans, integers, floats (including NaN and infinities) and strings stand for themselves;
- ``{"$": "array", "i": k, "scalar": bool}``: array ``a<k>`` of the archive (numeric or boolean only), or the
  NumPy scalar it holds when ``scalar`` is true;
- ``{"$": "list"|"tuple", "items": [...]}``, ``{"$": "dict", "items": [[key, value], ...]}``,
  ``{"$": "complex", "re": x, "im": y}``, ``{"$": "slice", "start", "stop", "step"}``, ``{"$": "ellipsis"}``;
- ``{"$": "handle", "id": n, "type": name}``: an object that stays in the kernel (a student's layer, a
  function), known to the grader only by number;
- ``{"$": "global", "name": name}``: a name in the notebook's namespace;
- ``{"$": "rng", "kind": name, "state": {...}}``: a :class:`numpy.random.Generator`, by the class name of its bit
  generator (``PCG64``) and that generator's state;
- ``{"$": "import", "module": m, "name": n}``: a module or a module's attribute (``numpy.ones_like``);
- ``{"$": "function", ...}``: an input function of a test (``f`` in ``f * g``), sent as its compiled code
  (only from the grader to the kernel: the grader never runs code it receives);
- ``{"$": "exception", "type": name, "mro": [names], "message": text}``: what a student's function raised.

Decoding is bounded: a message larger than :data:`MAX_MESSAGE` characters, a tree deeper than
:data:`MAX_DEPTH` or with more than :data:`MAX_NODES` nodes, or an array of another dtype is rejected with
:class:`WireError`.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
import zipfile

import numpy as np

__all__ = ["WireError", "encode", "decode", "MIME", "MAX_MESSAGE", "MAX_DEPTH", "MAX_NODES"]

#: MIME type of the agent's replies in the kernel's ``display_data`` messages.
MIME = "application/vnd.convlearn.grading+base64"
#: Largest message accepted, in characters of base64 (about 9 MiB of data; the largest reply of the course is
#: well under 1 MiB). A reply must also fit in one kernel message (grader.channel.MESSAGE_LIMIT).
MAX_MESSAGE = 12 << 20
#: Deepest nesting and largest number of nodes accepted in a tree.
MAX_DEPTH = 64
MAX_NODES = 1_000_000
_ARRAY_KINDS = "biufc"


class WireError(ValueError):
    """A message that is not valid plain data (malformed, too large, or of a forbidden type)."""


def encode(tree_of, obj) -> str:
    """Encode ``obj`` with the tree builder ``tree_of(obj, arrays)``; return base64 text.

    ``tree_of`` turns an object into a JSON-able tree, appending arrays to the list it is given: the two
    sides pass their own builders (see :func:`plain_tree`), which differ only in what they do with objects
    that are not plain data.
    """
    arrays: list[np.ndarray] = []
    tree = tree_of(obj, arrays)
    buf = io.BytesIO()
    entries = {f"a{i}": a for i, a in enumerate(arrays)}
    entries["tree"] = np.frombuffer(json.dumps(tree, allow_nan=True).encode("utf-8"), dtype=np.uint8)
    np.savez(buf, **entries)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def plain_tree(obj, arrays: list, *, other=None, depth: int = 0):
    """The JSON tree of ``obj``; objects that are not plain data go to ``other(obj)`` (default: an error)."""
    if depth > MAX_DEPTH:
        raise WireError("the value is nested too deeply to send")
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int) and not isinstance(obj, np.generic):
        return obj if abs(obj) < 2**63 else {"$": "array", "i": _add(arrays, np.asarray(obj, dtype=float)),
                                             "scalar": True}
    if isinstance(obj, float) and not isinstance(obj, np.generic):
        return obj
    if isinstance(obj, complex) and not isinstance(obj, np.generic):
        return {"$": "complex", "re": obj.real, "im": obj.imag}
    if isinstance(obj, np.ndarray | np.generic) and np.asarray(obj).dtype.kind in _ARRAY_KINDS:
        return {"$": "array", "i": _add(arrays, np.asarray(obj)), "scalar": isinstance(obj, np.generic)}
    if isinstance(obj, list | tuple) and type(obj) in (list, tuple):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"$": kind, "items": [plain_tree(v, arrays, other=other, depth=depth + 1) for v in obj]}
    if type(obj) is dict:
        return {"$": "dict", "items": [[plain_tree(k, arrays, other=other, depth=depth + 1),
                                        plain_tree(v, arrays, other=other, depth=depth + 1)] for k, v in obj.items()]}
    if isinstance(obj, slice):
        return {"$": "slice", "start": plain_tree(obj.start, arrays, depth=depth + 1),
                "stop": plain_tree(obj.stop, arrays, depth=depth + 1),
                "step": plain_tree(obj.step, arrays, depth=depth + 1)}
    if obj is Ellipsis:
        return {"$": "ellipsis"}
    if isinstance(obj, np.random.Generator):
        return {"$": "rng", "kind": type(obj.bit_generator).__name__, "state": _jsonable(obj.bit_generator.state)}
    if other is not None:
        return other(obj)
    raise WireError(f"cannot send a {type(obj).__name__} as plain data")


def _add(arrays: list, a: np.ndarray) -> int:
    arrays.append(np.asarray(a, order="C"))
    return len(arrays) - 1


def _jsonable(state):
    if isinstance(state, dict):
        return {k: _jsonable(v) for k, v in state.items()}
    if isinstance(state, np.ndarray):
        return {"$ndarray": state.tolist(), "dtype": str(state.dtype)}
    if isinstance(state, np.integer):
        return int(state)
    return state


def _unjsonable(state):
    if isinstance(state, dict):
        if "$ndarray" in state:
            return np.asarray(state["$ndarray"], dtype=np.dtype(state["dtype"]))
        return {k: _unjsonable(v) for k, v in state.items()}
    return state


def decode(text, resolve=None):
    """Decode base64 ``text``; ``resolve(node)`` turns the non-plain nodes (handles, globals, ...) into objects.

    Raises
    ------
    WireError
        If the text is not a valid message or exceeds the limits.
    """
    if not isinstance(text, str) or len(text) > MAX_MESSAGE:
        raise WireError("the message is not text or is too large")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            names = archive.files
            if "tree" not in names:
                raise WireError("the message has no tree")
            arrays = {}
            for name in names:
                a = archive[name]
                if name != "tree" and a.dtype.kind not in _ARRAY_KINDS:
                    raise WireError(f"an array of dtype {a.dtype} cannot be received")
                arrays[name] = a
        tree = json.loads(arrays.pop("tree").tobytes().decode("utf-8"))
    except WireError:
        raise
    except (ValueError, OSError, EOFError, UnicodeDecodeError, binascii.Error, zipfile.BadZipFile, RecursionError,
            KeyError, TypeError) as exc:
        raise WireError(f"the message is not valid plain data ({type(exc).__name__})") from None
    count = [0]
    return _from_tree(tree, arrays, resolve, 0, count)


def _from_tree(node, arrays, resolve, depth, count):
    count[0] += 1
    if depth > MAX_DEPTH or count[0] > MAX_NODES:
        raise WireError("the message is nested too deeply or has too many parts")
    if node is None or isinstance(node, bool | int | str):
        return node
    if isinstance(node, float):
        return node
    if isinstance(node, list):  # only inside "items"
        raise WireError("a bare JSON list is not a value")
    if not isinstance(node, dict) or not isinstance(node.get("$"), str):
        raise WireError("a JSON object without a type tag")
    kind = node["$"]
    if kind == "array":
        key = f"a{node.get('i')}"
        if key not in arrays:
            raise WireError("a reference to a missing array")
        a = arrays[key]
        return a[()] if node.get("scalar") else a
    if kind in ("list", "tuple"):
        items = node.get("items")
        if not isinstance(items, list):
            raise WireError("a list without items")
        values = [_from_tree(v, arrays, resolve, depth + 1, count) for v in items]
        return values if kind == "list" else tuple(values)
    if kind == "dict":
        items = node.get("items")
        if not isinstance(items, list) or not all(isinstance(kv, list) and len(kv) == 2 for kv in items):
            raise WireError("a dict without key-value pairs")
        out = {}
        for k, v in items:
            key = _from_tree(k, arrays, resolve, depth + 1, count)
            try:
                out[key] = _from_tree(v, arrays, resolve, depth + 1, count)
            except TypeError:
                raise WireError("an unhashable dict key") from None
        return out
    if kind == "complex":
        return complex(float(node.get("re", math.nan)), float(node.get("im", math.nan)))
    if kind == "slice":
        parts = [_from_tree(node.get(p), arrays, resolve, depth + 1, count) for p in ("start", "stop", "step")]
        return slice(*parts)
    if kind == "ellipsis":
        return Ellipsis
    if kind == "rng":
        bit_generator = getattr(np.random, str(node.get("kind")), None)
        if not (isinstance(bit_generator, type) and issubclass(bit_generator, np.random.BitGenerator)):
            raise WireError("an unknown bit generator")
        bg = bit_generator()
        try:
            bg.state = _unjsonable(node.get("state"))
        except (TypeError, ValueError, KeyError):
            raise WireError("an invalid generator state") from None
        return np.random.Generator(bg)
    if resolve is None:
        raise WireError(f"a {kind!r} cannot be received here")
    return resolve(node, lambda sub: _from_tree(sub, arrays, resolve, depth + 1, count))
