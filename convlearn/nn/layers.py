"""Layers with explicit ``forward``/``backward``: convolution, pooling, activations, linear, dropout.

Every layer keeps one contract, that of :class:`~convlearn.nn.Module`:

* ``forward(x)`` checks ``x`` (a wrong shape raises a :class:`ValueError` naming the layer, the expected
  layout and the shape received), computes the output and keeps what the backward pass needs;
* ``backward(grad_out)`` takes ``dL/dy`` of the last forward output (same shape), **overwrites** the
  ``grad`` of each parameter with ``dL/dθ`` and returns ``dL/dx`` (shape of ``x``);
* ``parameters()`` lists the :class:`~convlearn.nn.Parameter` records (``weight`` then ``bias``).

Each layer follows PyTorch's constructor arguments and parameter shapes, so that a ``torch.nn`` module
loaded with the same weights gives the same numbers, and computes through
:mod:`convlearn.nn.functional`: the geometry (padding, ``"same"``, the kernel-fits check, output sizes)
is the functional operation's, and its errors are re-raised prefixed with the layer.

Shapes (channels first, with a batch axis):

* ``Conv1d``: ``x : (N, C_in, L)``; ``Conv2d``: ``x : (N, C_in, H, W)``; ``Conv3d``: ``x : (N, C_in, D, H, W)``;
  ``weight : (C_out, C_in/groups, *k)``, ``bias : (C_out,)``.
* ``ConvTranspose2d``: ``x : (N, C_in, H, W)``, ``weight : (C_in, C_out/groups, k_H, k_W)``, ``bias : (C_out,)``.
* ``MaxPool2d``, ``AvgPool2d``: ``x : (N, C, H, W)`` → ``(N, C, H_out, W_out)``.
* ``Linear``: ``x : (N, in_features)``, ``weight : (out_features, in_features)``, ``bias : (out_features,)``.

Convolution layers compute cross-correlation, exactly as PyTorch does (``mode="correlation"``).
With ``mode="convolution"`` they compute the true convolution of the book, i.e. cross-correlation with the
kernel flipped along every spatial axis; the stored ``weight`` is then the convolution kernel, and its
gradient is flipped accordingly.

Initial weights are drawn from ``rng``: a :class:`numpy.random.Generator`, an int seed, or ``None`` for
the package's default generator, which :func:`convlearn.manual_seed` restarts (so two layers built one
after the other get different weights, and a script that seeds first is reproducible).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from convlearn._validation import (
    as_int_tuple,
    as_positive_int,
    as_real_array,
    check_choice,
)
from convlearn.nn import functional as F
from convlearn.nn import init as _init
from convlearn.nn.functional import _args
from convlearn.nn.functional.geometry import check_output_padding
from convlearn.nn.module import Module, Parameter

__all__ = [
    "Conv1d",
    "Conv2d",
    "Conv3d",
    "ConvTranspose2d",
    "MaxPool2d",
    "AvgPool2d",
    "ReLU",
    "Flatten",
    "Linear",
    "Dropout",
    "Sequential",
]

_INITS = ("he", "xavier", "pytorch")

def _check_input(layer: Module, x, nd: int, channels: int | None) -> np.ndarray:
    """``x`` as a real array of ``nd`` spatial axes (and ``channels`` channels), or a ValueError naming ``layer``."""
    x = as_real_array(x, "x")
    want = _args.layout(nd, channels if channels is not None else "C")
    if x.ndim != nd + 2:
        hint = " (add a batch axis with x[None] for a single example)" if x.ndim == nd + 1 else ""
        raise ValueError(f"{layer!r} expects x of shape {want}, got a {x.ndim}-D array of shape {x.shape}{hint}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{layer!r} expects x of shape {want} with {channels} channels, got shape {x.shape}")
    return x


@contextlib.contextmanager
def _named(layer: Module) -> Iterator[None]:
    """Re-raise a ``ValueError`` of the functional call inside, prefixed with ``layer``."""
    try:
        yield
    except ValueError as exc:
        raise ValueError(f"{layer!r}: {exc}") from None


def _options(*options: tuple[str, object, object]) -> str:
    """``", name=value"`` for every ``(name, value, default)`` whose value is not the default."""
    return "".join(f", {name}={value!r}" for name, value, default in options if value != default)


# ---------------------------------------------------------------------------------------------------
# Layers with a weight and a bias
# ---------------------------------------------------------------------------------------------------
class _WeightBias(Module):
    """A layer with a ``weight`` and an optional ``bias``: their initialisation, listing and gradients."""

    weight: Parameter
    bias: Parameter | None

    def _init_parameters(self, weight_shape: tuple[int, ...], n_bias: int, bias: bool, init: str, rng,
                         dtype) -> None:
        """Draw ``weight`` (``init`` scheme), then ``bias : (n_bias,)`` (zeros; PyTorch's uniform for ``"pytorch"``).

        The fans are PyTorch's (:func:`convlearn.nn.init.fan_in_and_fan_out` of ``weight_shape``).
        """
        self.init = check_choice(init, "init", _INITS)
        bias = _args.as_bool(bias, "bias")
        rng = _init.as_generator(rng)
        fan_in, _ = _init.fan_in_and_fan_out(weight_shape)
        if init == "he":
            w = _init.kaiming_normal(weight_shape, rng=rng, dtype=dtype)
        elif init == "xavier":
            w = _init.xavier_uniform(weight_shape, rng=rng, dtype=dtype)
        else:
            w = _init.uniform_fan_in(weight_shape, fan_in, rng=rng, dtype=dtype)
        self.weight = Parameter.of("weight", w)
        self.bias = None
        if bias:
            b = (_init.uniform_fan_in((n_bias,), fan_in, rng=rng, dtype=dtype) if init == "pytorch"
                 else np.zeros(n_bias, dtype=dtype))
            self.bias = Parameter.of("bias", b)

    def _own_parameters(self) -> list[Parameter]:
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def _bias_value(self) -> np.ndarray | None:
        return None if self.bias is None else self.bias.value

    def _store_gradients(self, grad_weight: np.ndarray, grad_bias: np.ndarray | None) -> None:
        self.weight.grad[...] = grad_weight
        if self.bias is not None:
            self.bias.grad[...] = grad_bias


# ---------------------------------------------------------------------------------------------------
# Convolutions
# ---------------------------------------------------------------------------------------------------
class _ConvNd(_WeightBias):
    """The convolution layers; each names its functions of :mod:`convlearn.nn.functional` in :meth:`_conv`
    and :meth:`_conv_backward`.

    Those are looked up in :mod:`convlearn.nn.functional` at call time, so that
    :func:`convlearn.grading.forbid`, which replaces module attributes, also blocks the layers.
    """

    _nd = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        dilation=1,
        groups: int = 1,
        bias: bool = True,
        *,
        mode: str = "correlation",
        init: str = "he",
        rng=None,
        dtype=np.float64,
    ) -> None:
        super().__init__()
        n = self._nd
        self.in_channels = as_positive_int(in_channels, "in_channels")
        self.out_channels = as_positive_int(out_channels, "out_channels")
        self.kernel_size = as_int_tuple(kernel_size, n, "kernel_size", minimum=1)
        self.stride = as_int_tuple(stride, n, "stride", minimum=1)
        self.dilation = as_int_tuple(dilation, n, "dilation", minimum=1)
        self.groups = as_positive_int(groups, "groups")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"in_channels ({self.in_channels}) and out_channels ({self.out_channels}) must both be divisible "
                f"by groups ({self.groups})"
            )
        self.padding = self._check_padding(padding)
        self.mode = check_choice(mode, "mode", ("correlation", "convolution"))
        c_first, c_second = ((self.in_channels, self.out_channels) if self._transposed
                             else (self.out_channels, self.in_channels))
        self._init_parameters((c_first, c_second // self.groups, *self.kernel_size), self.out_channels, bias, init,
                              rng, dtype)
        self._x = None

    def _check_padding(self, padding):
        """``padding`` as given (``"valid"``/``"same"``) or as a tuple, checked by the functional's rule."""
        pads = _args.conv_padding(padding, self._nd, self.kernel_size, self.stride, self.dilation)
        return padding if isinstance(padding, str) else tuple(lo for lo, _ in pads)

    def _hyper(self) -> dict:
        """The keyword arguments of the functional call (geometry and groups)."""
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation, groups=self.groups)

    @property
    def spatial_axes(self) -> tuple[int, ...]:
        """The axes of ``weight`` (and ``x``) that the kernel slides along: ``(2, ..., 1 + nd)``."""
        return tuple(range(2, 2 + self._nd))

    def effective_weight(self) -> np.ndarray:
        """The kernel that is cross-correlated with the input: ``weight``, flipped in ``"convolution"`` mode."""
        w = self.weight.value
        return np.flip(w, axis=self.spatial_axes) if self.mode == "convolution" else w

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``y = conv(x, weight) + bias``; see the class docstring for the shapes."""
        x = _check_input(self, x, self._nd, self.in_channels)
        with _named(self):
            y = self._conv(x, self.effective_weight(), self._bias_value(), **self._hyper())
        self._x, self._y_shape = x, y.shape
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Store ``dL/dweight`` and ``dL/dbias``; return ``dL/dx`` of shape ``x.shape``."""
        x = self._saved("_x")
        g = self._check_grad_out(grad_out, self._y_shape)
        with _named(self):
            grad_x, grad_w, grad_b = self._conv_backward(g, x, self.effective_weight(), **self._hyper())
        if self.mode == "convolution":  # d/dW of corr(x, flip(W)) is flip(d/dK of corr(x, K))
            grad_w = np.flip(grad_w, axis=self.spatial_axes)
        self._store_gradients(grad_w, grad_b)
        return grad_x

    def extra_repr(self) -> str:
        nd = self._nd
        return f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}" + (
            _options(
                ("padding", self.padding, (0,) * nd),
                ("output_padding", getattr(self, "output_padding", (0,) * nd), (0,) * nd),
                ("dilation", self.dilation, (1,) * nd),
                ("groups", self.groups, 1),
                ("bias", self.bias is not None, True),
                ("mode", self.mode, "correlation"),
            )
        )


