"""Tests of convlearn.viz: explorers react to their widgets, accept the reader's functions, and the
static animations are self-contained HTML with frames. Everything runs with the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import scipy.signal

from convlearn.viz import animations, explorers, plots


def box(t):
    return ((np.asarray(t) >= -0.5) & (np.asarray(t) <= 0.5)).astype(float)


def trapezoid_convolve(f, g, t, support):
    """An independent numerical convolution (trapezoid rule) standing in for a reader's function."""
    tau = np.linspace(support[0], support[1], 2001)
    t = np.asarray(t, dtype=float)
    out = [np.trapezoid(f(tau) * g(ti - tau), tau) for ti in t.ravel()]
    return np.asarray(out).reshape(t.shape)


class Spy:
    """Wraps a function and counts its calls."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


# ------------------------------------------------------------------------------------------
# continuous flip and slide
# ------------------------------------------------------------------------------------------
def test_flip_and_slide_slider_changes_product_and_area():
    spy = Spy(trapezoid_convolve)
    ex = explorers.FlipAndSlide(box, box, support=(-0.5, 0.5), convolve=spy)
    ex.widget  # noqa: B018
    calls = spy.calls
    ex.controls["t"].value = 0.0
    area0, product0, png0 = ex.state.value, ex.state.product.copy(), ex._image.value
    ex.controls["t"].value = 0.7
    assert spy.calls > calls  # the reader's function is the one that computes the area
    assert ex.state.t == pytest.approx(0.7)
    # box * box is the triangle 1 - |t| on [-1, 1]
    assert area0 == pytest.approx(1.0, abs=1e-3)
    assert ex.state.value == pytest.approx(0.3, abs=1e-3)
    assert not np.array_equal(product0, ex.state.product)
    assert ex._image.value != png0
    # the shaded product integrates to the displayed area
    assert np.trapezoid(ex.state.product, ex.state.tau) == pytest.approx(ex.state.value, abs=2e-2)


def test_flip_and_slide_default_uses_convlearn_continuous():
    continuous = pytest.importorskip("convlearn.continuous")
    ex = explorers.FlipAndSlide(box, box, support=(-0.5, 0.5))
    assert ex.convolve is continuous.convolve
    assert ex.update(t=0.25).value == pytest.approx(0.75, abs=1e-3)


def test_flip_and_slide_rejects_bad_support():
    with pytest.raises(ValueError, match="support"):
        explorers.FlipAndSlide(box, box, support=(1.0, 0.0), convolve=trapezoid_convolve)


# ------------------------------------------------------------------------------------------
# discrete flip and slide
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flip", [True, False])
def test_discrete_products_sum_to_output(rng, flip):
    x, k = rng.normal(size=9), rng.normal(size=4)
    oracle = np.convolve(x, k) if flip else np.correlate(x, k, mode="full")
    ex = explorers.DiscreteFlipAndSlide(x, k, flip=flip)  # default: convlearn.signal
    for n in range(ex.n_outputs):
        state = ex.compute(n=n)
        assert state.terms_sum == pytest.approx(oracle[n], abs=1e-12)
        assert state.value == pytest.approx(oracle[n], abs=1e-12)


def test_discrete_slider_changes_highlight_and_calls_user_function():
    spy = Spy(np.convolve)
    ex = explorers.DiscreteFlipAndSlide([1.0, 2, 3, 4], [1.0, 0, -1], convolve=spy)
    assert spy.calls == 1
    ex.widget  # noqa: B018
    png0 = ex._image.value
    ex.controls["n"].value = 3
    np.testing.assert_array_equal(ex.state.m, [1, 2, 3])
    np.testing.assert_array_equal(ex.state.weights, [-1.0, 0.0, 1.0])  # k[n - m] for m = 1, 2, 3
    assert ex.state.value == 2.0
    assert ex._image.value != png0


def test_discrete_rejects_wrong_output_length():
    with pytest.raises(ValueError, match="full output"):
        explorers.DiscreteFlipAndSlide([1.0, 2, 3], [1.0, 1], convolve=lambda x, k: np.convolve(x, k, "same"))
    ex = explorers.DiscreteFlipAndSlide([1.0, 2, 3], [1.0, 1], convolve=np.convolve)
    with pytest.raises(ValueError, match="n must be"):
        ex.compute(n=4)


# ------------------------------------------------------------------------------------------
# kernel explorer
# ------------------------------------------------------------------------------------------
@pytest.fixture
def small_image(rng):
    return rng.random((12, 10))


def test_kernel_dropdown_changes_output(small_image):
    ex = explorers.KernelExplorer(small_image)  # default: convlearn.signal.convolve2d, same, symm
    ex.widget  # noqa: B018
    first = ex.state.output.copy()
    ex.controls["name"].value = "sobel x"
    assert ex.state.name == "sobel x"
    kernel = plots.classic_kernels()["sobel x"]
    expected = scipy.signal.convolve2d(small_image, kernel, mode="same", boundary="symm")
    np.testing.assert_allclose(ex.state.output, expected, rtol=1e-10, atol=1e-12)
    assert not np.allclose(first, ex.state.output)
    assert ex.controls["text"].value.splitlines()[0].split() == ["1", "0", "-1"]


def test_kernel_text_edit_and_user_function(small_image):
    spy = Spy(lambda image, kernel: scipy.signal.correlate2d(image, kernel, mode="same"))
    ex = explorers.KernelExplorer(small_image, convolve=spy)
    ex.widget  # noqa: B018
    calls = spy.calls
    ex.controls["text"].value = "0 0 0\n0 2 0\n0 0 0"
    assert spy.calls > calls
    assert ex.state.name == "custom"
    np.testing.assert_allclose(ex.state.output, 2 * small_image)
    ex.controls["text"].value = "1 2\n3"  # ragged: error shown, previous output kept
    assert "same length" in ex.state.error
    np.testing.assert_allclose(ex.state.output, 2 * small_image)


def test_kernel_update_syncs_controls(small_image):
    ex = explorers.KernelExplorer(small_image, convolve=lambda i, k: scipy.signal.convolve2d(i, k, mode="same"))
    ex.widget  # noqa: B018
    ex.update(name="laplacian")
    assert ex.controls["name"].value == "laplacian"
    assert ex.state.name == "laplacian"
    with pytest.raises(ValueError, match="unknown kernel"):
        ex.compute(name="nope")


def test_parse_kernel():
    np.testing.assert_array_equal(explorers.parse_kernel("1, 2\n3 4\n"), [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="empty"):
        explorers.parse_kernel("  \n")
    with pytest.raises(ValueError, match="numbers"):
        explorers.parse_kernel("1 a")


# ------------------------------------------------------------------------------------------
# sliding window
# ------------------------------------------------------------------------------------------
def test_sliding_window_highlights_inputs_and_weights(rng):
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 3))
    oracle = scipy.signal.correlate2d(image, kernel, mode="same")
    spy = Spy(lambda I, K, i, j: scipy.signal.correlate2d(I, K, mode="same")[i, j])
    ex = explorers.SlidingWindow(image, kernel, centred_sum=spy)
    ex.widget  # noqa: B018
    png0 = ex._image.value
    ex.controls["i"].value = 0
    ex.controls["j"].value = 5
    assert spy.calls >= 3
    assert (ex.state.i, ex.state.j) == (0, 5)
    # top row and right column of the window fall outside the image: zeros
    np.testing.assert_array_equal(ex.state.window[0], 0.0)
    np.testing.assert_array_equal(ex.state.window[:, 2], 0.0)
    np.testing.assert_array_equal(ex.state.window[1:, :2], image[0:2, 4:6])
    assert ex.state.terms_sum == pytest.approx(oracle[0, 5], abs=1e-12)
    assert ex.state.value == pytest.approx(oracle[0, 5], abs=1e-12)
    assert ex._image.value != png0


def test_sliding_window_default_centred_sum(rng):
    image, kernel = rng.normal(size=(5, 5)), rng.normal(size=(3, 5))
    ex = explorers.SlidingWindow(image, kernel)
    oracle = scipy.signal.correlate2d(image, kernel, mode="same")
    for i, j in [(0, 0), (2, 3), (4, 4)]:
        assert ex.compute(i=i, j=j).value == pytest.approx(oracle[i, j], abs=1e-12)


def test_sliding_window_errors():
    with pytest.raises(ValueError, match="odd"):
        explorers.SlidingWindow(np.zeros((4, 4)), np.ones((2, 3)))
    ex = explorers.SlidingWindow(np.zeros((4, 4)), np.ones((3, 3)), centred_sum=lambda *a: 0.0)
    with pytest.raises(ValueError, match=r"\(i, j\)"):
        ex.compute(i=4, j=0)
    with pytest.raises(ValueError, match="unknown control"):
        ex.update(k=1)


# ------------------------------------------------------------------------------------------
# animations
# ------------------------------------------------------------------------------------------
def _frame_count(html: str) -> int:
    return html.count("data:image/png;base64") + html.count("data:image/jpeg;base64")


def test_flip_and_slide_animation_is_self_contained():
    html = animations.flip_and_slide_animation(box, box, support=(-0.5, 0.5), frames=3,
                                               convolve=trapezoid_convolve).data
    assert _frame_count(html) == 3
    assert "<script" in html and "http://" not in html and "https://" not in html


def test_discrete_and_window_animations_have_one_frame_per_step():
    html = animations.discrete_flip_and_slide_animation([1.0, 2, 3], [1.0, -1], convolve=np.convolve).data
    assert _frame_count(html) == 4
    html = animations.sliding_window_animation(np.arange(16.0).reshape(4, 4), np.ones((3, 3)),
                                               positions=[(0, 0), (1, 1)],
                                               centred_sum=lambda I, K, i, j: 0.0).data
    assert _frame_count(html) == 2


def test_kernel_animation_one_frame_per_kernel(small_image):
    kernels = {"identity": np.eye(3)[::-1] * 0 + np.pad([[1.0]], 1), "box": np.ones((3, 3)) / 9}
    html = animations.kernel_animation(small_image, kernels=kernels,
                                       convolve=lambda i, k: scipy.signal.convolve2d(i, k, mode="same")).data
    assert html.count("data:image/jpeg;base64") == 2  # photographs: JPEG frames keep the page light


def test_to_html_rejects_unknown_frame_format():
    anim = animations.explorer_animation(explorers.DiscreteFlipAndSlide([1.0], [1.0], convolve=np.convolve), [0],
                                         control="n")
    with pytest.raises(ValueError, match="frame_format"):
        animations.to_html(anim, frame_format="gif")
    assert _frame_count(animations.to_html(anim).data) == 1


def test_explorer_animation_rejects_empty():
    ex = explorers.DiscreteFlipAndSlide([1.0, 2], [1.0], convolve=np.convolve)
    with pytest.raises(ValueError, match="at least one frame"):
        ex.animation([])


# ------------------------------------------------------------------------------------------
# plots and sample data
# ------------------------------------------------------------------------------------------
def test_sample_data_shapes():
    eeg = plots.sample_eeg()
    assert eeg.x.shape == (4, 800) and eeg.t.shape == (800,) and eeg.rate == 80.0
    dates, price = plots.sample_prices()
    assert dates.shape == price.shape and price.ndim == 1 and np.all(price > 0)
    img = plots.sample_image()
    assert img.shape == (150, 128) and 0.0 <= img.min() <= img.max() <= 1.0
    assert plots.sample_image(8).shape == (75, 64)
    with pytest.raises(ValueError, match="factor"):
        plots.sample_image(0)


def test_classic_kernels_properties():
    ks = plots.classic_kernels()
    for name in ("box 3x3", "gaussian 5x5", "sharpen", "identity"):
        assert ks[name].sum() == pytest.approx(1.0)
    for name in ("sobel x", "sobel y", "laplacian"):
        assert ks[name].sum() == pytest.approx(0.0)


def test_loglog_slope_recovers_power_law():
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    h = np.array([0.1, 0.05, 0.025, 0.0125])
    assert plots.loglog_with_slope(ax, h, 3.0 * h**2) == pytest.approx(2.0)
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "step h"


# ------------------------------------------------------------------------------------------
# the chapters' live-explorer cells (not run by the book build: no kernel on the website)
# ------------------------------------------------------------------------------------------
def test_part1_live_explorer_cells_compile():
    import pathlib

    import jupytext

    root = pathlib.Path(__file__).resolve().parents[1] / "book" / "part1"
    cells = []
    for path in sorted(root.glob("0*.md")):
        nb = jupytext.read(path)
        for cell in nb.cells:
            if cell.cell_type == "code" and "skip-execution" in cell.metadata.get("tags", []):
                compile(cell.source, f"{path.name}:live-explorer", "exec")
                cells.append(cell.source)
    assert len(cells) >= 4
    assert all("explorers." in source and ".widget" in source for source in cells)
