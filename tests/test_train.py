"""convlearn.train: fit/evaluate/History, weights files, divergence errors; convlearn.inspect helpers."""

from __future__ import annotations

import numpy as np
import pytest

from convlearn import nn
from convlearn.data import load_digits_split, make_oriented_bars, random_shift
from convlearn.inspect import confusion_matrix, conv_filters, feature_maps, misclassified
from convlearn.nn.optim import SGD
from convlearn.train import History, digits_cnn, evaluate, fit, load_weights, predict, save_weights


@pytest.fixture(scope="module")
def digits():
    return load_digits_split()


@pytest.fixture(scope="module")
def trained(digits):
    """The default CNN after 2 epochs on 600 training digits."""
    model = digits_cnn(seed=0)
    history = fit(model, digits.x_train[:600], digits.y_train[:600], epochs=2, lr=5e-3,
                  x_val=digits.x_test[:200], y_val=digits.y_test[:200], progress=False)
    return model, history


def test_fit_records_history_and_learns(trained, digits):
    model, history = trained
    assert isinstance(history, History) and history.epochs == 2
    assert len(history.val_accuracy) == 2 and len(history.batch_loss) == 2 * 19
    assert history.train_loss[1] < history.train_loss[0]
    assert history.val_accuracy[-1] > 0.7
    ev = evaluate(model, digits.x_test, digits.y_test)
    assert ev.accuracy > 0.7 and 0 < ev.loss < 1.5
    assert not model.training


def test_fit_is_reproducible(digits):
    x, y = digits.x_train[:96], digits.y_train[:96]
    runs = [fit(digits_cnn(seed=1), x, y, epochs=1, progress=False, lr_schedule="cosine").batch_loss
            for _ in range(2)]
    assert runs[0] == runs[1]
    other = fit(digits_cnn(seed=1), x, y, epochs=1, progress=False, seed=5).batch_loss
    assert other != runs[0]
    augmented = [fit(digits_cnn(seed=1), x, y, epochs=1, progress=False, augment=random_shift).batch_loss
                 for _ in range(2)]
    assert augmented[0] == augmented[1] != runs[0]


def test_progress_bar_and_callback(digits, capsys):
    seen = []
    fit(digits_cnn(), digits.x_train[:64], digits.y_train[:64], epochs=2, progress=True,
        on_epoch_end=lambda e, h: seen.append((e, h.epochs)))
    assert seen == [(1, 1), (2, 2)]
    assert "training" in capsys.readouterr().err


def test_restore_best_loads_the_epoch_with_the_lowest_validation_loss():
    data = load_digits_split(validation=0.15)
    x, y = data.x_train[:200], data.y_train[:200]  # few images, many epochs: the validation loss turns up
    kw = dict(epochs=8, lr=2e-2, x_val=data.x_val, y_val=data.y_val, progress=False, seed=3)
    ref = fit(digits_cnn(seed=2), x, y, **kw)
    model, states = digits_cnn(seed=2), {}
    history = fit(model, x, y, **kw, restore_best=True,
                  on_epoch_end=lambda e, h: states.update({e: model.state_dict()}))
    assert history.val_loss == ref.val_loss  # the copies do not change the run
    best = int(np.argmin(history.val_loss)) + 1
    assert history.best_epoch == best < history.epochs, history.val_loss  # this run overfits: restoring matters
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, states[best][name])
    assert evaluate(model, data.x_val, data.y_val).loss == pytest.approx(min(history.val_loss), rel=1e-12)
    assert History().best_epoch is None


def test_restore_best_needs_validation_data(digits):
    with pytest.raises(ValueError, match="restore_best=True needs validation data"):
        fit(digits_cnn(), digits.x_train[:32], digits.y_train[:32], epochs=1, progress=False, restore_best=True)
    with pytest.raises(TypeError, match="restore_best must be a bool"):
        fit(digits_cnn(), digits.x_train[:32], digits.y_train[:32], epochs=1, progress=False, restore_best="yes")