class Conv1d(_ConvNd):
    """1-D convolution layer: ``x : (N, C_in, L)`` → ``y : (N, C_out, L_out)``.

    ``L_out = ⌊(L + 2p − d(k − 1) − 1)/s⌋ + 1`` (:func:`convlearn.nn.functional.conv_output_size`).

    Parameters
    ----------
    in_channels : int
        ``C_in``, the channels of ``x``.
    out_channels : int
        ``C_out``, the channels of ``y``.
    kernel_size : int or tuple of int
        ``k``, one value for every spatial axis or one per axis.
    stride : int or tuple of int, default 1
    padding : int or tuple of int or {"valid", "same"}, default 0
        Zeros added on both sides of every spatial axis; ``"same"`` (stride 1 only) keeps the size, with
        the odd zero after, as in PyTorch.
    dilation : int or tuple of int, default 1
    groups : int, default 1
        Both ``C_in`` and ``C_out`` must be divisible by it.
    bias : bool, default True
    mode : {"correlation", "convolution"}, keyword-only
        ``"convolution"`` flips the kernel before sliding it (true convolution).
    init : {"he", "xavier", "pytorch"}, keyword-only
        Weight initialisation (biases start at 0, except ``"pytorch"``: uniform like PyTorch's default).
    rng : numpy.random.Generator or int or None, keyword-only
        Source of the initial weights (``None``: the default generator, see :func:`convlearn.manual_seed`).
    dtype : numpy dtype, keyword-only
        Of the parameters (float64 by default).

    Attributes
    ----------
    weight : Parameter
        ``(C_out, C_in/groups, k)``.
    bias : Parameter or None
        ``(C_out,)``.
    """

    _nd = 1

    def _conv(self, *args, **kwargs) -> np.ndarray:
        return F.conv1d(*args, **kwargs)

    def _conv_backward(self, *args, **kwargs):
        return F.conv1d_backward(*args, **kwargs)


