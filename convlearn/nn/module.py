"""The :class:`Module` base class and :class:`Parameter` record of ``convlearn.nn``.

There is no automatic differentiation here. A module computes its output in
:meth:`Module.forward`, keeps whatever it needs from the input, and turns the
gradient of the loss with respect to its output into the gradient with respect
to its input in :meth:`Module.backward` -- storing the gradients of its own
parameters on the way. Chaining these calls backwards through a network *is*
backpropagation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

import numpy as np

from convlearn._validation import as_real_array

__all__ = ["Parameter", "Module"]


@dataclasses.dataclass(eq=False)
class Parameter:
    """A trainable array and the gradient of the loss with respect to it.

    Attributes
    ----------
    name : str
        ``"weight"``/``"bias"`` inside a layer; qualified (``"0.weight"``) when listed by a container.
    value : numpy.ndarray
        The parameter. Optimisers update it **in place**, so every view of it stays current.
    grad : numpy.ndarray
        Same shape as ``value``; written (overwritten, not accumulated) by the owning layer's
        :meth:`Module.backward`.
    """

    name: str
    value: np.ndarray
    grad: np.ndarray

    @classmethod
    def of(cls, name: str, value: np.ndarray) -> Parameter:
        """A parameter holding ``value`` with a zero gradient of the same shape and dtype."""
        value = np.asarray(value)
        return cls(name, value, np.zeros_like(value))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    def __repr__(self) -> str:
        return f"Parameter(name={self.name!r}, shape={self.value.shape}, dtype={self.value.dtype})"


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

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter, children's names prefixed by their position (``"0.weight"``).

        The listed ``value``/``grad`` arrays are the layers' own arrays (not copies), so an optimiser
        updating ``p.value`` in place trains the network.
        """
        out = list(self._own_parameters())
        for cname, child in self.children():
            out.extend(dataclasses.replace(p, name=f"{cname}.{p.name}") for p in child.parameters())
        return out

    def num_parameters(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(p.value.size for p in self.parameters()))

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
        for p in self.parameters():
            p.grad[...] = 0

    # -- state -------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of the parameter values keyed by qualified name."""
        return {p.name: p.value.copy() for p in self.parameters()}

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Copy ``state`` (as returned by :meth:`state_dict`) into the parameters, checking names and shapes."""
        params = self.parameters()
        names = [p.name for p in params]
        missing = [n for n in names if n not in state]
        unexpected = [n for n in state if n not in names]
        if missing or unexpected:
            raise ValueError(
                f"state does not match {type(self).__name__}: missing {missing}, unexpected {unexpected}"
            )
        for p in params:
            new = np.asarray(state[p.name])
            if new.shape != p.value.shape:
                raise ValueError(
                    f"state[{p.name!r}] has shape {new.shape}, but the parameter has shape {p.value.shape}"
                )
            p.value[...] = new

    # -- display -----------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"