def test_save_load_round_trip(trained, digits, tmp_path):
    model, _ = trained
    path = tmp_path / "weights.npz"
    save_weights(model, path)
    fresh = load_weights(digits_cnn(seed=99), path)
    np.testing.assert_array_equal(predict(fresh, digits.x_test), predict(model, digits.x_test))
    with pytest.raises(ValueError, match="shape"):
        load_weights(digits_cnn(channels=(8, 8)), path)


def test_diverging_training_raises(digits):
    model = digits_cnn(seed=0)
    model[-1].weight.value[0, 0] = np.inf  # as after an overflowing update: inf - inf = nan in the logits
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match=r"epoch 1, step 1: training diverged"):
        fit(model, digits.x_train[:64], digits.y_train[:64], epochs=1, optimizer=SGD(model.parameters(), lr=0.1),
            progress=False)


def test_fit_bad_input(digits):
    model = digits_cnn()
    with pytest.raises(ValueError, match="labels must have shape"):
        fit(model, digits.x_train[:10], digits.y_train[:9], progress=False)
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 9\]"):
        fit(model, digits.x_train[:10], digits.y_train[:10] + 10, progress=False)
    with pytest.raises(TypeError, match="integer"):
        fit(model, digits.x_train[:10], digits.y_train[:10].astype(float), progress=False)
    with pytest.raises(ValueError, match=r"Conv2d\(1, 16.*\(N, 1, H, W\)"):
        fit(model, digits.x_train[:10, 0], digits.y_train[:10], progress=False)
    with pytest.raises(ValueError, match="both x_val and y_val"):
        fit(model, digits.x_train[:10], digits.y_train[:10], x_val=digits.x_test, progress=False)
    with pytest.raises(ValueError, match="lr_schedule"):
        fit(model, digits.x_train[:10], digits.y_train[:10], lr_schedule="step", progress=False)


def test_inspection_helpers(trained, digits):
    model, _ = trained
    filters = conv_filters(model)
    assert [f.array.shape for f in filters] == [(16, 1, 3, 3), (32, 16, 3, 3)] and filters[0].name == "0"
    maps = feature_maps(model, digits.x_test[0])
    assert [m.array.shape for m in maps] == [(16, 8, 8), (16, 8, 8), (16, 4, 4), (32, 4, 4), (32, 4, 4),
                                              (32, 2, 2), (128,), (10,)]
    np.testing.assert_allclose(maps[-1].array, predict(model, digits.x_test[:1])[0])
    assert np.all(maps[1].array >= 0)  # after ReLU
    pred = predict(model, digits.x_test).argmax(axis=1)
    cm = confusion_matrix(digits.y_test, pred, n_classes=10)
    assert cm.shape == (10, 10) and cm.sum() == 450
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(digits.y_test, minlength=10))
    assert np.trace(cm) == np.sum(pred == digits.y_test)
    mis = misclassified(model, digits.x_test, digits.y_test)
    assert len(mis.indices) == 450 - np.trace(cm)
    assert np.all(mis.y_pred != mis.y_true) and np.all(np.diff(mis.confidence) <= 0)
    np.testing.assert_array_equal(mis.images, digits.x_test[mis.indices])
    with pytest.raises(ValueError, match="n_classes"):
        confusion_matrix(np.array([0, 5]), np.array([0, 1]), n_classes=3)


@pytest.mark.parametrize("n_classes", [None, 4, 7])
def test_confusion_matrix_counts_as_scikit_learn(rng, n_classes):
    from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

    for size in (0, 1, 200):
        y_true, y_pred = rng.integers(0, 4, size), rng.integers(0, 4, size)
        for dtype in (np.int8, np.int64, np.uint8, np.uint64):
            cm = confusion_matrix(y_true.astype(dtype), y_pred.astype(dtype), n_classes)
            k = n_classes if n_classes is not None else (int(max(y_true.max(), y_pred.max())) + 1 if size else 0)
            expected = sklearn_confusion_matrix(y_true, y_pred, labels=np.arange(k)) if size else np.zeros((k, k))
            assert cm.shape == (k, k) and cm.dtype == np.int64
            np.testing.assert_array_equal(cm, expected)


