"""Tests of convlearn.viz.diagrams: every number drawn is convlearn's number, and every axis is labelled."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.signal

from convlearn.nn import functional as F
from convlearn.nn.functional import reference as nref
from convlearn.signal.reference import centred_sum
from convlearn.train import digits_cnn
from convlearn.viz import diagrams as D


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _grid_numbers(ax) -> list[float]:
    """The numbers written in the cells of a grid drawn by the module (in drawing order)."""
    return [float(t) for t in _texts(ax)]


def _assert_labelled(fig) -> None:
    for ax in fig.axes:
        if not ax.axison:
            continue
        assert ax.get_xlabel(), f"axes {ax.get_title()!r} has no x label"
        if ax.get_yticks().size:
            assert ax.get_ylabel(), f"axes {ax.get_title()!r} has no y label"


def test_index_map_matches_centred_sum(rng):
    kernel = rng.standard_normal((3, 5))
    d = D.index_map_figure(kernel)
    m, n, r, c = (d.values[key] for key in "mnrc")
    assert m.min() == -1 and m.max() == 1 and n.min() == -2 and n.max() == 2
    # the map drawn is the one centred_sum uses: S(i, j) = sum I(i + m, j + n) K(m, n) with K(m, n) = kernel[r, c]
    image = rng.standard_normal((7, 8))
    i, j = 3, 4
    by_map = sum(image[i + m[rr, cc], j + n[rr, cc]] * kernel[r[rr, cc], c[rr, cc]]
                 for rr in range(3) for cc in range(5))
    assert np.isclose(by_map, centred_sum(image, kernel, i, j), rtol=1e-12)
    ax = d.fig.axes[0]
    texts = _texts(ax)
    assert "(-1, -2)" in texts and "[0, 0]" in texts and "(0, 0)" in texts and "[1, 2]" in texts
    assert ax.get_xlabel() and ax.get_ylabel()
    assert sum(1 for t in texts if t.startswith("(")) == kernel.size


def test_index_map_rejects_even_sizes():
    with pytest.raises(ValueError, match="odd"):
        D.index_map_figure(shape=(2, 3))


def test_multichannel_conv_numbers_are_conv2d(rng):
    x = rng.integers(0, 3, size=(3, 5, 5)).astype(float)
    w = rng.integers(-1, 2, size=(2, 3, 3, 3)).astype(float)
    b = np.array([1.0, 0.0])
    x0, w0 = x.copy(), w.copy()
    d = D.multichannel_conv_figure(x, w, b, stride=2, padding=1, cell=(1, 2))
    assert np.array_equal(x, x0) and np.array_equal(w, w0)  # inputs not modified
    y = d.values["output"]
    # independent oracle: the readable loops of convlearn's reference, and SciPy channel by channel
    assert np.allclose(y, nref.conv2d_loops(x[None], w, b, stride=2, padding=1)[0])
    for o in range(2):
        full = sum(scipy.signal.correlate2d(np.pad(x[c], 1), w[o, c], mode="valid") for c in range(3)) + b[o]
        assert np.allclose(y[o], full[::2, ::2])
    # the per-channel sums add up (with the bias) to the explained output value
    assert np.isclose(d.values["channel_sums"][0].sum() + b[0], y[0, 1, 2])
    axes = d.fig.axes
    out_axes = [ax for ax in axes if ax.get_title().startswith("output y[o=")]
    assert len(out_axes) == 2
    for o, ax in enumerate(out_axes):
        assert _grid_numbers(ax) == list(y[o].ravel())
    in_axes = [ax for ax in axes if ax.get_title().startswith("input x_pad")]
    for c, ax in enumerate(in_axes):
        assert _grid_numbers(ax) == list(np.pad(x[c], 1).ravel())
    w_axes = [ax for ax in axes if ax.get_title().startswith("filter")]
    assert len(w_axes) == 6
    assert f"= {y[0, 1, 2]:.0f}" in d.fig._suptitle.get_text()
    _assert_labelled(d.fig)


def test_multichannel_conv_errors(rng):
    with pytest.raises(ValueError, match=r"weight.*C_in = 3"):
        D.multichannel_conv_figure(rng.standard_normal((3, 5, 5)), rng.standard_normal((2, 2, 3, 3)))
    with pytest.raises(ValueError, match="x must be"):
        D.multichannel_conv_figure(rng.standard_normal((5, 5)), rng.standard_normal((2, 2, 3, 3)))


def test_max_pool_numbers_are_max_pool2d(rng):
    x = rng.permutation(16).reshape(4, 4).astype(float)
    d = D.max_pool_figure(x, 2)
    y = d.values["output"]
    assert np.array_equal(y, F.max_pool2d(x[None, None], 2)[0, 0])
    assert np.array_equal(y, x.reshape(2, 2, 2, 2).max(axis=(1, 3)))  # independent: reshape-and-max
    for (i, j), v in np.ndenumerate(y):
        assert x[tuple(d.values["argmax"][i, j])] == v
    ax_in, ax_out = d.fig.axes
    assert _grid_numbers(ax_in) == list(x.ravel())
    assert _grid_numbers(ax_out) == list(y.ravel())
    bold = [float(t.get_text()) for t in ax_in.texts if t.get_fontweight() == "bold"]
    assert sorted(bold) == sorted(y.ravel())
    _assert_labelled(d.fig)


def test_im2col_numbers_are_im2col_and_conv2d(rng):
    x = rng.integers(0, 10, size=(4, 4)).astype(float)
    w = rng.integers(-1, 2, size=(3, 3)).astype(float)
    d = D.im2col_figure(x, w)
    cols = d.values["cols"]
    assert np.array_equal(cols, F.im2col(x[None, None], 3)[0])
    # independent: column t is window t read in reading order
    for t, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        assert np.array_equal(cols[:, t], x[i:i + 3, j:j + 3].ravel())
    assert np.allclose(d.values["product"], scipy.signal.correlate2d(x, w, mode="valid").ravel())
    titles = {ax.get_title(): ax for ax in d.fig.axes}
    ax_cols = next(ax for t, ax in titles.items() if t.startswith("cols"))
    assert _grid_numbers(ax_cols) == list(cols.ravel())
    ax_prod = next(ax for t, ax in titles.items() if t.startswith("w_row @ cols"))
    assert _grid_numbers(ax_prod) == list(d.values["output"].ravel())
    _assert_labelled(d.fig)


def test_architecture_shapes_are_forward_shapes():
    model = digits_cnn(seed=0)
    d = D.architecture_figure(model, (1, 1, 8, 8))
    assert d.values["shapes"][0] == (1, 1, 8, 8)
    assert d.values["shapes"][-1] == (1, 10)
    assert d.values["shapes"][1] == (1, 16, 8, 8) and d.values["shapes"][3] == (1, 16, 4, 4)
    a = np.zeros((1, 1, 8, 8))
    for layer, shape in zip(model, d.values["shapes"][1:], strict=True):
        a = layer.forward(a)
        assert a.shape == shape
    assert sum(d.values["params"]) == sum(p.value.size for p in model.parameters())
    texts = _texts(d.fig.axes[0])
    assert "16×8×8" in texts and "10" in texts and "Conv2d" in texts
    _assert_labelled(d.fig)


# --------------------------------------------------------------------------- the on-ramp's pictures
def _all_texts(fig) -> str:
    return "\n".join(t.get_text() for ax in fig.axes for t in ax.texts) + "\n" + (
        fig._suptitle.get_text() if fig._suptitle is not None else "")


@pytest.mark.parametrize("x", [[2.0, 0.5, -1.0], [-2.0, 0.5, 1.0]])
def test_neuron_numbers_are_the_weighted_sum_and_relu(x):
    w, b = np.array([0.5, -1.0, 0.25]), 0.1
    d = D.neuron_figure(w, b, x)
    z = float(np.dot(w, x) + b)                         # by hand
    assert np.isclose(d.values["z"], z) and np.isclose(d.values["a"], max(z, 0.0))
    texts = _all_texts(d.fig)
    for j, wj in enumerate(w, start=1):
        assert f"= {D._fmt(wj)}" in texts and f"x{'₀₁₂₃'[j]}" in texts
    assert f"= {D._fmt(z)}" in texts and f"a = {D._fmt(max(z, 0.0))}" in texts and f"b = {D._fmt(b)}" in texts
    with pytest.raises(ValueError, match="same length"):
        D.neuron_figure(w, b, [1.0, 2.0])


def test_layer_matrix_is_w_times_x_plus_b(rng):
    from convlearn.nn import Linear

    layer = Linear(4, 3, rng=rng)
    layer.bias.value[...] = rng.standard_normal(3)
    x = rng.standard_normal(4)
    d = D.layer_matrix_figure(layer, x, neuron=2)
    z = layer.weight.value @ x + layer.bias.value       # by hand
    np.testing.assert_allclose(d.values["z"], z, rtol=1e-12)
    grids = [ax for ax in d.fig.axes if ax.axison]
    assert [ax.get_title() for ax in grids] == ["W (3 × 4)", "x", "b", "z"]
    assert _grid_numbers(grids[0]) == [float(D._fmt(v)) for v in layer.weight.value.ravel()]
    assert _grid_numbers(grids[3]) == [float(D._fmt(v)) for v in z]
    assert d.fig._suptitle.get_text().endswith(f"= {D._fmt(z[2])}")
    _assert_labelled(d.fig)
    with pytest.raises(ValueError, match="too large"):
        D.layer_matrix_figure(Linear(9, 3, rng=rng), np.zeros(9))
    with pytest.raises(ValueError, match="neuron"):
        D.layer_matrix_figure(layer, x, neuron=3)


def test_mlp_sizes_and_parameters():
    from convlearn.nn import Conv2d, Flatten, Linear, ReLU, Sequential

    model = Sequential(Flatten(), Linear(64, 32, rng=0), ReLU(), Linear(32, 10, rng=0))
    d = D.mlp_figure(model, (1, 1, 8, 8))
    assert d.values["sizes"] == [64, 32, 10]
    assert d.values["params"] == [64 * 32 + 32, 32 * 10 + 10] and d.values["relu"] == [True, False]
    texts = _all_texts(d.fig)
    assert "64 inputs" in texts and "32 hidden" in texts and "ReLU" in texts and "10 outputs" in texts
    assert "2,080 parameters" in texts and "330 parameters" in texts and "W₁: 32 × 64" in texts
    assert texts.count("⋮") == 3                        # every column of more than 7 units is cut
    with pytest.raises(TypeError, match="Conv2d"):
        D.mlp_figure(Sequential(Conv2d(1, 2, 3, rng=0)), (1, 1, 8, 8))


def test_backprop_graph_numbers_are_numerical_gradients():
    from convlearn.gradcheck import numerical_gradient
    from convlearn.nn import Linear, ReLU, Sequential

    gen = np.random.default_rng(0)
    model = Sequential(Linear(2, 2, rng=gen), ReLU(), Linear(2, 3, rng=gen))
    model[0].weight.value[...] = [[0.8, -0.3], [-0.6, -0.4]]   # the second hidden unit is negative for x = (1, 1)
    model[2].bias.value[...] = [0.1, -0.2, 0.3]
    x, t = np.array([1.0, 1.0]), 2
    d = D.backprop_graph_figure(model, x, t)
    p = {name: value.copy() for name, value in d.values["params"].items()}

    def loss(x_, W1=p["W1"], b1=p["b1"], W2=p["W2"], b2=p["b2"]):
        z2 = W2 @ np.maximum(W1 @ x_ + b1, 0) + b2          # the network by hand, independent of convlearn
        return np.log(np.sum(np.exp(z2))) - z2[t]

    assert np.isclose(d.values["loss"], loss(x))
    assert d.values["forward"]["a1"][1] == 0.0            # this example's ReLU blocks one unit ...
    assert d.values["grad"]["z1"][1] == 0.0               # ... and its gradient
    np.testing.assert_allclose(d.values["grad"]["x"], numerical_gradient(loss, x), atol=1e-7)
    for name in ("W1", "b1", "W2", "b2"):
        numeric = numerical_gradient(lambda v, name=name: loss(x, **{name: v}), p[name])
        np.testing.assert_allclose(d.values["param_grads"][name], numeric, atol=1e-7)
    texts = _all_texts(d.fig)
    for name in d.values["names"]:
        label = name[0] + name[1:].translate(D._SUB)
        assert f"{label} = {D._vec(d.values['forward'][name])}" in texts
        assert f"∂L/∂{label} = {D._vec(d.values['grad'][name])}" in texts
    assert f"L = {D._fmt(d.values['loss'])}" in texts and "∂L/∂b₂ = " + D._vec(d.values["param_grads"]["b2"]) in texts
    with pytest.raises(ValueError, match="at most 3"):
        D.backprop_graph_figure(Sequential(Linear(4, 2, rng=0)), np.zeros(4), 0)


def test_sampling_grids_figure_places_the_three_grids_and_the_marked_term():
    a, h, K = 0.5, 0.25, 6
    d = D.sampling_grids_figure(a, h, K, n=5, m=2)
    v = d.values
    np.testing.assert_allclose(v["tau"], [0.5, 0.75, 1.0, 1.25, 1.5, 1.75])
    np.testing.assert_allclose(v["k_grid"], v["tau"])
    assert v["t"].size == 2 * K - 1 and np.isclose(v["t"][0], 2 * a) and np.allclose(np.diff(v["t"]), h)
    assert v["j"] == 3 and np.isclose(v["difference"], a + 3 * h)
    # every output time minus every x sample time is a + (n - m) h: a point of the k grid when 0 <= n - m < K
    for n in range(2 * K - 1):
        for m in range(K):
            if 0 <= n - m < K:
                assert np.isclose(v["t"][n] - v["tau"][m], v["k_grid"][n - m])
    ax = d.fig.axes[0]
    assert ax.get_xlabel().startswith("time") and len(ax.get_yticklabels()) == 3
    plt.close(d.fig)
    with pytest.raises(ValueError, match="n - m"):
        D.sampling_grids_figure(a, h, K, n=9, m=0)
    with pytest.raises(ValueError, match="h > 0"):
        D.sampling_grids_figure(a, 0.0, K, n=1, m=0)
