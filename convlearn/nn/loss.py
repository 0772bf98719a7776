"""Softmax cross-entropy loss, computed stably with the log-sum-exp trick."""

from __future__ import annotations

import numpy as np

from convlearn._validation import as_real_array

__all__ = ["log_softmax", "softmax", "CrossEntropyLoss"]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log softmax`` along the last axis: ``z − max z − log Σ exp(z − max z)`` (never overflows)."""
    z = as_real_array(logits, "logits")
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Class probabilities ``exp(z_k) / Σ_j exp(z_j)`` along the last axis."""
    return np.exp(log_softmax(logits))


def _check_targets(targets, n: int, n_classes: int) -> np.ndarray:
    t = np.asarray(targets)
    if t.ndim != 1 or t.shape[0] != n:
        raise ValueError(f"targets must have shape ({n},) (one class index per row of logits), got {t.shape}")
    if t.dtype == np.bool_ or not (np.issubdtype(t.dtype, np.integer) or np.issubdtype(t.dtype, np.floating)):
        raise TypeError(f"targets must be integer class indices, got dtype {t.dtype}")
    if np.issubdtype(t.dtype, np.floating):
        if not np.all(np.isfinite(t)) or not np.all(t == np.round(t)):
            raise TypeError("targets must be integer class indices, got non-integer values")
    t = t.astype(np.int64)
    bad = (t < 0) | (t >= n_classes)
    if bad.any():
        raise ValueError(
            f"targets must lie in [0, {n_classes - 1}] for logits with {n_classes} classes; "
            f"got {t[bad][:5].tolist()} at positions {np.flatnonzero(bad)[:5].tolist()}"
        )
    return t


class CrossEntropyLoss:
    """Mean softmax cross-entropy ``L = −(1/N) Σ_i log softmax(z_i)[y_i]`` (as ``torch.nn.CrossEntropyLoss``).

    Call it (or ``forward``) with ``logits : (N, K)`` and integer ``targets : (N,)`` in ``[0, K)``;
    :meth:`backward` then returns ``dL/dz = (softmax(z) − onehot(y)) / N``, of shape ``(N, K)``.

    Raises
    ------
    ValueError
        If shapes do not match, a target is out of range or the logits are not finite.
    """

    def __init__(self) -> None:
        self._cache = None

    def forward(self, logits: np.ndarray, targets: np.ndarray) -> float:
        z = as_real_array(logits, "logits")
        if z.ndim != 2:
            raise ValueError(f"CrossEntropyLoss expects logits of shape (N, K), got shape {z.shape}")
        if not np.all(np.isfinite(z)):
            raise ValueError(
                "CrossEntropyLoss received non-finite logits (NaN or inf): training has diverged; "
                "try a smaller learning rate"
            )
        t = _check_targets(targets, z.shape[0], z.shape[1])
        logp = log_softmax(z)
        n = z.shape[0]
        loss = -float(logp[np.arange(n), t].mean())
        self._cache = (logp, t)
        return loss

    __call__ = forward

    def backward(self) -> np.ndarray:
        """Gradient of the last loss with respect to the logits, ``(N, K)``."""
        if self._cache is None:
            raise RuntimeError("CrossEntropyLoss.backward was called before forward")
        logp, t = self._cache
        n = logp.shape[0]
        grad = np.exp(logp)
        grad[np.arange(n), t] -= 1.0
        return grad / n

    def __repr__(self) -> str:
        return "CrossEntropyLoss()"
