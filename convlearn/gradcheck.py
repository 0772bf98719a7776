"""Numerical gradients by central differences, to check hand-written backward passes.

For a scalar function ``f`` of an array ``x``, each partial derivative is approximated by

    ∂f/∂x_i ≈ (f(x + ε e_i) − f(x − ε e_i)) / (2ε),

whose error is O(ε²) (plus rounding of order ``|f| · machine-ε / ε``). Everything is computed in float64
on a private copy of ``x``: the caller's array is never modified.

Typical use, checking a backward pass against its forward pass::

    f = lambda x: np.sum(conv2d(x, w) * g)
    result = check_gradient(f, x, conv2d_backward(g, x, w)[0])
    assert result, result
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from convlearn._validation import as_real_array

__all__ = ["numerical_gradient", "check_gradient", "GradcheckResult"]


def _scalar(value, name="f(x)") -> float:
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(f"{name} must return a scalar, got an array with shape {arr.shape}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must return a real scalar, got {arr.dtype}")
    return float(arr.reshape(()))


def numerical_gradient(f: Callable[[np.ndarray], float], x, *, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function.

    Parameters
    ----------
    f : callable
        ``f(x) -> float`` (a 0-d array or size-1 array is accepted). Called ``2 * x.size`` times with a
        float64 array of ``x``'s shape.
    x : array_like, any shape
        The point where the gradient is taken. Not modified.
    eps : float, default 1e-6
        Step ``ε`` of the central difference.

    Returns
    -------
    grad : ndarray, float64, same shape as ``x``
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    eps = float(eps)
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a positive finite number, got {eps!r}")
    x0 = as_real_array(x, "x", allow_empty=True)
    work = np.array(x0, dtype=np.float64, copy=True)  # our own copy: the caller's x is never touched
    flat = work.reshape(-1)
    grad = np.empty(flat.shape, dtype=np.float64)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = _scalar(f(work))
        flat[i] = old - eps
        f_minus = _scalar(f(work))
        flat[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad.reshape(work.shape)


@dataclass(frozen=True)
class GradcheckResult:
    """Outcome of :func:`check_gradient`; truthy exactly when the check passed.

    Attributes
    ----------
    ok : bool
        ``|analytic - numerical| <= atol + rtol * |numerical|`` everywhere.
    max_abs_error : float
        ``max |analytic - numerical|``.
    max_rel_error : float
        ``max |analytic - numerical| / max(|numerical|, tiny)``.
    numerical, analytic : ndarray
        The two gradients compared (float64, ``x``'s shape).
    """

    ok: bool
    max_abs_error: float
    max_rel_error: float
    numerical: np.ndarray
    analytic: np.ndarray

    def __bool__(self) -> bool:
        return bool(self.ok)

    def __repr__(self) -> str:
        return (f"GradcheckResult(ok={self.ok}, max_abs_error={self.max_abs_error:.3g}, "
                f"max_rel_error={self.max_rel_error:.3g}, shape={self.numerical.shape})")


def check_gradient(f: Callable[[np.ndarray], float], x, analytic, *, eps: float = 1e-6, rtol: float = 1e-5,
                   atol: float = 1e-8) -> GradcheckResult:
    """Compare an analytic gradient with central differences.

    Parameters
    ----------
    f : callable
        Scalar function of ``x``.
    x : array_like
        Point of evaluation (not modified).
    analytic : array_like, same shape as ``x``
        The gradient to check, e.g. from a backward pass.
    eps : float
        Central-difference step.
    rtol, atol : float
        Tolerances of the element-wise test ``|analytic - numerical| <= atol + rtol |numerical|``.

    Returns
    -------
    GradcheckResult
        Truthy when the gradients agree; its ``repr`` reports the errors.
    """
    x_arr = as_real_array(x, "x", allow_empty=True)
    a = as_real_array(analytic, "analytic", allow_empty=True).astype(np.float64)
    if a.shape != x_arr.shape:
        raise ValueError(f"analytic must have the shape of x, {x_arr.shape}; got shape {a.shape}")
    num = numerical_gradient(f, x_arr, eps=eps)
    diff = np.abs(a - num)
    ok = bool(np.all(diff <= atol + rtol * np.abs(num)))
    max_abs = float(diff.max()) if diff.size else 0.0
    rel = diff / np.maximum(np.abs(num), np.finfo(np.float64).tiny)
    max_rel = float(rel.max()) if rel.size else 0.0
    return GradcheckResult(ok=ok, max_abs_error=max_abs, max_rel_error=max_rel, numerical=num, analytic=a)
