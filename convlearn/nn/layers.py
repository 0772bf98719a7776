"""Layers with explicit ``forward``/``backward``: convolution, pooling, activations, linear, dropout.

Every layer follows PyTorch's constructor arguments and parameter shapes (so that a ``torch.nn``
module loaded with the same weights gives the same numbers), computes through
:mod:`convlearn.nn.functional`, and checks its input: a wrong shape raises a :class:`ValueError`
naming the layer, the expected layout and the shape received.

Shapes (channels first, with a batch axis):

* ``Conv1d``: ``x : (N, C_in, L)``; ``Conv2d``: ``x : (N, C_in, H, W)``; ``Conv3d``: ``x : (N, C_in, D, H, W)``;
  ``weight : (C_out, C_in/groups, *k)``, ``bias : (C_out,)``.
* ``ConvTranspose2d``: ``weight : (C_in, C_out/groups, k_H, k_W)``.
* ``Linear``: ``x : (N, in_features)``, ``weight : (out_features, in_features)``.

Convolution layers compute cross-correlation, exactly as PyTorch does (``mode="correlation"``).
With ``mode="convolution"`` they compute the true convolution of the book, i.e. cross-correlation with the
kernel flipped along every spatial axis; the stored ``weight`` is then the convolution kernel, and its
gradient is flipped accordingly.
"""

from __future__ import annotations

import numpy as np

from convlearn._validation import (
    as_int_tuple,
    as_positive_int,
    as_real_array,
    check_choice,
)
from convlearn.nn import functional as F
from convlearn.nn import init as _init
from convlearn.nn.functional.geometry import check_output_padding, dilated_extent, same_padding
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

_LAYOUTS = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}
_INITS = ("he", "xavier", "pytorch")


def _init_weight(shape, init: str, rng, dtype) -> np.ndarray:
    check_choice(init, "init", _INITS)
    if init == "he":
        return _init.kaiming_normal(shape, rng=rng, dtype=dtype)
    if init == "xavier":
        return _init.xavier_uniform(shape, rng=rng, dtype=dtype)
    fan_in, _ = _init.fan_in_and_fan_out(shape)
    return _init.uniform_fan_in(shape, fan_in, rng=rng, dtype=dtype)


def _init_bias(n: int, fan_in: int, init: str, rng, dtype) -> np.ndarray:
    if init == "pytorch":
        return _init.uniform_fan_in((n,), fan_in, rng=rng, dtype=dtype)
    return np.zeros(n, dtype=dtype)


def _layout(n: int, channels: int | str) -> str:
    names = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}[n]
    return f"(N, {channels}, {', '.join(names)})"


def _check_input(layer: Module, x, nd: int, channels: int | None) -> np.ndarray:
    """``x`` as a real array of ``nd`` spatial axes (and ``channels`` channels), or a ValueError naming ``layer``."""
    x = as_real_array(x, "x")
    want = _layout(nd, channels if channels is not None else "C")
    if x.ndim != nd + 2:
        hint = " (add a batch axis with x[None] for a single example)" if x.ndim == nd + 1 else ""
        raise ValueError(f"{layer!r} expects x of shape {want}, got a {x.ndim}-D array of shape {x.shape}{hint}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{layer!r} expects x of shape {want} with {channels} channels, got shape {x.shape}")
    return x


