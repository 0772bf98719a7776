"""convlearn.data: the digits split and the synthetic oriented bars."""

from __future__ import annotations

import numpy as np
import pytest

from convlearn.data import BARS_CLASSES, iterate_minibatches, load_digits_split, make_oriented_bars, random_shift


def test_digits_split_shapes_stratification_and_normalisation():
    from sklearn.datasets import load_digits

    d = load_digits_split()
    assert d.x_train.shape == (1347, 1, 8, 8) and d.x_test.shape == (450, 1, 8, 8)
    assert d.x_train.dtype == np.float64 and d.y_train.dtype == np.int64
    assert d.n_classes == 10 and d.class_names[3] == "3"
    # stratified: class proportions of the test split match the whole data set to within one example
    counts_all = np.bincount(load_digits().target, minlength=10)
    counts_test = np.bincount(d.y_test, minlength=10)
    assert np.all(np.abs(counts_test - counts_all * 450 / 1797) <= 1)
    # normalised with training statistics only
    assert abs(d.x_train.mean()) < 1e-12 and d.x_train.std() == pytest.approx(1.0)
    assert d.x_test.mean() != 0.0
    raw = load_digits().images
    np.testing.assert_allclose(d.x_train[0, 0] * d.std + d.mean, raw[_find(raw, d.x_train[0, 0] * d.std + d.mean)])


def _find(raw, image):
    return int(np.argmin(np.abs(raw - image).sum(axis=(1, 2))))


def test_digits_split_is_fixed_and_disjoint():
    a, b = load_digits_split(), load_digits_split()
    np.testing.assert_array_equal(a.x_test, b.x_test)
    np.testing.assert_array_equal(a.y_train, b.y_train)
    other = load_digits_split(random_state=1)
    assert not np.array_equal(a.y_test, other.y_test)
    raw = lambda d, x: np.round(x * d.std + d.mean).reshape(len(x), -1)  # noqa: E731
    train = {r.tobytes() for r in raw(a, a.x_train)}
    test = [r.tobytes() for r in raw(a, a.x_test)]
    # the digits contain a few exact duplicates; apart from those no test image is a training image
    assert sum(t in train for t in test) < 10
    assert load_digits_split(dtype=np.float32).x_train.dtype == np.float32
    with pytest.raises(ValueError, match="test_size"):
        load_digits_split(test_size=1.5)


def test_oriented_bars():
    s = make_oriented_bars(40, size=9, noise=0.0, seed=3)
    assert s.x.shape == (40, 1, 9, 9) and s.y.shape == (40,)
    assert np.array_equal(np.bincount(s.y), [10, 10, 10, 10]) and s.class_names == BARS_CLASSES
    for img, label in zip(s.x[:, 0], s.y, strict=True):
        on = img > 0
        rows, cols = np.nonzero(on)
        assert on.sum() >= 9 - 2  # diagonals shifted off centre are shorter
        if label == 0:
            assert len(set(rows)) == 1
        elif label == 1:
            assert len(set(cols)) == 1
        elif label == 2:
            assert len(set(rows - cols)) == 1
        else:
            assert len(set(rows + cols)) == 1
    np.testing.assert_array_equal(make_oriented_bars(8, seed=1).x, make_oriented_bars(8, seed=1).x)
    with pytest.raises(ValueError, match="size"):
        make_oriented_bars(4, size=3)
    with pytest.raises(ValueError, match="noise"):
        make_oriented_bars(4, noise=-1)


def test_iterate_minibatches_covers_data_once():
    x, y = np.arange(10.0)[:, None], np.arange(10)
    batches = list(iterate_minibatches(x, y, 4, rng=0))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(10)) and not np.array_equal(seen, np.arange(10))
    np.testing.assert_array_equal(np.concatenate([b[0][:, 0] for b in batches]), seen)
    assert [b[1].tolist() for b in iterate_minibatches(x, y, 5, shuffle=False)] == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    with pytest.raises(ValueError, match="same number"):
        list(iterate_minibatches(x, y[:3], 2))


