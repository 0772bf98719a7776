"""The :class:`Module` base class and :class:`Parameter` record of ``convlearn.nn``.

There is no automatic differentiation here. A module computes its output in
:meth:`Module.forward`, keeps whatever it needs from the input, and turns the
gradient of the loss with respect to its output into the gradient with respect
to its input in :meth:`Module.backward` -- storing the gradients of its own
parameters on the way. Chaining these calls backwards through a network *is*
backpropagation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from convlearn._validation import as_real_array

__all__ = ["Parameter", "Module"]


_FLOAT_DTYPES = (np.float32, np.float64)


def _float_dtype(dtype, what: str) -> np.dtype:
    """``dtype`` as ``float32`` or ``float64``, or a TypeError naming ``what``."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{what} must be float32 or float64, got {dtype!r}") from None
    if dt not in _FLOAT_DTYPES:
        raise TypeError(f"{what} must be float32 or float64, got {dt}")
    return dt


class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    A layer owns its parameters (``layer.weight``, ``layer.bias``), and :meth:`Module.parameters` lists these
    very objects, so whatever is done to a listed parameter is done to the layer: updating ``p.value`` in
    place (as the optimisers do) and rebinding it (``p.value = new``, as PyTorch users write
    ``p.data = new``) both change the layer's weights.

    Attributes
    ----------
    name : str
        ``"weight"``/``"bias"`` inside a layer; qualified (``"0.weight"``) by the module whose
        :meth:`Module.parameters` listed it last (the names are relative to that module).
    value : numpy.ndarray
        The parameter. Optimisers update it **in place**, so every view of it stays current. Rebinding it
        checks the new array: it must have the parameter's shape (else :class:`ValueError` naming the
        parameter and both shapes) and a ``float32``/``float64`` dtype (else :class:`TypeError`); a new
        dtype converts ``grad`` too. :meth:`Module.astype` changes the dtype of a whole network.
    grad : numpy.ndarray
        Same shape and dtype as ``value``; written (overwritten, not accumulated) by the owning layer's
        :meth:`Module.backward`.
    """

    __slots__ = ("name", "_local_name", "_value", "grad")

    def __init__(self, name: str, value: np.ndarray, grad: np.ndarray) -> None:
        self.name = self._local_name = name
        self._value = value
        self.grad = grad

    @classmethod
    def of(cls, name: str, value: np.ndarray) -> Parameter:
        """A parameter holding ``value`` with a zero gradient of the same shape and dtype."""
        value = np.asarray(value)
        return cls(name, value, np.zeros_like(value))

    @property
    def value(self) -> np.ndarray:
        return self._value

    @value.setter
    def value(self, new) -> None:
        new = np.asarray(new)
        if new.shape != self._value.shape:
            raise ValueError(
                f"parameter {self.name!r} has shape {self._value.shape}; cannot set a value of shape {new.shape}"
            )
        dt = _float_dtype(new.dtype, f"the new value of parameter {self.name!r} (shape {new.shape})")
        if self.grad.dtype != dt:
            self.grad = self.grad.astype(dt)
        self._value = new

    @property
    def shape(self) -> tuple[int, ...]:
        return self._value.shape

    @property
    def dtype(self) -> np.dtype:
        return self._value.dtype

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self._value.shape}, dtype={self._value.dtype})"


class Module:
    """Base class of every layer and container.

    Subclasses implement :meth:`forward` and :meth:`backward`, list their own
    parameters in ``_own_parameters()`` and their sub-modules in
    :meth:`children`.

    Attributes
    ----------
    training : bool
        ``True`` after :meth:`train` (the default), ``False`` after :meth:`eval`.
        Only :class:`~convlearn.nn.Dropout` behaves differently in the two modes.
    """

    def __init__(self) -> None:
        self.training = True

    # -- computation -------------------------------------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:
        """Compute the output for input ``x`` and remember what :meth:`backward` needs."""
        raise NotImplementedError

    def backward(self, grad_out: np.ndarray) -> np.ndarray:
        """Given dL/d(output) of the last :meth:`forward`, store parameter gradients and return dL/d(input)."""
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def _saved(self, attr: str = "_x"):
        """The value cached by ``forward``, or a clear error if ``backward`` comes first."""
        value = getattr(self, attr, None)
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward was called before forward: run forward(x) first")
        return value

    def _check_grad_out(self, grad_out, expected_shape: tuple[int, ...]) -> np.ndarray:
        g = as_real_array(grad_out, "grad_out")
        if g.shape != tuple(expected_shape):
            raise ValueError(
                f"{self!r}: grad_out must have the shape of the last forward output {tuple(expected_shape)}, "
                f"got {g.shape}"
            )
        return g

    # -- structure ---------------------------------------------------------------------------
    def _own_parameters(self) -> list[Parameter]:
        return []

    def children(self) -> list[tuple[str, Module]]:
        """Named direct sub-modules (empty for a layer)."""
        return []

    def modules(self) -> Iterator[tuple[str, Module]]:
        """This module and every sub-module, depth first, with qualified names (``""`` for self)."""
        yield "", self
        for name, child in self.children():
            for sub, mod in child.modules():
                yield (f"{name}.{sub}" if sub else name), mod

    def named_parameters(self) -> list[tuple[str, Parameter]]:
        """``(qualified name, parameter)`` for every trainable parameter, names relative to this module."""
        out = [(p._local_name, p) for p in self._own_parameters()]
        for cname, child in self.children():
            out.extend((f"{cname}.{name}", p) for name, p in child.named_parameters())
        return out

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter: the layers' own :class:`Parameter` objects, not copies.

        Each one's ``name`` is set to its name relative to this module, the children's prefixed by their
        position (``"0.weight"``). Since these are the layers' own objects, an optimiser updating
        ``p.value`` in place trains the network, and ``p.value = new`` replaces the layer's weight.
        """
        named = self.named_parameters()
        for name, p in named:
            p.name = name
        return [p for _, p in named]

    def num_parameters(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(p.value.size for _, p in self.named_parameters()))

    # -- modes and gradients -----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Switch this module and its children to training mode (``mode=False``: evaluation). Returns self."""
        self.training = bool(mode)
        for _, child in self.children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (dropout off). Returns self."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Set every parameter gradient to zero (in place)."""
        for _, p in self.named_parameters():
            p.grad[...] = 0

    # -- state -------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameter values keyed by qualified name."""
        return {name: p.value.copy() for name, p in self.named_parameters()}

    def astype(self, dtype) -> Module:
        """Convert every parameter (value and gradient) and every cached float array to ``dtype``; returns self.

        ``dtype`` is ``float32`` or ``float64`` (anything :class:`numpy.dtype` turns into one). A layer whose
        parameters are ``float32`` computes in ``float32`` for ``float32`` input (see the dtype rules of the
        contract). Optimisers keep their own state: build them after changing the dtype.
        """
        dt = _float_dtype(dtype, "dtype")
        for _, module in self.modules():
            for p in module._own_parameters():
                p.value = p.value.astype(dt, copy=False)
            for attr, cached in list(vars(module).items()):
                if isinstance(cached, np.ndarray) and cached.dtype in _FLOAT_DTYPES:
                    setattr(module, attr, cached.astype(dt, copy=False))
        return self

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Copy ``state`` (as returned by :meth:`state_dict`) into the parameters, checking names and shapes."""
        params = self.named_parameters()
        names = [name for name, _ in params]
        missing = [n for n in names if n not in state]
        unexpected = [n for n in state if n not in names]
        if missing or unexpected:
            raise ValueError(
                f"state does not match {type(self).__name__}: missing {missing}, unexpected {unexpected}"
            )
        for name, p in params:
            new = np.asarray(state[name])
            if new.shape != p.value.shape:
                raise ValueError(
                    f"state[{name!r}] has shape {new.shape}, but the parameter has shape {p.value.shape}"
                )
            p.value[...] = new

    # -- display -----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"