# ---------------------------------------------------------------------------------------------------
# Convolutions
# ---------------------------------------------------------------------------------------------------
class _ConvNd(Module):
    _nd = 2

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
        if isinstance(padding, str):
            check_choice(padding, "padding", ("valid", "same"))
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"padding='same' needs stride 1 on every axis, got stride={self.stride}")
        else:
            padding = as_int_tuple(padding, n, "padding", minimum=0)
        self.padding = padding
        self.mode = check_choice(mode, "mode", ("correlation", "convolution"))
        self.init = check_choice(init, "init", _INITS)
        rng = _init.as_generator(rng)
        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight = Parameter.of("weight", _init_weight(shape, init, rng, dtype))
        fan_in, _ = _init.fan_in_and_fan_out(shape)
        self.bias = Parameter.of("bias", _init_bias(self.out_channels, fan_in, init, rng, dtype)) if bias else None
        self._x = None

    # functional hooks (looked up at call time so that the layer always uses convlearn.nn.functional)
    def _forward_fn(self):
        return getattr(F, f"conv{self._nd}d")

    def _backward_fn(self):
        return getattr(F, f"conv{self._nd}d_backward")

    def _own_parameters(self) -> list[Parameter]:
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    @property
    def spatial_axes(self) -> tuple[int, ...]:
        return tuple(range(2, 2 + self._nd))

    def effective_weight(self) -> np.ndarray:
        """The kernel that is cross-correlated with the input: ``weight``, flipped in ``"convolution"`` mode."""
        w = self.weight.value
        return np.flip(w, axis=self.spatial_axes) if self.mode == "convolution" else w

    def _pads(self) -> tuple[tuple[int, int], ...]:
        """(before, after) zero padding of every spatial axis."""
        if self.padding == "valid":
            return tuple((0, 0) for _ in range(self._nd))
        if self.padding == "same":
            return tuple(same_padding(k, d) for k, d in zip(self.kernel_size, self.dilation, strict=True))
        return tuple((p, p) for p in self.padding)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_input(self, x, self._nd, self.in_channels)
        pads = self._pads()
        span = [dilated_extent(k, d) for k, d in zip(self.kernel_size, self.dilation, strict=True)]
        padded = [s + a + b for s, (a, b) in zip(x.shape[2:], pads, strict=True)]
        if any(p < s for p, s in zip(padded, span, strict=True)):
            raise ValueError(
                f"{self!r}: the (dilated) kernel spans {tuple(span)} but the padded input is only {tuple(padded)} "
                f"(x has shape {x.shape})"
            )
        if all(a == b for a, b in pads):
            xp, pad_arg = x, tuple(a for a, _ in pads)
        else:  # asymmetric "same" padding (even dilated kernel): pad explicitly, like PyTorch
            xp, pad_arg = np.pad(x, ((0, 0), (0, 0), *pads)), 0
        bias = None if self.bias is None else self.bias.value
        y = self._forward_fn()(
            xp, self.effective_weight(), bias, stride=self.stride, padding=pad_arg,
            dilation=self.dilation, groups=self.groups,
        )
        self._x, self._xp, self._pad_arg, self._y_shape = x, xp, pad_arg, y.shape
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        self._saved("_x")
        xp = self._xp
        g = self._check_grad_out(grad_out, self._y_shape)
        grad_x, grad_w, grad_b = self._backward_fn()(
            g, xp, self.effective_weight(), stride=self.stride, padding=self._pad_arg,
            dilation=self.dilation, groups=self.groups,
        )
        if self.mode == "convolution":  # d/dW of corr(x, flip(W)) is flip(d/dK of corr(x, K))
            grad_w = np.flip(grad_w, axis=self.spatial_axes)
        self.weight.grad[...] = grad_w
        if self.bias is not None:
            self.bias.grad[...] = grad_b
        if xp is not self._x:  # undo the explicit padding
            pads = self._pads()
            spatial = zip(pads, self._x.shape[2:], strict=True)
            crop = (slice(None), slice(None), *(slice(a, a + s) for (a, _), s in spatial))
            grad_x = grad_x[crop]
        return grad_x

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self._nd:
            s += f", padding={self.padding!r}"
        if self.dilation != (1,) * self._nd:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.mode != "correlation":
            s += f", mode={self.mode!r}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution layer: ``x : (N, C_in, L)`` → ``y : (N, C_out, L_out)``; weight ``(C_out, C_in/groups, k)``.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size, stride, padding, dilation : int or tuple
        As in :func:`convlearn.nn.functional.conv1d`; ``padding`` may also be ``"valid"`` or ``"same"``.
    groups : int
    bias : bool
    mode : {"correlation", "convolution"}
        ``"convolution"`` flips the kernel before sliding it (true convolution).
    init : {"he", "xavier", "pytorch"}
        Weight initialisation (biases start at 0, except ``"pytorch"``: uniform like PyTorch's default).
    rng : numpy.random.Generator or int or None
        Source of the initial weights (``None``: seed 0).
    dtype : numpy dtype
        Of the parameters (float64 by default).
    """

    _nd = 1


class Conv2d(_ConvNd):
    """2-D convolution layer: ``x : (N, C_in, H, W)`` → ``y : (N, C_out, H_out, W_out)``.

    ``weight : (C_out, C_in/groups, k_H, k_W)``, ``bias : (C_out,)``, and
    ``H_out = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1``. Arguments as :class:`Conv1d`, with one value per axis
    or a pair ``(H, W)``.
    """

    _nd = 2


class Conv3d(_ConvNd):
    """3-D convolution layer: ``x : (N, C_in, D, H, W)``; ``weight : (C_out, C_in/groups, k_D, k_H, k_W)``.

    Arguments as :class:`Conv1d`.
    """

    _nd = 3


class ConvTranspose2d(Module):
    """Transposed 2-D convolution (the adjoint of :class:`Conv2d`, "fractionally strided").

    ``x : (N, C_in, H, W)`` → ``y : (N, C_out, H_out, W_out)`` with
    ``H_out = (H − 1)s − 2p + d(k − 1) + output_padding + 1``;
    ``weight : (C_in, C_out/groups, k_H, k_W)``, ``bias : (C_out,)``. Arguments follow
    ``torch.nn.ConvTranspose2d``; ``init``, ``rng`` and ``dtype`` as in :class:`Conv1d`.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size,
        stride=1,
        padding=0,
        output_padding=0,
        groups: int = 1,
        bias: bool = True,
        dilation=1,
        *,
        init: str = "he",
        rng=None,
        dtype=np.float64,
    ) -> None:
        super().__init__()
        self.in_channels = as_positive_int(in_channels, "in_channels")
        self.out_channels = as_positive_int(out_channels, "out_channels")
        self.kernel_size = as_int_tuple(kernel_size, 2, "kernel_size", minimum=1)
        self.stride = as_int_tuple(stride, 2, "stride", minimum=1)
        self.padding = as_int_tuple(padding, 2, "padding", minimum=0)
        self.output_padding = as_int_tuple(output_padding, 2, "output_padding", minimum=0)
        self.dilation = as_int_tuple(dilation, 2, "dilation", minimum=1)
        self.groups = as_positive_int(groups, "groups")
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise ValueError(
                f"in_channels ({self.in_channels}) and out_channels ({self.out_channels}) must both be divisible "
                f"by groups ({self.groups})"
            )
        check_output_padding(self.output_padding, self.stride, self.dilation)
        self.init = check_choice(init, "init", _INITS)
        rng = _init.as_generator(rng)
        shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        self.weight = Parameter.of("weight", _init_weight(shape, init, rng, dtype))
        fan_in, _ = _init.fan_in_and_fan_out(shape)
        self.bias = Parameter.of("bias", _init_bias(self.out_channels, fan_in, init, rng, dtype)) if bias else None
        self._x = None

    def _own_parameters(self) -> list[Parameter]:
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def _kwargs(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, output_padding=self.output_padding,
                    groups=self.groups, dilation=self.dilation)

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_input(self, x, 2, self.in_channels)
        bias = None if self.bias is None else self.bias.value
        y = F.conv_transpose2d(x, self.weight.value, bias, **self._kwargs())
        self._x, self._y_shape = x, y.shape
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x = self._saved("_x")
        g = self._check_grad_out(grad_out, self._y_shape)
        grad_x, grad_w, grad_b = F.conv_transpose2d_backward(g, x, self.weight.value, **self._kwargs())
        self.weight.grad[...] = grad_w
        if self.bias is not None:
            self.bias.grad[...] = grad_b
        return grad_x

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s