def test_random_shift_translates_each_image(rng):
    x = rng.standard_normal((30, 2, 5, 6))
    x0 = x.copy()
    y = random_shift(x, rng=0, max_shift=1)
    np.testing.assert_array_equal(x, x0)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    offsets = set()
    for i in range(30):
        found = [(dy, dx) for dy in range(3) for dx in range(3)
                 if np.array_equal(y[i], padded[i, :, dy:dy + 5, dx:dx + 6])]
        assert found, i
        offsets.add(found[0])
    assert len(offsets) > 4
    np.testing.assert_array_equal(random_shift(x, rng=3), random_shift(x, rng=3))
    np.testing.assert_array_equal(random_shift(x, max_shift=0), x)
    with pytest.raises(ValueError, match="4-D"):
        random_shift(x[0])


def test_digits_validation_split_is_stratified_disjoint_and_keeps_the_test_set():
    from sklearn.datasets import load_digits

    plain, d = load_digits_split(), load_digits_split(validation=0.15)
    assert plain.x_val is None and plain.y_val is None
    assert d.x_val.shape == (270, 1, 8, 8) and d.y_val.shape == (270,) and d.x_train.shape == (1077, 1, 8, 8)
    assert d.x_val.dtype == np.float64 and d.y_val.dtype == np.int64
    # the test set is the same images as without a validation set (only the normalisation differs)
    np.testing.assert_array_equal(d.y_test, plain.y_test)
    np.testing.assert_allclose(d.x_test * d.std + d.mean, plain.x_test * plain.std + plain.mean, atol=1e-12)
    # train + validation of the new split = train of the old one, as multisets of raw images
    raw = lambda s, x: np.round(x * s.std + s.mean).reshape(len(x), -1)  # noqa: E731
    key = lambda rows: sorted(r.tobytes() for r in rows)  # noqa: E731
    assert key(np.concatenate([raw(d, d.x_train), raw(d, d.x_val)])) == key(raw(plain, plain.x_train))
    # stratified: class counts of the validation set match the whole data set to within one example
    counts_all = np.bincount(load_digits().target, minlength=10)
    assert np.all(np.abs(np.bincount(d.y_val, minlength=10) - counts_all * 270 / 1797) <= 1)
    # normalised with the statistics of the (smaller) training set only
    assert abs(d.x_train.mean()) < 1e-12 and d.x_train.std() == pytest.approx(1.0)
    assert d.mean != plain.mean
    # seeded
    np.testing.assert_array_equal(load_digits_split(validation=0.15).y_val, d.y_val)
    assert not np.array_equal(load_digits_split(validation=0.15, random_state=1).y_val, d.y_val)
    assert load_digits_split(validation=0.1, dtype=np.float32).x_val.dtype == np.float32
    with pytest.raises(ValueError, match="validation"):
        load_digits_split(validation=0.8)
    with pytest.raises(ValueError, match="validation"):
        load_digits_split(validation=-0.1)


def test_stored_splits_are_scikit_learns():
    """The digits read from scikit-learn's file are load_digits'; the stored splits are train_test_split's."""
    from sklearn.datasets import load_digits

    from convlearn import data

    images, labels = data._digits()
    digits = load_digits()
    np.testing.assert_array_equal(images[:, 0], digits.images)
    np.testing.assert_array_equal(labels, digits.target)
    assert images.dtype == np.float64 and labels.dtype == np.int64
    for test_size, random_state, validation in data.STORED_SPLITS:
        stored = data._split_indices(labels, test_size, random_state, validation)
        computed = data._split_with_sklearn(labels, test_size, random_state, validation)
        for a, b in zip(stored, computed, strict=True):
            np.testing.assert_array_equal(a, b)
    # a split that is not stored is computed, and differs
    other = data._split_indices(labels, 0.25, 1, 0.0)
    assert not np.array_equal(other[1], data._split_indices(labels, 0.25, 0, 0.0)[1])


def test_the_book_splits_load_without_scikit_learn():
    """The splits the book, a6 and the command line use cost no import of scikit-learn (about 1 s of CPU)."""
    import subprocess
    import sys

    code = ("import sys\nfrom convlearn.data import load_digits_split\n"
            "d, v = load_digits_split(), load_digits_split(validation=0.15)\n"
            "print(len(d.y_train), len(v.y_val), 'sklearn' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1347", "270", "False"]