class Conv2d(_ConvNd):
    """2-D convolution layer: ``x : (N, C_in, H, W)`` → ``y : (N, C_out, H_out, W_out)``.

    ``H_out = ⌊(H + 2p − d(k_H − 1) − 1)/s⌋ + 1``, and the same along ``W``. Arguments as :class:`Conv1d`,
    with one value for both axes or a pair ``(H, W)``.

    Attributes
    ----------
    weight : Parameter
        ``(C_out, C_in/groups, k_H, k_W)``.
    bias : Parameter or None
        ``(C_out,)``.
    """

    _nd = 2

    def _conv(self, *args, **kwargs) -> np.ndarray:
        return F.conv2d(*args, **kwargs)

    def _conv_backward(self, *args, **kwargs):
        return F.conv2d_backward(*args, **kwargs)


class Conv3d(_ConvNd):
    """3-D convolution layer: ``x : (N, C_in, D, H, W)`` → ``y : (N, C_out, D_out, H_out, W_out)``.

    Arguments as :class:`Conv1d`, with one value for every axis or a triple ``(D, H, W)``.

    Attributes
    ----------
    weight : Parameter
        ``(C_out, C_in/groups, k_D, k_H, k_W)``.
    bias : Parameter or None
        ``(C_out,)``.
    """

    _nd = 3

    def _conv(self, *args, **kwargs) -> np.ndarray:
        return F.conv3d(*args, **kwargs)

    def _conv_backward(self, *args, **kwargs):
        return F.conv3d_backward(*args, **kwargs)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the adjoint of :class:`Conv2d`, "fractionally strided").

    ``x : (N, C_in, H, W)`` → ``y : (N, C_out, H_out, W_out)`` with
    ``H_out = (H − 1)s − 2p + d(k_H − 1) + output_padding + 1``, and the same along ``W``.

    Parameters
    ----------
    in_channels, out_channels : int
        ``C_in`` and ``C_out``.
    kernel_size, stride : int or (int, int)
    padding : int or (int, int), default 0
        Removed from both sides of the output (no strings).
    output_padding : int or (int, int), default 0
        Added to one side of the output; smaller than the stride or the dilation on every axis.
    groups : int, default 1
    bias : bool, default True
    dilation : int or (int, int), default 1
    init, rng, dtype : keyword-only
        As in :class:`Conv1d`.

    Attributes
    ----------
    weight : Parameter
        ``(C_in, C_out/groups, k_H, k_W)`` (PyTorch's layout: input channels first).
    bias : Parameter or None
        ``(C_out,)``.
    """

    _nd = 2
    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, *, init: str = "he", rng=None,
                 dtype=np.float64) -> None:
        self.output_padding = as_int_tuple(output_padding, 2, "output_padding", minimum=0)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         init=init, rng=rng, dtype=dtype)

    def _check_padding(self, padding):
        padding = as_int_tuple(padding, 2, "padding", minimum=0)
        check_output_padding(self.output_padding, self.stride, self.dilation)
        return padding

    def _hyper(self) -> dict:
        return dict(super()._hyper(), output_padding=self.output_padding)

    def _conv(self, *args, **kwargs) -> np.ndarray:
        return F.conv_transpose2d(*args, **kwargs)

    def _conv_backward(self, *args, **kwargs):
        return F.conv_transpose2d_backward(*args, **kwargs)


# ---------------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------------
class _Pool2d(Module):
    """The pooling layers; each names its functions of :mod:`convlearn.nn.functional` in :meth:`_pool` and
    :meth:`_pool_backward` (looked up at call time, as for the convolutions)."""

    #: Whether the forward function can return where each output came from (``return_indices=True``), to
    #: spare the backward pass the search.
    _with_indices = False

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = as_int_tuple(kernel_size, 2, "kernel_size", minimum=1)
        self.stride = self.kernel_size if stride is None else as_int_tuple(stride, 2, "stride", minimum=1)
        self.padding = as_int_tuple(padding, 2, "padding", minimum=0)
        self.ceil_mode = _args.as_bool(ceil_mode, "ceil_mode")
        self._x = self._indices = None

    def _hyper(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, ceil_mode=self.ceil_mode)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Pool every channel of ``x : (N, C, H, W)``; returns ``(N, C, H_out, W_out)``."""
        x = _check_input(self, x, 2, None)
        with _named(self):
            if self._with_indices:
                y, self._indices = self._pool(x, self.kernel_size, **self._hyper(), return_indices=True)
            else:
                y, self._indices = self._pool(x, self.kernel_size, **self._hyper()), None
        self._x, self._y_shape = x, y.shape
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """``dL/dx`` of shape ``(N, C, H, W)`` from ``grad_out : (N, C, H_out, W_out)``."""
        x = self._saved("_x")
        g = self._check_grad_out(grad_out, self._y_shape)
        extra = {} if self._indices is None else {"indices": self._indices}
        with _named(self):
            return self._pool_backward(g, x, self.kernel_size, **self._hyper(), **extra)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}" + _options(
            ("padding", self.padding, (0, 0)),
            ("dilation", getattr(self, "dilation", (1, 1)), (1, 1)),
            ("ceil_mode", self.ceil_mode, False),
            ("count_include_pad", getattr(self, "count_include_pad", True), True),
        )


