"""The "flat" view of a stride-1 convolution, used by some fast paths (internal).

With stride 1, kernel tap ``m`` of output position ``o`` reads the padded input at flat (row-major) index

    Σ_i (o_i + m_i d_i) st_i = off(m) + t(o),   t(o) = Σ_i o_i st_i,

where ``st`` are the row-major strides of the padded spatial shape ``P``. So if we let ``t`` run over the
*whole* range ``0 .. t_max`` (``t_max = t(O - 1)``), every tap becomes ONE contiguous slice
``x_flat[off(m) : off(m) + Lv]`` of the flattened padded input: long, fast inner loops instead of one short
row at a time. The price: positions ``t`` that are not of the form ``t(o)`` (the ``P_W - W_out`` "wrap-around"
columns at the end of each row) are computed too and thrown away (:func:`from_virtual`), and must carry a zero
gradient in backward passes (:func:`to_virtual`).
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.lib.stride_tricks import as_strided


class FlatGrid:
    """Geometry of the flat view for a padded spatial shape, kernel, dilation and output shape (stride 1)."""

    def __init__(self, padded_spatial, kernel, dilation, out_shape):
        self.padded_spatial = tuple(padded_spatial)
        self.kernel = tuple(kernel)
        self.dilation = tuple(dilation)
        self.out_shape = tuple(out_shape)
        st = []
        acc = 1
        for n in reversed(self.padded_spatial):
            st.append(acc)
            acc *= n
        self.st = tuple(reversed(st))
        self.size = acc  # prod(P)
        self.length = sum((o - 1) * s for o, s in zip(self.out_shape, self.st, strict=True)) + 1  # Lv
        self.offsets = [
            sum(m * d * s for m, d, s in zip(tap, self.dilation, self.st, strict=True))
            for tap in itertools.product(*(range(k) for k in self.kernel))
        ]

    def cols(self, xp: np.ndarray) -> np.ndarray:
        """Columns ``(N, C·K, Lv)`` of the padded input: one contiguous copy of a strided view of the flat input."""
        n, c = xp.shape[:2]
        xf = np.ascontiguousarray(xp).reshape(n, c, self.size)
        item = xf.itemsize
        view = as_strided(
            xf,
            shape=(n, c) + self.kernel + (self.length,),
            strides=xf.strides[:2] + tuple(d * s * item for d, s in zip(self.dilation, self.st, strict=True)) + (item,),
            writeable=False,
        )
        return view.reshape(n, c * len(self.offsets), self.length)

    def from_virtual(self, yv: np.ndarray) -> np.ndarray:
        """View ``(N, C, *out_shape)`` of the valid positions of ``yv : (N, C, Lv)`` (C-contiguous last axis)."""
        item = yv.itemsize
        return as_strided(yv, shape=yv.shape[:2] + self.out_shape,
                          strides=yv.strides[:2] + tuple(s * item for s in self.st))

    def to_virtual(self, g: np.ndarray) -> np.ndarray:
        """``(N, C, Lv)`` array holding ``g : (N, C, *out_shape)`` at the valid positions, zeros elsewhere."""
        gv = np.zeros(g.shape[:2] + (self.length,), dtype=g.dtype)
        self.from_virtual(gv)[...] = g
        return gv
