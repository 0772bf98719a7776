"""Data sets for the book: scikit-learn's 8×8 digits (no download), synthetic oriented bars, the photograph
of chapter 4 (bundled with matplotlib) and the classic image kernels.

Images are returned channels first, ``x : (N, 1, H, W)`` float, with integer labels ``y : (N,)``.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from convlearn._validation import as_nonnegative_int, as_positive_int, as_real_array, check_ndim
from convlearn.nn.init import as_generator

__all__ = [
    "DigitsSplit",
    "load_digits_split",
    "BARS_CLASSES",
    "ImageSet",
    "make_oriented_bars",
    "iterate_minibatches",
    "random_shift",
    "sample_image",
    "classic_kernels",
]


@dataclasses.dataclass(frozen=True)
class DigitsSplit:
    """A fixed stratified train/(validation/)test split of the digits, normalised with training statistics only.

    Attributes
    ----------
    x_train : (N_train, 1, 8, 8) float
    y_train : (N_train,) int
    x_test : (N_test, 1, 8, 8) float
    y_test : (N_test,) int
    mean, std : float
        Pixel mean and standard deviation of the raw (0..16) training images; ``x = (raw − mean) / std``.
    class_names : tuple of str
        ``("0", ..., "9")``.
    x_val : (N_val, 1, 8, 8) float or None
    y_val : (N_val,) int or None
        The validation images and labels (``None`` unless :func:`load_digits_split` was given
        ``validation > 0``).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    mean: float
    std: float
    class_names: tuple[str, ...]
    x_val: np.ndarray | None = None
    y_val: np.ndarray | None = None

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def load_digits_split(*, test_size: float = 0.25, random_state: int = 0, normalize: bool = True,
                      dtype=np.float64, validation: float = 0.0) -> DigitsSplit:
    """The 1797 8×8 handwritten digits of :func:`sklearn.datasets.load_digits`, split and normalised.

    The test set is drawn first and depends only on ``test_size`` and ``random_state``, so asking for a
    validation set does not change it: the validation images are taken out of the training images.

    Parameters
    ----------
    test_size : float
        Fraction of all images held out for testing (stratified by class, so every digit is equally
        represented).
    random_state : int
        Seed of the split; the default 0 is the split used throughout the book and by the CLI.
    normalize : bool
        Subtract the training pixel mean and divide by the training pixel standard deviation (one scalar
        each, computed on the training images only so that nothing leaks from the validation or test set).
    dtype : numpy dtype
        Of the images (float64 by default).
    validation : float
        Fraction of all images held out for validation, in ``[0, 1 − test_size)``; stratified and seeded
        by ``random_state`` like the test split. ``0`` (the default) gives no validation set
        (``x_val``/``y_val`` are ``None``).

    Returns
    -------
    DigitsSplit
    """
    test_size = float(test_size)
    validation = float(validation)
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}")
    if not 0.0 <= validation < 1.0 - test_size:
        raise ValueError(f"validation must be a fraction in [0, 1 - test_size) = [0, {1.0 - test_size:g}), "
                         f"got validation={validation!r} with test_size={test_size!r}")
    images, labels = _digits()
    tr, te, va = _split_indices(labels, test_size, random_state, validation)
    x_tr, y_tr, x_te, y_te = images[tr], labels[tr], images[te], labels[te]
    x_va, y_va = (None, None) if va is None else (images[va], labels[va])
    mean, std = (float(x_tr.mean()), float(x_tr.std())) if normalize else (0.0, 1.0)

    def scale(a):
        return None if a is None else ((a - mean) / std).astype(dtype)

    return DigitsSplit(
        x_train=scale(x_tr),
        y_train=y_tr,
        x_test=scale(x_te),
        y_test=y_te,
        mean=mean,
        std=std,
        class_names=tuple(str(c) for c in range(10)),
        x_val=scale(x_va),
        y_val=y_va,
    )


#: The splits that the book, the course and the command line use, as indices into the digits, made by
#: :func:`_split_with_sklearn` and stored so that loading them does not import scikit-learn (about 1 s of CPU in
#: every kernel that trains on the digits: a chapter, a graded a6 notebook). ``tests/test_data.py`` checks them
#: against scikit-learn; ``python -c "from convlearn import data; data._write_splits()"`` writes them again.
SPLITS_FILE = Path(__file__).with_name("digits_splits.npz")
STORED_SPLITS = ((0.25, 0, 0.0), (0.25, 0, 0.15))  # (test_size, random_state, validation)