class MaxPool2d(_Pool2d):
    """Max pooling over ``k_H × k_W`` windows: ``x : (N, C, H, W)`` → ``y : (N, C, H_out, W_out)``.

    ``H_out = ⌊(H + 2p − d(k_H − 1) − 1)/s⌋ + 1`` (rounded up with ``ceil_mode``, as in PyTorch); the
    gradient flows only to the maximum of each window.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int) or None, default None
        ``None``: the kernel size (windows side by side).
    padding : int or (int, int), default 0
        At most half the kernel size; padded samples never win the maximum.
    dilation : int or (int, int), default 1
    ceil_mode : bool, default False
        A bool (a string such as ``"False"`` raises ``TypeError``).
    """

    _with_indices = True

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = as_int_tuple(dilation, 2, "dilation", minimum=1)

    def _hyper(self) -> dict:
        return dict(super()._hyper(), dilation=self.dilation)

    def _pool(self, *args, **kwargs):
        return F.max_pool2d(*args, **kwargs)

    def _pool_backward(self, *args, **kwargs) -> np.ndarray:
        return F.max_pool2d_backward(*args, **kwargs)


class AvgPool2d(_Pool2d):
    """Average pooling over ``k_H × k_W`` windows: ``x : (N, C, H, W)`` → ``y : (N, C, H_out, W_out)``.

    ``H_out = ⌊(H + 2p − k_H)/s⌋ + 1`` (rounded up with ``ceil_mode``, as in PyTorch).

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int) or None, default None
        ``None``: the kernel size.
    padding : int or (int, int), default 0
        At most half the kernel size.
    ceil_mode : bool, default False
    count_include_pad : bool, default True
        Whether padded zeros count in the divisor (PyTorch's rule). Both flags must be bools.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = _args.as_bool(count_include_pad, "count_include_pad")

    def _hyper(self) -> dict:
        return dict(super()._hyper(), count_include_pad=self.count_include_pad)

    def _pool(self, *args, **kwargs) -> np.ndarray:
        return F.avg_pool2d(*args, **kwargs)

    def _pool_backward(self, *args, **kwargs) -> np.ndarray:
        return F.avg_pool2d_backward(*args, **kwargs)


# ---------------------------------------------------------------------------------------------------
# Element-wise and reshaping layers
# ---------------------------------------------------------------------------------------------------
class ReLU(Module):
    """``y = max(x, 0)`` element-wise; the gradient is 1 where ``x > 0`` and 0 elsewhere (also at 0)."""

    def __init__(self) -> None:
        super().__init__()
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_real_array(x, "x")
        self._x = x
        return np.maximum(x, 0).astype(x.dtype, copy=False)

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x = self._saved("_x")
        g = self._check_grad_out(grad_out, x.shape)
        return np.where(x > 0, g, 0).astype(np.result_type(g.dtype, x.dtype), copy=False)


class Flatten(Module):
    """Merge axes ``start_dim..end_dim`` into one: ``(N, C, H, W)`` → ``(N, C·H·W)`` by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        if not isinstance(start_dim, int) or not isinstance(end_dim, int):
            raise TypeError(f"start_dim and end_dim must be ints, got {start_dim!r} and {end_dim!r}")
        self.start_dim, self.end_dim = start_dim, end_dim
        self._shape = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_real_array(x, "x")
        start = self.start_dim % x.ndim if -x.ndim <= self.start_dim < x.ndim else None
        end = self.end_dim % x.ndim if -x.ndim <= self.end_dim < x.ndim else None
        if start is None or end is None or start > end:
            raise ValueError(f"{self!r} cannot flatten a {x.ndim}-D input of shape {x.shape}")
        self._shape = x.shape
        return x.reshape(*x.shape[:start], -1, *x.shape[end + 1:])

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        shape = self._saved("_shape")
        g = as_real_array(grad_out, "grad_out")
        if g.size != int(np.prod(shape)):
            raise ValueError(f"{self!r}: grad_out of shape {g.shape} does not match the input shape {shape}")
        return g.reshape(shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Linear(_WeightBias):
    """Affine map ``y = x Wᵀ + b``: ``x : (N, in_features)`` → ``y : (N, out_features)``.

    Parameters
    ----------
    in_features, out_features : int
    bias : bool, default True
    init, rng, dtype : keyword-only
        As in :class:`Conv1d` (``fan_in = in_features``).

    Attributes
    ----------
    weight : Parameter
        ``(out_features, in_features)``.
    bias : Parameter or None
        ``(out_features,)``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, init: str = "he", rng=None,
                 dtype=np.float64) -> None:
        super().__init__()
        self.in_features = as_positive_int(in_features, "in_features")
        self.out_features = as_positive_int(out_features, "out_features")
        self._init_parameters((self.out_features, self.in_features), self.out_features, bias, init, rng, dtype)
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """``y = x Wᵀ + b`` for ``x : (N, in_features)``."""
        x = as_real_array(x, "x")
        if x.ndim != 2 or x.shape[1] != self.in_features:
            hint = " (insert a Flatten() before it)" if x.ndim > 2 else ""
            raise ValueError(f"{self!r} expects x of shape (N, {self.in_features}), got shape {x.shape}{hint}")
        y = x @ self.weight.value.T
        if self.bias is not None:
            y = y + self.bias.value
        self._x = x
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Store ``dL/dW = gᵀ x`` and ``dL/db = Σ_n g``; return ``dL/dx = g W``, shape ``(N, in_features)``."""
        x = self._saved("_x")
        g = self._check_grad_out(grad_out, (x.shape[0], self.out_features))
        self._store_gradients(g.T @ x, g.sum(axis=0))
        return g @ self.weight.value

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Dropout(Module):
    """Inverted dropout: in training mode zero each entry with probability ``p`` and scale the rest by ``1/(1−p)``.

    In evaluation mode (:meth:`Module.eval`) it is the identity; ``x`` and the output have any shape,
    the same one.

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing an entry, in ``[0, 1]``.
    rng : numpy.random.Generator or int or None, keyword-only
        Source of the masks (``None``: the default generator, see :func:`convlearn.manual_seed`).
    """

    def __init__(self, p: float = 0.5, *, rng=None) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"dropout probability p must be a number in [0, 1], got {p!r}")
        self.p = float(p)
        self.rng = _init.as_generator(rng)
        self._mask = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_real_array(x, "x", allow_empty=True)
        if not self.training or self.p == 0.0:
            self._mask = np.ones((), dtype=x.dtype)
            return x
        keep = self.rng.random(x.shape) >= self.p
        scale = 0.0 if self.p == 1.0 else 1.0 / (1.0 - self.p)
        self._mask = (keep * scale).astype(x.dtype)
        return x * self._mask

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        mask = self._saved("_mask")
        g = as_real_array(grad_out, "grad_out", allow_empty=True)
        if mask.ndim and g.shape != mask.shape:
            raise ValueError(f"{self!r}: grad_out has shape {g.shape}, the last input had shape {mask.shape}")
        return g * mask

    def extra_repr(self) -> str:
        return f"p={self.p}"


# ---------------------------------------------------------------------------------------------------
# Container
# ---------------------------------------------------------------------------------------------------
class Sequential(Module):
    """Layers applied one after the other; ``backward`` runs them in reverse order.

    Examples
    --------
    >>> net = Sequential(Conv2d(1, 4, 3, padding=1), ReLU(), Flatten(), Linear(4 * 8 * 8, 10))
    >>> net.forward(np.zeros((2, 1, 8, 8))).shape
    (2, 10)
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: layer {i} must be a convlearn.nn.Module, got {type(layer).__name__}")
        self.layers = list(layers)

    def children(self) -> list[tuple[str, Module]]:
        return [(str(i), layer) for i, layer in enumerate(self.layers)]

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def __getitem__(self, i):
        if isinstance(i, slice):
            return Sequential(*self.layers[i])
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self):
        return iter(self.layers)

    def __repr__(self) -> str:
        body = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({body}\n)" if self.layers else "Sequential()"