# ---------------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------------
class _Pool2d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = as_int_tuple(kernel_size, 2, "kernel_size", minimum=1)
        self.stride = self.kernel_size if stride is None else as_int_tuple(stride, 2, "stride", minimum=1)
        self.padding = as_int_tuple(padding, 2, "padding", minimum=0)
        for p, k in zip(self.padding, self.kernel_size, strict=True):
            if 2 * p > k:
                raise ValueError(
                    f"padding must be at most half of kernel_size, got padding={self.padding}, "
                    f"kernel_size={self.kernel_size}"
                )
        self.ceil_mode = bool(ceil_mode)
        self._x = None

    def _span(self) -> tuple[int, int]:
        return self.kernel_size

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = _check_input(self, x, 2, None)
        padded = tuple(s + 2 * p for s, p in zip(x.shape[2:], self.padding, strict=True))
        if any(p < k for p, k in zip(padded, self._span(), strict=True)):
            raise ValueError(f"{self!r}: the pooling window {self._span()} is larger than the padded input {padded} "
                             f"(x has shape {x.shape})")
        y = self._pool(x)
        self._x, self._y_shape = x, y.shape
        return y

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        x = self._saved("_x")
        g = self._check_grad_out(grad_out, self._y_shape)
        return self._pool_backward(g, x)


