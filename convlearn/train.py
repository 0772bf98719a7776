"""Training loop, evaluation, weight files and the book's default digits CNN.

>>> from convlearn.data import load_digits_split
>>> from convlearn.train import digits_cnn, fit, evaluate
>>> data = load_digits_split()
>>> model = digits_cnn(seed=0)
>>> history = fit(model, data.x_train, data.y_train, epochs=2, progress=False)  # doctest: +SKIP
>>> evaluate(model, data.x_test, data.y_test).accuracy  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Callable

import numpy as np

from convlearn._validation import as_positive_int, as_real_array, check_choice
from convlearn.data import iterate_minibatches
from convlearn.nn import Conv2d, CrossEntropyLoss, Flatten, Linear, MaxPool2d, Module, ReLU, Sequential
from convlearn.nn.init import as_generator
from convlearn.nn.optim import Adam, Optimizer

__all__ = [
    "History",
    "Evaluation",
    "fit",
    "evaluate",
    "predict",
    "save_weights",
    "load_weights",
    "digits_cnn",
    "DEFAULTS",
]


@dataclasses.dataclass
class History:
    """Per-epoch record of a :func:`fit` run (lists of equal length, one entry per epoch).

    Attributes
    ----------
    train_loss, train_accuracy : list of float
        Mean loss and accuracy over the mini-batches of each epoch (measured while training).
    val_loss, val_accuracy : list of float
        On the validation data after each epoch (empty when none was given).
    batch_loss : list of float
        The loss of every optimisation step, in order.
    seconds : list of float
        Wall-clock time since the start of :func:`fit` at the end of each epoch.
    """

    train_loss: list[float] = dataclasses.field(default_factory=list)
    train_accuracy: list[float] = dataclasses.field(default_factory=list)
    val_loss: list[float] = dataclasses.field(default_factory=list)
    val_accuracy: list[float] = dataclasses.field(default_factory=list)
    batch_loss: list[float] = dataclasses.field(default_factory=list)
    seconds: list[float] = dataclasses.field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.train_loss)

    @property
    def best_epoch(self) -> int | None:
        """The epoch (counting from 1) with the lowest validation loss, the first on ties; ``None`` without one."""
        return int(np.argmin(self.val_loss)) + 1 if self.val_loss else None


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """Mean cross-entropy ``loss`` and ``accuracy`` (fraction correct) of a model on a data set."""

    loss: float
    accuracy: float


def _check_xy(model: Module, x, y, name: str = "x") -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(model, Module):
        raise TypeError(f"model must be a convlearn.nn.Module, got {type(model).__name__}")
    x = as_real_array(x, name)
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != x.shape[0]:
        raise ValueError(f"labels must have shape ({x.shape[0]},) to match {name} of shape {x.shape}, got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"labels must be integer class indices, got dtype {y.dtype}")
    return x, y


def predict(model: Module, x: np.ndarray, *, batch_size: int = 512) -> np.ndarray:
    """Logits of ``model`` for ``x`` in evaluation mode, computed in batches: ``(N, K)``.

    The model's training/evaluation mode is restored afterwards.
    """
    x = as_real_array(x, "x")
    batch_size = as_positive_int(batch_size, "batch_size")
    was_training = model.training
    model.eval()
    try:
        out = [model.forward(x[i:i + batch_size]) for i in range(0, x.shape[0], batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(out, axis=0)


def evaluate(model: Module, x: np.ndarray, y: np.ndarray, *, batch_size: int = 512) -> Evaluation:
    """Mean cross-entropy and accuracy of ``model`` on ``(x, y)``, in evaluation mode."""
    x, y = _check_xy(model, x, y)
    logits = predict(model, x, batch_size=batch_size)
    loss = CrossEntropyLoss().forward(logits, y)
    return Evaluation(loss=loss, accuracy=float(np.mean(logits.argmax(axis=1) == y)))


def fit(
    model: Module,
    x_train: np.ndarray,
    y_train: np.ndarray,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    optimizer: Optimizer | None = None,
    lr: float = 1e-3,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    lr_schedule: str = "constant",
    augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None,
    seed=0,
    progress: bool = True,
    on_epoch_end: Callable[[int, History], None] | None = None,
    restore_best: bool = False,
) -> History:
    """Train ``model`` with mini-batch gradient descent on the softmax cross-entropy.

    Each step: forward a shuffled mini-batch, compute the loss, backward its gradient through the model
    (which stores every parameter gradient), and let the optimiser update the parameters in place.

    Parameters
    ----------
    model : Module
        Maps ``x : (B, ...)`` to logits ``(B, K)``.
    x_train : (N, ...) float
    y_train : (N,) int in ``[0, K)``
    epochs, batch_size : int
    optimizer : Optimizer, optional
        Defaults to ``Adam(model.parameters(), lr=lr)``.
    lr : float
        Learning rate of the default optimiser (ignored when ``optimizer`` is given).
    lr_schedule : {"constant", "cosine"}
        ``"cosine"`` anneals the optimiser's learning rate from its initial value to 0 over the run,
        ``lr_t = lr_0 (1 + cos(π t / T)) / 2`` at step ``t`` of ``T`` (smoother end of training).
    augment : callable(x_batch, rng) -> x_batch, optional
        Applied to every training mini-batch (e.g. :func:`convlearn.data.random_shift`), drawing from the
        same seeded generator as the shuffling.
    x_val, y_val : arrays, optional
        Evaluated after every epoch (recorded in ``History.val_loss``/``val_accuracy``).
    seed : int or numpy.random.Generator
        Seeds the shuffling, so the same seed gives the same batches in the same order.
    progress : bool
        Show a tqdm progress bar (``tqdm.auto``: a widget in notebooks, text in a terminal).
    on_epoch_end : callable(epoch, history), optional
        Called after every epoch (``epoch`` counts from 1), e.g. to print a summary.
    restore_best : bool
        Keep a copy of the parameters after every epoch and, at the end, load those of
        ``History.best_epoch``, the epoch with the lowest validation loss (early stopping by model
        selection). Needs ``x_val``/``y_val``.

    Returns
    -------
    History
        The model is left in evaluation mode.

    Raises
    ------
    FloatingPointError
        If the loss becomes NaN or infinite (training diverged; lower the learning rate).
    """
    from tqdm.auto import tqdm

    x_train, y_train = _check_xy(model, x_train, y_train, "x_train")
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    if x_val is not None:
        x_val, y_val = _check_xy(model, x_val, y_val, "x_val")
    if not isinstance(restore_best, (bool, np.bool_)):
        raise TypeError(f"restore_best must be a bool, got {restore_best!r}")
    if restore_best and x_val is None:
        raise ValueError("restore_best=True needs validation data: give x_val and y_val")
    best_state = None
    epochs = as_positive_int(epochs, "epochs")
    batch_size = as_positive_int(batch_size, "batch_size")
    if optimizer is None:
        optimizer = Adam(model.parameters(), lr=lr)
    check_choice(lr_schedule, "lr_schedule", ("constant", "cosine"))
    base_lr = optimizer.lr
    rng = as_generator(seed, "seed")
    loss_fn = CrossEntropyLoss()
    history = History()
    n = x_train.shape[0]
    steps_per_epoch = -(-n // batch_size)
    start = time.perf_counter()
    bar = tqdm(total=epochs * steps_per_epoch, disable=not progress, unit="step", desc="training", leave=True)
    try:
        for epoch in range(1, epochs + 1):
            model.train()
            total_loss = total_correct = 0.0
            for step, (xb, yb) in enumerate(iterate_minibatches(x_train, y_train, batch_size, rng=rng), 1):
                if augment is not None:
                    xb = augment(xb, rng)
                logits = model.forward(xb)
                if not np.all(np.isfinite(logits)):
                    raise FloatingPointError(
                        f"non-finite network output at epoch {epoch}, step {step}: training diverged "
                        f"(learning rate too large?)"
                    )
                loss = loss_fn.forward(logits, yb)
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"non-finite loss {loss} at epoch {epoch}, step {step}: training diverged "
                        f"(learning rate too large?)"
                    )
                model.backward(loss_fn.backward())
                if lr_schedule == "cosine":
                    t = (epoch - 1) * steps_per_epoch + step - 1
                    optimizer.lr = base_lr * 0.5 * (1.0 + math.cos(math.pi * t / (epochs * steps_per_epoch)))
                optimizer.step()
                history.batch_loss.append(loss)
                total_loss += loss * xb.shape[0]
                total_correct += float(np.sum(logits.argmax(axis=1) == yb))
                bar.update(1)
                bar.set_postfix(epoch=epoch, loss=f"{loss:.4f}", refresh=False)
            history.train_loss.append(total_loss / n)
            history.train_accuracy.append(total_correct / n)
            if x_val is not None:
                ev = evaluate(model, x_val, y_val)
                history.val_loss.append(ev.loss)
                history.val_accuracy.append(ev.accuracy)
                if restore_best and history.best_epoch == epoch:
                    best_state = model.state_dict()
            history.seconds.append(time.perf_counter() - start)
            if on_epoch_end is not None:
                on_epoch_end(epoch, history)
    finally:
        bar.close()
        optimizer.lr = base_lr
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return history


def save_weights(model: Module, path: str | os.PathLike) -> None:
    """Save every parameter of ``model`` to an ``.npz`` file, keyed by qualified name (``"0.weight"``)."""
    np.savez(path, **model.state_dict())


def load_weights(model: Module, path: str | os.PathLike) -> Module:
    """Load parameters saved by :func:`save_weights` into ``model`` (names and shapes must match). Returns it."""
    with np.load(path) as data:
        model.load_state_dict({k: data[k] for k in data.files})
    return model


DEFAULTS = {"epochs": 30, "batch_size": 32, "lr": 3e-3, "seed": 0}
"""Hyper-parameters of ``python -m convlearn train`` (the book's default run)."""


def digits_cnn(seed=0, *, channels: tuple[int, int] = (16, 32), mode: str = "correlation",
               n_classes: int = 10) -> Sequential:
    """The book's default CNN for 8×8 digits.

    ``conv 3×3 (pad 1) → ReLU → max-pool 2 → conv 3×3 (pad 1) → ReLU → max-pool 2 → flatten → linear``;
    shapes ``(N, 1, 8, 8) → (N, c1, 8, 8) → (N, c1, 4, 4) → (N, c2, 4, 4) → (N, c2, 2, 2) → (N, 10)``.
    Weights use He initialisation drawn from ``seed``; ``mode="convolution"`` builds the same network with
    true-convolution layers.
    """
    rng = as_generator(seed, "seed")
    c1, c2 = channels
    return Sequential(
        Conv2d(1, c1, 3, padding=1, mode=mode, rng=rng),
        ReLU(),
        MaxPool2d(2),
        Conv2d(c1, c2, 3, padding=1, mode=mode, rng=rng),
        ReLU(),
        MaxPool2d(2),
        Flatten(),
        Linear(c2 * 2 * 2, n_classes, rng=rng),
    )
