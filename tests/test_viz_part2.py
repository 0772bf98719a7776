"""Tests of convlearn.viz.arithmetic: the geometry behind the part II diagrams (the live explorers that show
it are tested in tests/test_viz.py and, in the browser, tests/test_site_browser.py)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from convlearn.nn import functional as F
from convlearn.nn.functional import LayerGeometry, receptive_field
from convlearn.viz import arithmetic as A


@pytest.mark.parametrize(
    ("i", "k", "s", "p", "d"),
    [(4, 3, 1, 0, 1), (5, 4, 1, 2, 1), (6, 3, 2, 0, 1), (5, 3, 2, 1, 1), (7, 3, 1, 0, 2), (9, 3, 3, 2, 2)],
)
def test_conv_layout_taps_are_what_conv2d_reads(i, k, s, p, d, rng):
    """Output cell (r, c) of conv2d equals the sum of the weights times the cells the layout says it reads."""
    lay = A.conv_layout(i, k, stride=s, padding=p, dilation=d)
    x = rng.standard_normal((1, 1, i, i))
    w = rng.standard_normal((1, 1, k, k))
    y = F.conv2d(x, w, stride=s, padding=p, dilation=d)
    assert lay.output_size == y.shape[-1]
    xp = np.pad(x[0, 0], p)
    assert lay.kinds.shape == xp.shape
    assert np.array_equal(lay.kinds == A.INPUT, np.pad(np.ones((i, i), bool), p))
    for r in range(lay.output_size):
        for c in range(lay.output_size):
            taps = lay.taps(r, c)
            value = sum(w[0, 0, t // k, t % k] * xp[rr, cc] for t, (rr, cc) in enumerate(taps))
            assert np.isclose(value, y[0, 0, r, c])
            # input_cells: exactly the taps that fall on the input, in original coordinates
            cells = lay.input_cells(r, c)
            expected = [(rr - p, cc - p) for rr, cc in taps if 0 <= rr - p < i and 0 <= cc - p < i]
            assert cells == expected


@pytest.mark.parametrize(
    ("i", "k", "s", "p", "d", "a"),
    [
        (2, 3, 1, 0, 1, 0),
        (6, 4, 1, 2, 1, 0),
        (2, 3, 2, 0, 1, 0),
        (3, 3, 2, 1, 1, 1),
        (3, 3, 2, 0, 2, 1),
        (4, 2, 3, 1, 1, 2),
    ],
)
def test_transposed_layout_matches_conv_transpose2d(i, k, s, p, d, a, rng):
    """Sliding the flipped kernel over the zero-inserted, padded grid reproduces conv_transpose2d."""
    lay = A.conv_layout(i, k, stride=s, padding=p, dilation=d, output_padding=a, transposed=True)
    x = rng.standard_normal((1, 1, i, i))
    w = rng.standard_normal((1, 1, k, k))
    z = F.conv_transpose2d(x, w, stride=s, padding=p, output_padding=a, dilation=d)
    assert lay.output_size == z.shape[-1]
    grid = np.zeros(lay.kinds.shape)
    grid[lay.kinds == A.INPUT] = x[0, 0].ravel()
    wf = np.flip(w[0, 0])
    for r in range(lay.output_size):
        for c in range(lay.output_size):
            value = sum(wf[t // k, t % k] * grid[rr, cc] for t, (rr, cc) in enumerate(lay.taps(r, c)))
            assert np.isclose(value, z[0, 0, r, c])
    assert np.count_nonzero(lay.kinds == A.INSERTED) == ((i - 1) * s + 1) ** 2 - i * i


def test_conv_layout_errors():
    with pytest.raises(ValueError, match="padded input"):
        A.conv_layout(3, 5)
    with pytest.raises(ValueError, match="stride"):
        A.conv_layout(5, 3, stride=0)
    with pytest.raises(ValueError, match="output_padding"):
        A.conv_layout(5, 3, stride=2, output_padding=2, transposed=True)
    with pytest.raises(ValueError, match="output_padding"):
        A.conv_layout(5, 3, output_padding=1)
    with pytest.raises(ValueError, match="padding"):
        A.conv_layout(5, 3, padding=3, transposed=True)
    lay = A.conv_layout(5, 3)
    with pytest.raises(ValueError, match="output cell"):
        lay.taps(3, 0)


def test_figure_has_labelled_axes():
    import matplotlib.pyplot as plt

    fig = A.arithmetic_figure(5, 3, stride=2, padding=1, cell=(2, 1))
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    plt.close(fig)


@pytest.mark.parametrize(
    "layers",
    [
        [LayerGeometry(3), LayerGeometry(3), LayerGeometry(3)],
        [LayerGeometry(3, stride=2, padding=1), LayerGeometry(3, padding=1), LayerGeometry(2, stride=2)],
        [LayerGeometry(3, dilation=2), LayerGeometry(3, dilation=4, padding=2)],
    ],
)
def test_receptive_field_units_agree_with_gradients(layers, rng):
    """The cone drawn in the figure is the set of inputs with a non-zero gradient (and matches the formula)."""
    n = 24
    masks = A.receptive_field_units(layers, n, unit=2)
    # propagate a gradient from the chosen unit back through 1-D convolutions with all-ones kernels
    xs = [rng.standard_normal((1, 1, n))]
    for g in layers:
        w = np.ones((1, 1, g.kernel_size))
        xs.append(F.conv1d(xs[-1], w, stride=g.stride, padding=g.padding, dilation=g.dilation))
    grad = np.zeros_like(xs[-1])
    grad[0, 0, 2] = 1.0
    for level in range(len(layers), 0, -1):
        g = layers[level - 1]
        w = np.ones((1, 1, g.kernel_size))
        assert np.array_equal(masks[level], grad[0, 0] != 0)
        grad, _, _ = F.conv1d_backward(grad, xs[level - 1], w, stride=g.stride, padding=g.padding, dilation=g.dilation)
    assert np.array_equal(masks[0], grad[0, 0] != 0)
    rf = receptive_field(layers)[-1]
    first, last = rf.span(2)
    expected = np.zeros(n, bool)
    expected[max(first, 0) : last + 1] = True
    # dilation can leave holes inside the span; otherwise the cone is the whole clipped span
    assert np.all(masks[0] <= expected)
    if all(g.dilation == 1 for g in layers):
        assert np.array_equal(masks[0], expected)


def test_receptive_field_figure():
    import matplotlib.pyplot as plt

    ax = A.receptive_field_figure([LayerGeometry(3), LayerGeometry(3, stride=2)], 12)
    assert ax.get_xlabel() and ax.get_ylabel() and "sees 5 input samples" in ax.get_title()
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="unit"):
        A.receptive_field_units([LayerGeometry(3)], 5, unit=3)


@pytest.mark.torch
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
def test_conventions_table_of_chapter_7_matches_pytorch(torch):
    """The PyTorch column of the conventions table in book/part2/07-arithmetic.md, checked against PyTorch."""
    tf = torch.nn.functional
    x = torch.arange(5.0, dtype=torch.float64).reshape(1, 1, 5)
    # 'same' with an even kernel: total padding 1, the extra cell goes after (w = [1, 0] copies x unchanged)
    assert torch.equal(tf.conv1d(x, torch.tensor([[[1.0, 0.0]]], dtype=torch.float64), padding="same"), x)
    with pytest.raises(RuntimeError, match="strided"):
        tf.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), stride=2, padding="same")
    # floor for convolutions, floor / ceil_mode for pooling: the numbers printed on the page
    t = torch.zeros(1, 1, 6, 6)
    assert tf.conv2d(t, torch.zeros(1, 1, 3, 3), stride=2).shape[-1] == F.conv_output_size(6, 3, stride=2) == 2
    assert tf.max_pool2d(t, 3, 2).shape[-1] == 2 and tf.max_pool2d(t, 3, 2, ceil_mode=True).shape[-1] == 3
    # output_padding picks among the input sizes that a strided convolution maps to the same output size
    y = torch.zeros(1, 1, 3, 3)
    for a in (0, 1):
        size = tf.conv_transpose2d(y, torch.zeros(1, 1, 3, 3), stride=2, padding=1, output_padding=a).shape[-1]
        assert size == F.conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=a) == 5 + a
    # and convlearn's 'same' split agrees numerically with PyTorch's
    rng = np.random.default_rng(0)
    xx, ww = rng.standard_normal((1, 1, 6, 6)), rng.standard_normal((1, 1, 4, 4))
    ours = F.conv2d(xx, ww, padding="same")
    theirs = tf.conv2d(torch.from_numpy(xx), torch.from_numpy(ww), padding="same").numpy()
    assert np.allclose(ours, theirs, rtol=1e-10, atol=1e-12)