def _digits() -> tuple[np.ndarray, np.ndarray]:
    """The digits as ``images (1797, 1, 8, 8)`` float64 (0..16) and ``labels (1797,)`` int64.

    Read from the file that scikit-learn ships (``sklearn/datasets/data/digits.csv.gz``, one image and its label
    per row), found without importing scikit-learn; through :func:`sklearn.datasets.load_digits` where that
    file is not found.
    """
    spec = importlib.util.find_spec("sklearn")
    places = (spec.submodule_search_locations or ()) if spec is not None else ()
    where = [Path(p) / "datasets" / "data" / "digits.csv.gz" for p in places]
    found = [p for p in where if p.is_file()]
    if found:
        table = np.loadtxt(found[0], delimiter=",")
        flat, labels = table[:, :-1], table[:, -1]
    else:  # pragma: no cover - a scikit-learn that keeps the file elsewhere
        from sklearn.datasets import load_digits

        digits = load_digits()
        flat, labels = digits.data, digits.target
    return flat.reshape(-1, 1, 8, 8).astype(np.float64), labels.astype(np.int64)


def _split_indices(labels, test_size: float, random_state: int, validation: float):
    """``(train, test, validation or None)`` index arrays: stored (:data:`STORED_SPLITS`) or computed."""
    if (test_size, random_state, validation) in STORED_SPLITS and SPLITS_FILE.is_file():
        key = _split_key(test_size, random_state, validation)
        with np.load(SPLITS_FILE) as stored:
            if f"{key}/train" in stored:
                return (stored[f"{key}/train"], stored[f"{key}/test"],
                        stored[f"{key}/validation"] if validation > 0.0 else None)
    return _split_with_sklearn(labels, test_size, random_state, validation)


def _split_key(test_size: float, random_state: int, validation: float) -> str:
    return f"test_size={test_size:g},random_state={random_state},validation={validation:g}"


def _split_with_sklearn(labels, test_size: float, random_state: int, validation: float):
    """The stratified split of :func:`sklearn.model_selection.train_test_split`, as index arrays: the test set
    first, then (``validation > 0``) a validation set out of the rest, each stratified by label."""
    from sklearn.model_selection import train_test_split

    index = np.arange(len(labels))
    train, test = train_test_split(index, test_size=test_size, stratify=labels, random_state=random_state)
    if validation <= 0.0:
        return train, test, None
    # validation as a fraction of all images = validation / (1 - test_size) of the remaining ones
    train, val = train_test_split(train, test_size=validation / (1.0 - test_size), stratify=labels[train],
                                  random_state=random_state)
    return train, test, val


def _write_splits(path: Path = SPLITS_FILE) -> None:
    """Store the index arrays of :data:`STORED_SPLITS` (made with scikit-learn) in ``path``."""
    labels = _digits()[1]
    arrays = {}
    for test_size, random_state, validation in STORED_SPLITS:
        key = _split_key(test_size, random_state, validation)
        train, test, val = _split_with_sklearn(labels, test_size, random_state, validation)
        arrays.update({f"{key}/train": train.astype(np.int16), f"{key}/test": test.astype(np.int16)})
        if val is not None:
            arrays[f"{key}/validation"] = val.astype(np.int16)
    np.savez_compressed(path, **arrays)


BARS_CLASSES = ("horizontal", "vertical", "diagonal \\", "diagonal /")


@dataclasses.dataclass(frozen=True)
class ImageSet:
    """Labelled images ``x : (N, 1, H, W)``, ``y : (N,)`` and the names of the classes."""

    x: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]