class MaxPool2d(_Pool2d):
    """Max pooling over ``k_H × k_W`` windows: ``x : (N, C, H, W)`` → ``(N, C, H_out, W_out)``.

    ``stride`` defaults to ``kernel_size``; the gradient flows only to the maximum of each window.
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.dilation = as_int_tuple(dilation, 2, "dilation", minimum=1)

    def _span(self) -> tuple[int, int]:
        return tuple(dilated_extent(k, d) for k, d in zip(self.kernel_size, self.dilation, strict=True))

    def _kwargs(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation, ceil_mode=self.ceil_mode)

    def _pool(self, x):
        return F.max_pool2d(x, self.kernel_size, **self._kwargs())

    def _pool_backward(self, g, x):
        return F.max_pool2d_backward(g, x, self.kernel_size, **self._kwargs())

    def extra_repr(self) -> str:
        s = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.ceil_mode:
            s += ", ceil_mode=True"
        return s


class AvgPool2d(_Pool2d):
    """Average pooling over ``k_H × k_W`` windows: ``x : (N, C, H, W)`` → ``(N, C, H_out, W_out)``.

    ``stride`` defaults to ``kernel_size``; ``count_include_pad`` as in PyTorch.
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode)
        self.count_include_pad = bool(count_include_pad)

    def _kwargs(self) -> dict:
        return dict(stride=self.stride, padding=self.padding, ceil_mode=self.ceil_mode,
                    count_include_pad=self.count_include_pad)

    def _pool(self, x):
        return F.avg_pool2d(x, self.kernel_size, **self._kwargs())

    def _pool_backward(self, g, x):
        return F.avg_pool2d_backward(g, x, self.kernel_size, **self._kwargs())

    def extra_repr(self) -> str:
        s = f"kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.ceil_mode:
            s += ", ceil_mode=True"
        if not self.count_include_pad:
            s += ", count_include_pad=False"
        return s


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


class Linear(Module):
    """Affine map ``y = x Wᵀ + b``: ``x : (N, in_features)`` → ``y : (N, out_features)``.

    ``weight : (out_features, in_features)``, ``bias : (out_features,)``; ``init``, ``rng`` and ``dtype``
    as in :class:`Conv1d`.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *, init: str = "he", rng=None,
                 dtype=np.float64) -> None:
        super().__init__()
        self.in_features = as_positive_int(in_features, "in_features")
        self.out_features = as_positive_int(out_features, "out_features")
        self.init = check_choice(init, "init", _INITS)
        rng = _init.as_generator(rng)
        shape = (self.out_features, self.in_features)
        self.weight = Parameter.of("weight", _init_weight(shape, init, rng, dtype))
        self.bias = (Parameter.of("bias", _init_bias(self.out_features, self.in_features, init, rng, dtype))
                     if bias else None)
        self._x = None

    def _own_parameters(self) -> list[Parameter]:
        return [self.weight] if self.bias is None else [self.weight, self.bias]

    def forward(self, x: np.ndarray) -> np.ndarray:
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
        x = self._saved("_x")
        g = self._check_grad_out(grad_out, (x.shape[0], self.out_features))
        self.weight.grad[...] = g.T @ x
        if self.bias is not None:
            self.bias.grad[...] = g.sum(axis=0)
        return g @ self.weight.value

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Dropout(Module):
    """Inverted dropout: in training mode zero each entry with probability ``p`` and scale the rest by ``1/(1−p)``.

    In evaluation mode (:meth:`Module.eval`) it is the identity. The masks come from ``rng`` (a Generator or
    int seed; ``None``: seed 0), so runs are reproducible.
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
