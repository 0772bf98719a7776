"""Looking inside a trained network: learned filters, feature maps, confusion matrix, mistakes.

Every helper returns arrays (wrapped in small dataclasses); the plots are in
:mod:`convlearn.viz.training`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from convlearn._validation import as_positive_int, as_real_array
from convlearn.nn import Conv1d, Conv2d, Conv3d, ConvTranspose2d, Module, Sequential, softmax
from convlearn.train import predict

__all__ = ["NamedArray", "conv_filters", "feature_maps", "confusion_matrix", "Misclassified", "misclassified"]


@dataclasses.dataclass(frozen=True)
class NamedArray:
    """An array produced by one layer: ``name`` is its position (``"0"``, ``"3"``), ``layer`` its repr."""

    name: str
    layer: str
    array: np.ndarray


def conv_filters(model: Module) -> list[NamedArray]:
    """Copies of the kernels of every convolution layer of ``model``, in order.

    Each array has the layer's weight shape, e.g. ``(C_out, C_in/groups, k_H, k_W)`` for ``Conv2d``.
    """
    kinds = (Conv1d, Conv2d, Conv3d, ConvTranspose2d)
    return [NamedArray(name, repr(m), m.weight.value.copy()) for name, m in model.modules() if isinstance(m, kinds)]


def feature_maps(model: Sequential, image: np.ndarray) -> list[NamedArray]:
    """The output of every layer of ``model`` for one image, in evaluation mode.

    Parameters
    ----------
    model : Sequential
    image : (H, W), (C, H, W) or (1, C, H, W) array
        One image (a batch axis is added when missing, a single channel axis too for ``(H, W)``).

    Returns
    -------
    list of NamedArray
        One per layer, with the batch axis removed: ``(C, H', W')`` after convolution/pooling layers,
        ``(F,)`` after ``Flatten``/``Linear``.
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a Sequential, got {type(model).__name__}")
    x = as_real_array(image, "image")
    if x.ndim == 2:
        x = x[None, None]
    elif x.ndim == 3:
        x = x[None]
    elif x.ndim != 4 or x.shape[0] != 1:
        raise ValueError(f"image must have shape (H, W), (C, H, W) or (1, C, H, W), got {x.shape}")
    out = []
    was_training = model.training
    model.eval()
    try:
        for name, layer in model.children():
            x = layer.forward(x)
            out.append(NamedArray(name, repr(layer), x[0].copy()))
    finally:
        model.train(was_training)
    return out


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """``(K, K)`` counts: entry ``[i, j]`` is the number of examples of class ``i`` predicted as ``j``.

    ``n_classes`` defaults to ``max(y_true, y_pred) + 1``. Counted with ``np.bincount`` of ``K * i + j``
    (scikit-learn's ``confusion_matrix`` counts the same, ``tests/test_train.py``, but importing it takes
    about 1.4 s).
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must be 1-D of equal length, got {y_true.shape} and {y_pred.shape}")
    for arr, nm in ((y_true, "y_true"), (y_pred, "y_pred")):
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{nm} must hold integer class indices, got dtype {arr.dtype}")
        if arr.size and arr.min() < 0:
            raise ValueError(f"{nm} must hold class indices >= 0, got {arr.min()}")
    largest = int(max(y_true.max(), y_pred.max())) if y_true.size else -1  # unsigned dtypes have no -1
    k = largest + 1 if n_classes is None else as_positive_int(n_classes, "n_classes")
    if largest >= k:
        raise ValueError(f"class indices must be < n_classes={k}, got {largest}")
    return np.bincount(k * y_true.astype(np.int64) + y_pred.astype(np.int64), minlength=k * k).reshape(k, k)


@dataclasses.dataclass(frozen=True)
class Misclassified:
    """The test examples a model gets wrong, most confident mistakes first.

    Attributes
    ----------
    indices : (M,) int
        Positions in the data set.
    y_true, y_pred : (M,) int
    confidence : (M,) float
        Softmax probability the model gave to its (wrong) prediction.
    images : (M, C, H, W)
    """

    indices: np.ndarray
    y_true: np.ndarray
    y_pred: np.ndarray
    confidence: np.ndarray
    images: np.ndarray


def misclassified(model: Module, x: np.ndarray, y: np.ndarray, *, batch_size: int = 512) -> Misclassified:
    """Find the examples of ``(x, y)`` that ``model`` misclassifies (evaluation mode)."""
    x = as_real_array(x, "x")
    y = np.asarray(y)
    if y.shape != (x.shape[0],):
        raise ValueError(f"y must have shape ({x.shape[0]},) to match x of shape {x.shape}, got {y.shape}")
    probs = softmax(predict(model, x, batch_size=batch_size))
    pred = probs.argmax(axis=1)
    wrong = np.flatnonzero(pred != y)
    conf = probs[wrong, pred[wrong]]
    order = np.argsort(-conf, kind="stable")
    idx = wrong[order]
    return Misclassified(indices=idx, y_true=y[idx], y_pred=pred[idx], confidence=conf[order], images=x[idx])