def make_oriented_bars(n_samples: int = 400, *, size: int = 9, noise: float = 0.1, seed=0) -> ImageSet:
    """Synthetic images of one bright bar on a dark background, labelled by the bar's orientation.

    The four classes are ``BARS_CLASSES``: horizontal, vertical, main diagonal (``\\``) and
    anti-diagonal (``/``). Each bar has a random offset from the centre and a random brightness in
    [0.7, 1.3], and Gaussian noise of standard deviation ``noise`` is added. A small CNN trained on these
    learns first-layer kernels that look like oriented edge and line detectors.

    Parameters
    ----------
    n_samples : int
        Number of images; labels cycle through the classes, so the classes are balanced.
    size : int
        Image height and width (>= 5).
    noise : float
        Standard deviation of the additive Gaussian noise (>= 0).
    seed : int or numpy.random.Generator

    Returns
    -------
    ImageSet
        ``x : (n_samples, 1, size, size)`` float64, ``y : (n_samples,)`` int in 0..3.
    """
    n = as_positive_int(n_samples, "n_samples")
    size = as_positive_int(size, "size")
    if size < 5:
        raise ValueError(f"size must be >= 5 so that a bar can be placed off centre, got {size}")
    noise = float(as_real_array(noise, "noise"))
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = as_generator(seed, "seed")
    y = np.arange(n) % len(BARS_CLASSES)
    rng.shuffle(y)
    i, j = np.mgrid[0:size, 0:size]
    c = size // 2
    x = np.zeros((n, 1, size, size))
    max_shift = max(1, size // 4)
    for idx, label in enumerate(y):
        shift = int(rng.integers(-max_shift, max_shift + 1))
        if label == 0:
            bar = i == c + shift
        elif label == 1:
            bar = j == c + shift
        elif label == 2:
            bar = (i - j) == shift
        else:
            bar = (i + j) == 2 * c + shift
        x[idx, 0] = bar * rng.uniform(0.7, 1.3)
    x += noise * rng.standard_normal(x.shape)
    return ImageSet(x=x, y=y.astype(np.int64), class_names=BARS_CLASSES)


def iterate_minibatches(x: np.ndarray, y: np.ndarray, batch_size: int, *, shuffle: bool = True,
                        rng=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(x_batch, y_batch)`` pairs covering the data once (the last batch may be smaller).

    With ``shuffle=True`` the order is a permutation drawn from ``rng`` (Generator, int seed, or
    ``None`` for the default generator of :func:`convlearn.manual_seed`), so the same seed gives the
    same batches.
    """
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"x and y must have the same number of examples, got x {x.shape} and y {y.shape}")
    batch_size = as_positive_int(batch_size, "batch_size")
    order = as_generator(rng).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]




def random_shift(x: np.ndarray, rng=None, *, max_shift: int = 1) -> np.ndarray:
    """Data augmentation: translate every image by its own random offset of at most ``max_shift`` pixels.

    Parameters
    ----------
    x : (N, C, H, W) float
        Images; the pixels that enter at a border repeat the border pixel (``numpy.pad`` mode ``"edge"``),
        which for the digits is the background.
    rng : numpy.random.Generator or int or None
        Source of the offsets (uniform in ``{-max_shift, ..., max_shift}`` on each axis).
    max_shift : int

    Returns
    -------
    (N, C, H, W) array, a new array (``x`` is not modified).
    """
    x = as_real_array(x, "x")
    check_ndim(x, "x", 4, "(N, C, H, W)")
    s = as_nonnegative_int(max_shift, "max_shift")
    if s == 0:
        return x.copy()
    n, _, h, w = x.shape
    gen = as_generator(rng)
    dy, dx = gen.integers(0, 2 * s + 1, size=(2, n))
    padded = np.pad(x, ((0, 0), (0, 0), (s, s), (s, s)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(2, 3))  # (N, C, 2s+1, 2s+1, H, W)
    return windows[np.arange(n), :, dy, dx].copy()


def sample_image(factor: int = 4) -> np.ndarray:
    """Grayscale version of the photograph ``grace_hopper.jpg`` that ships with matplotlib (no download).

    The file is read from matplotlib's sample-data folder with Pillow (the decoder matplotlib itself uses),
    without importing matplotlib.

    Parameters
    ----------
    factor : int, optional
        Downsampling factor: each output pixel is the mean of a ``factor`` × ``factor`` block.
        The original is 600 × 512 pixels, so the default gives 150 × 128.

    Returns
    -------
    image : (H, W) float64
        Luminance in [0, 1] (ITU-R BT.601 weights of the red, green and blue channels).
    """
    import importlib.util
    from pathlib import Path

    from PIL import Image

    if not isinstance(factor, int | np.integer) or factor < 1:
        raise ValueError(f"factor must be a positive integer, got {factor!r}")
    spec = importlib.util.find_spec("matplotlib")  # locates the package without importing it
    path = Path(spec.submodule_search_locations[0]) / "mpl-data" / "sample_data" / "grace_hopper.jpg"
    with Image.open(path) as photo:
        rgb = np.asarray(photo.convert("RGB"), dtype=np.float64) / 255.0
    gray = rgb @ np.array([0.299, 0.587, 0.114])
    h, w = (gray.shape[0] // factor) * factor, (gray.shape[1] // factor) * factor
    blocks = gray[:h, :w].reshape(h // factor, factor, w // factor, factor)
    return blocks.mean(axis=(1, 3))


def classic_kernels() -> dict[str, np.ndarray]:
    """The classic 3 × 3 (and one 5 × 5) image kernels of chapter 4, as float64 arrays.

    Returns a new dict each call, so callers may modify the arrays.
    ``"sobel x"`` responds to a change of intensity along a row (vertical edges) and
    ``"sobel y"`` to a change along a column (horizontal edges), when used with convolution.
    """
    g1 = np.array([1.0, 4.0, 6.0, 4.0, 1.0])
    return {
        "identity": np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]]),
        "box 3x3": np.full((3, 3), 1.0 / 9.0),
        "gaussian 5x5": np.outer(g1, g1) / g1.sum() ** 2,
        "sharpen": np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        "sobel x": np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]),
        "sobel y": np.array([[1.0, 2, 1], [0, 0, 0], [-1, -2, -1]]),
        "laplacian": np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    }