def test_bars_are_learnable():
    bars = make_oriented_bars(200, size=9, seed=0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, rng=0), nn.ReLU(), nn.MaxPool2d(7), nn.Flatten(), nn.Linear(4, 4, rng=1))
    fit(model, bars.x[:160], bars.y[:160], epochs=15, lr=0.03, progress=False)
    assert evaluate(model, bars.x[160:], bars.y[160:]).accuracy >= 0.9


def test_plots(trained, digits):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlearn.viz import training as vt

    model, history = trained
    pred = predict(model, digits.x_test).argmax(axis=1)
    figs = [
        vt.plot_history(history),
        vt.plot_filters(conv_filters(model)[0].array),
        vt.plot_feature_maps(feature_maps(model, digits.x_test[0])),
        vt.plot_confusion_matrix(confusion_matrix(digits.y_test, pred, 10), digits.class_names),
        vt.plot_misclassified(misclassified(model, digits.x_test, digits.y_test), digits.class_names),
    ]
    for fig in figs:
        assert fig.axes, fig
        # every figure is labelled: its first axes carry an x label or a title, or the figure a suptitle
        first = fig.axes[0]
        suptitle = fig._suptitle.get_text() if fig._suptitle is not None else ""
        assert first.get_xlabel() or first.get_title() or suptitle, fig
        plt.close(fig)


def test_loss_curves_draw_each_curve_at_its_epochs():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlearn.viz.training import plot_loss_curves

    curves = {"SGD": [2.3, 1.5, 1.1], "Adam": np.array([2.0, 0.7, 0.3, 0.2])}
    fig = plot_loss_curves(curves, title="three optimisers")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "training loss" and ax.get_title() == "three optimisers"
    assert ax.get_yscale() == "log"
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == list(curves)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(curves)
    for line, values in zip(lines, curves.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, len(values) + 1))
        np.testing.assert_array_equal(line.get_ydata(), values)
    plt.close(fig)
    fig = plot_loss_curves({"a": [1.0]}, log=False)
    assert fig.axes[0].get_yscale() == "linear"
    plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        plot_loss_curves({})
    with pytest.raises(ValueError, match="'b'"):
        plot_loss_curves({"b": []})


def test_descent_paths_draw_each_path_over_true_contours():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from convlearn.viz.training import plot_descent_paths

    def loss(t1, t2):
        return 0.5 * (t1**2 + 4 * t2**2)

    # gradient descent on this quadratic multiplies theta by diag(1 - eta, 1 - 4 eta) per step
    theta0 = np.array([-2.0, 1.0])
    paths = {f"eta = {eta}": np.array([theta0 * np.array([1 - eta, 1 - 4 * eta]) ** k for k in range(6)])
             for eta in (0.1, 0.4)}
    fig = plot_descent_paths(loss, paths, xlim=(-2.5, 2.5), ylim=(-1.5, 1.5), levels=5, title="two rates")
    ax = fig.axes[0]
    assert ax.get_title() == "two rates" and ax.get_xlabel() and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(paths)
    lines = [line for line in ax.get_lines() if line.get_label() in paths]
    for line, path in zip(lines, paths.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), path[:, 0])
        np.testing.assert_array_equal(line.get_ydata(), path[:, 1])
    # every vertex of every contour line lies where the loss equals that line's level
    cs = next(c for c in ax.collections if hasattr(c, "levels"))
    checked = 0
    for level, segs in zip(cs.levels, cs.allsegs, strict=True):
        for seg in segs:
            np.testing.assert_allclose(loss(seg[:, 0], seg[:, 1]), level, rtol=0.02, atol=1e-3)
            checked += len(seg)
    assert checked > 100
    plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        plot_descent_paths(loss, {}, xlim=(0, 1), ylim=(0, 1))
    with pytest.raises(ValueError, match="'bad'"):
        plot_descent_paths(loss, {"bad": np.zeros((3, 3))}, xlim=(0, 1), ylim=(0, 1))
