"""Scratch memory for the temporaries of the convolution fast paths, reused from one call to the next.

A convolution's fast path builds large temporaries that die when it returns: the zero-padded input, the
im2col columns, the columns of the input gradient, a running sum. Allocated afresh on every call, each of
them is new memory to the operating system, and the first write to every 4 KiB page of it is a page
fault. Measured on the 3 → 32 channel 3×3 case of ``benchmarks/bench_conv.py`` (float32, batch 32), called
alternately with PyTorch as the benchmark does: 1345 page faults per call and 8.05 ms, of which the
arithmetic is about 2.5 ms. So each thread keeps one buffer per named *slot* and hands out views of it.

The rule that makes this safe: **a view from slot ``s`` is valid only until the next request for slot
``s`` on the same thread**, so a slot is used for one temporary of one fast path at a time, and no view
of a slot is ever returned to a caller outside the fast path (outputs are always fresh arrays). The
slots in use:

``"xp"``
    the zero-padded input of a convolution (forward, weight gradient);
``"cols"``
    the im2col columns, or the columns of the input gradient;
``"run"``
    a running sum or a virtual (flat-view) output;
``"step"``
    the term added to a running sum;
``"grad"``
    the padded or zero-filled upstream gradient.
"""

from __future__ import annotations

import threading

import numpy as np

__all__ = ["empty", "zeros", "full", "MAX_BYTES"]

#: Largest buffer kept per slot (bytes); bigger temporaries are allocated afresh each time, so that one
#: very large convolution does not pin its memory for the rest of the session.
MAX_BYTES = 256 << 20

_local = threading.local()


def empty(slot: str, shape, dtype) -> np.ndarray:
    """An uninitialised C-contiguous array of ``shape`` and ``dtype``, a view of the thread's buffer ``slot``."""
    dtype = np.dtype(dtype)
    shape = tuple(int(n) for n in shape)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if nbytes > MAX_BYTES:
        return np.empty(shape, dtype=dtype)
    buffers = _local.__dict__.setdefault("buffers", {})
    buf = buffers.get(slot)
    if buf is None or buf.nbytes < nbytes:
        buf = buffers[slot] = np.empty(max(nbytes, 64), dtype=np.uint8)
    return buf[:nbytes].view(dtype).reshape(shape)


def zeros(slot: str, shape, dtype) -> np.ndarray:
    """:func:`empty`, filled with zeros."""
    out = empty(slot, shape, dtype)
    out.fill(0)
    return out


def full(slot: str, shape, value, dtype) -> np.ndarray:
    """:func:`empty`, filled with ``value``."""
    out = empty(slot, shape, dtype)
    out.fill(value)
    return out
