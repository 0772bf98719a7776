"""Tests of convlearn.viz: the live explorers' Python side (traits, the reader's functions, errors shown in
the widget), the offline animation wrapper and the plotting helpers. Everything runs with the Agg backend and
without a browser; tests/test_site_browser.py drives the explorers' JavaScript on the built site."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import scipy.signal

from convlearn import data
from convlearn.nn.functional import LayerGeometry, conv_output_size, conv_transpose_output_size, receptive_field
from convlearn.viz import animations, plots, widgets


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


def test_every_explorer_ships_a_self_contained_module():
    """Each front end is _common.js + _rules.js + its own file, exports render, and imports nothing (offline)."""
    classes = [widgets.FlipAndSlide, widgets.DiscreteFlipAndSlide, widgets.SlidingWindow, widgets.KernelExplorer,
               widgets.ArithmeticExplorer, widgets.ReceptiveFieldExplorer]
    for cls in classes:
        source = str(cls._esm).replace('"http://www.w3.org/2000/svg"', "")  # a namespace name, not a request
        assert "export default { render }" in source, cls.__name__
        assert "import " not in source.replace("important", ""), cls.__name__
        assert "http://" not in source and "https://" not in source and "SVG_NS" in source
    assert len({str(cls._esm) for cls in classes}) == len(classes)


# ------------------------------------------------------------------------------------------
# continuous flip and slide
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("f", "g"), [("box", "exp"), ("box", "box"), ("gaussian", "gaussian_half"), ("exp", "step")])
def test_flip_and_slide_value_is_convlearn_continuous(f, g):
    from convlearn.continuous import convolve

    ex = widgets.FlipAndSlide(f, g, t=0.7)
    assert not ex.python and ex.f == f and ex.g == g
    fn_f, fn_g = widgets.CONTINUOUS_FUNCTIONS[f], widgets.CONTINUOUS_FUNCTIONS[g]
    assert ex.value() == convolve(fn_f.fn, fn_g.fn, np.array([0.7]), fn_f.support)[0]
    assert ex.n_cells == 20_000  # the default of convolve: the browser uses the same cells


def test_flip_and_slide_names_match_analytic_pairs():
    """The functions offered are those of the book's pairs: their convolution is the closed form."""
    from convlearn.continuous import ANALYTIC_PAIRS

    ex = widgets.FlipAndSlide("box", "box", t=0.25)
    assert ex.value() == pytest.approx(ANALYTIC_PAIRS["box*box"].exact(0.25), abs=1e-4)
    ex.f, ex.g = "exp", "step"  # the reader picks other functions in the lists
    assert ex.value(1.5) == pytest.approx(ANALYTIC_PAIRS["exp*step"].exact(1.5), abs=1e-4)
    ex.g = "gaussian_half"
    assert ex.value(0.3) == pytest.approx(ANALYTIC_PAIRS["exp*gaussian"].exact(0.3), abs=1e-7)


def test_flip_and_slide_python_mode_uses_readers_function():
    spy = Spy(trapezoid_convolve)
    ex = widgets.FlipAndSlide(box, box, support=(-0.5, 0.5), convolve=spy, t=0.0)
    assert ex.python and ex.error == ""
    assert ex.py["value"] == pytest.approx(1.0, abs=1e-3)
    calls = spy.calls
    ex.t = 0.7  # the slider moves: Python recomputes with the reader's function
    assert spy.calls > calls
    assert ex.py["value"] == pytest.approx(0.3, abs=1e-3)
    product = np.array(ex.py["f_tau"]) * np.array(ex.py["g_flipped"])
    assert np.trapezoid(product, ex.py["tau"]) == pytest.approx(ex.py["value"], abs=2e-2)


def test_flip_and_slide_shows_the_readers_error():
    def broken(f, g, t, support):
        raise RuntimeError("my integral is not finished")

    ex = widgets.FlipAndSlide(box, box, support=(-0.5, 0.5), convolve=broken)
    assert "RuntimeError" in ex.error and "not finished" in ex.error and ex.py == {}


def test_flip_and_slide_rejects_bad_arguments():
    with pytest.raises(ValueError, match="support"):
        widgets.FlipAndSlide(box, box, support=(1.0, 0.0))
    with pytest.raises(ValueError, match="support"):
        widgets.FlipAndSlide(box, "exp")  # the reader's f needs its support
    with pytest.raises(ValueError, match="f must be"):
        widgets.FlipAndSlide("nope", "exp")
    with pytest.raises(ValueError, match="no bounded support"):
        widgets.FlipAndSlide("step", "exp")
    with pytest.raises(ValueError, match="t_range"):
        widgets.FlipAndSlide(t_range=(1.0, 1.0))


# ------------------------------------------------------------------------------------------
# discrete flip and slide
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("flip", [True, False])
def test_discrete_products_sum_to_output(rng, flip):
    x, k = rng.normal(size=9), rng.normal(size=4)
    oracle = np.convolve(x, k) if flip else np.correlate(x, k, mode="full")
    ex = widgets.DiscreteFlipAndSlide(x, k, flip=flip)  # default: convlearn.signal
    np.testing.assert_allclose(ex.output(), oracle, atol=1e-12)
    for n in range(oracle.size):
        ex.n = n
        _, _, products = ex.products()
        assert products.sum() == pytest.approx(oracle[n], abs=1e-12)


def test_discrete_products_index_the_flipped_kernel():
    ex = widgets.DiscreteFlipAndSlide([1.0, 2, 3, 4], [1.0, 0, -1], n=3)
    m, j, products = ex.products()
    np.testing.assert_array_equal(m, [1, 2, 3])
    np.testing.assert_array_equal(j, [2, 1, 0])  # k[n - m]
    np.testing.assert_array_equal(products, [-2.0, 0.0, 4.0])
    ex.flip = False
    m, j, _ = ex.products()
    np.testing.assert_array_equal(j, m - 3 + 2)  # k[m - n + K - 1]


def test_discrete_python_mode_and_errors():
    spy = Spy(np.convolve)
    ex = widgets.DiscreteFlipAndSlide([1.0, 2, 3], [1.0, 1], convolve=spy)
    assert ex.python and spy.calls == 1 and ex.py["output"] == [1.0, 3.0, 5.0, 3.0]
    ex.x = [1.0, 0.0, 2.0, 2.0]  # edited in the widget: recomputed by the reader's function
    assert spy.calls == 2 and ex.py["output"] == np.convolve([1.0, 0, 2, 2], [1.0, 1]).tolist()
    short = widgets.DiscreteFlipAndSlide([1.0, 2, 3], [1.0, 1], convolve=lambda x, k: np.convolve(x, k, "same"))
    assert "full output of shape (4,)" in short.error and short.py == {}
    with pytest.raises(ValueError, match="n must be"):
        widgets.DiscreteFlipAndSlide([1.0, 2, 3], [1.0, 1], n=4)
    with pytest.raises(ValueError, match="1-D"):
        widgets.DiscreteFlipAndSlide([[1.0]], [1.0])


# ------------------------------------------------------------------------------------------
# sliding window
# ------------------------------------------------------------------------------------------
def test_sliding_window_products_and_value(rng):
    from convlearn.signal import correlate2d

    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 5))
    ex = widgets.SlidingWindow(image, kernel)
    assert (ex.i, ex.j) == (3, 3)
    same = correlate2d(image, kernel, mode="same")  # the centred sum with zero outside the image
    for i, j in [(0, 0), (3, 2), (6, 5)]:
        ex.i, ex.j = i, j
        assert ex.value() == pytest.approx(same[i, j], abs=1e-12)
        assert ex.products().sum() == pytest.approx(same[i, j], abs=1e-12)


def test_sliding_window_python_mode_and_errors():
    spy = Spy(lambda image, kernel, i, j: float(i * 10 + j))
    ex = widgets.SlidingWindow(np.zeros((4, 4)), np.ones((3, 3)), centred_sum=spy, i=1, j=2)
    assert ex.py == {"value": 12.0}
    ex.j = 3
    assert ex.py == {"value": 13.0} and spy.calls == 2
    bad = widgets.SlidingWindow(np.zeros((4, 4)), np.ones((3, 3)), centred_sum=lambda *a: 1 / 0)
    assert "ZeroDivisionError" in bad.error
    with pytest.raises(ValueError, match="odd"):
        widgets.SlidingWindow(np.zeros((4, 4)), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(i, j\)"):
        widgets.SlidingWindow(np.zeros((4, 4)), np.ones((3, 3)), i=4, j=0)


# ------------------------------------------------------------------------------------------
# kernel explorer
# ------------------------------------------------------------------------------------------
@pytest.fixture
def small_image(rng):
    return rng.random((12, 10))


def test_kernel_explorer_sends_the_exact_image(small_image):
    import base64

    ex = widgets.KernelExplorer(small_image)
    assert ex.shape == [12, 10] and ex.name == "identity" and ex.text == ""
    decoded = np.frombuffer(base64.b64decode(ex.image), dtype="<f8").reshape(12, 10)
    np.testing.assert_array_equal(decoded, small_image)
    assert [name for name, _ in ex.kernels] == list(data.classic_kernels())


@pytest.mark.parametrize("flip", [True, False])
def test_kernel_explorer_output_is_convlearn_signal(small_image, flip):
    ex = widgets.KernelExplorer(small_image, flip=flip)
    op = scipy.signal.convolve2d if flip else scipy.signal.correlate2d
    for name, kernel in data.classic_kernels().items():
        ex.name = name
        np.testing.assert_allclose(ex.output(), op(small_image, kernel, mode="same", boundary="symm"), atol=1e-12)
    ex.text = "1 2 0 -1\n0 1 1 3"  # a typed kernel (even sizes) replaces the named one
    typed = op(small_image, [[1, 2, 0, -1], [0, 1, 1, 3]], mode="same", boundary="symm")
    np.testing.assert_allclose(ex.output(), typed, atol=1e-12)


def test_kernel_explorer_python_mode_and_errors(small_image):
    spy = Spy(lambda image, kernel: scipy.signal.convolve2d(image, kernel, mode="same"))
    ex = widgets.KernelExplorer(small_image, convolve=spy)
    assert ex.python and ex.error == "" and ex.py["shape"] == [12, 10]
    ex.name = "sobel x"
    assert spy.calls == 2
    ex.flip = False  # no correlate= given: explained in the widget
    assert "correlate=" in ex.error
    ex.flip = True
    ex.text = "1 2\n3"  # a kernel the reader mistyped
    assert "same length" in ex.error
    wrong = widgets.KernelExplorer(small_image, convolve=lambda image, kernel: image[:-1])
    assert "shape (12, 10)" in wrong.error
    with pytest.raises(ValueError, match="2-D"):
        widgets.KernelExplorer(np.zeros(5))


def test_parse_kernel():
    np.testing.assert_array_equal(widgets.parse_kernel("1, 2\n3 4\n"), [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="empty"):
        widgets.parse_kernel("  \n")
    with pytest.raises(ValueError, match="numbers"):
        widgets.parse_kernel("1 a")


# ------------------------------------------------------------------------------------------
# convolution arithmetic and receptive field
# ------------------------------------------------------------------------------------------
def test_arithmetic_explorer_follows_its_traits():
    ex = widgets.ArithmeticExplorer(input_size=5, kernel_size=3, padding=1, stride=2)
    assert ex.output_size() == conv_output_size(5, 3, stride=2, padding=1) == ex.layout().output_size
    ex.cell = [2, 2]
    assert ex.selected_inputs() == [(3, 3), (3, 4), (4, 3), (4, 4)]
    ex.stride = 4  # the cell is clamped into the smaller output
    assert ex.output_size() == 2 and ex.selected_inputs() == ex.layout().input_cells(1, 1)
    ex.transposed, ex.output_padding = True, 1
    assert ex.output_size() == conv_transpose_output_size(5, 3, stride=4, padding=1, output_padding=1)
    ex.output_padding = 4  # invalid settings raise in Python; the widget explains them
    with pytest.raises(ValueError, match="output_padding"):
        ex.layout()
    with pytest.raises(ValueError, match="stride"):
        widgets.ArithmeticExplorer(stride=0)


def test_receptive_field_explorer_follows_its_traits():
    from convlearn.viz.arithmetic import receptive_field_units

    stack = [LayerGeometry(3), LayerGeometry(3, stride=2), LayerGeometry(3, dilation=2)]
    ex = widgets.ReceptiveFieldExplorer(stack, input_length=19)
    assert ex.geometry() == stack and ex.lengths() == [19, 17, 8, 4]
    assert ex.selection() == (3, 2) and ex.field() == receptive_field(stack)[-1]
    np.testing.assert_array_equal(ex.input_mask(), receptive_field_units(stack, 19, 2)[0])
    ex.selected = [2, 5]
    assert ex.field() == receptive_field(stack[:2])[-1]
    np.testing.assert_array_equal(ex.input_mask(), receptive_field_units(stack[:2], 19, 5)[0])
    ex.layers = [*ex.layers, {"kernel_size": 2, "stride": 2, "padding": 0, "dilation": 1}]  # "add a layer"
    assert ex.lengths()[-1] == conv_output_size(4, 2, stride=2)
    with pytest.raises(ValueError, match="non-empty"):
        widgets.ReceptiveFieldExplorer([])


# ------------------------------------------------------------------------------------------
# animations
# ------------------------------------------------------------------------------------------
def test_to_html_is_self_contained_and_checks_the_format():
    from matplotlib.animation import FuncAnimation
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5))
    FigureCanvasAgg(fig)
    (line,) = fig.subplots().plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i]), frames=3)
    html = animations.to_html(anim).data
    assert html.count("data:image/png;base64") == 3
    assert "<script" in html and "http://" not in html and "https://" not in html and "fa fa-" not in html
    with pytest.raises(ValueError, match="frame_format"):
        animations.to_html(anim, frame_format="gif")


# ------------------------------------------------------------------------------------------
# plots and sample data
# ------------------------------------------------------------------------------------------
def test_sample_data_shapes():
    eeg = plots.sample_eeg()
    assert eeg.x.shape == (4, 800) and eeg.t.shape == (800,) and eeg.rate == 80.0
    dates, price = plots.sample_prices()
    assert dates.shape == price.shape and price.ndim == 1 and np.all(price > 0)
    img = data.sample_image()
    assert img.shape == (150, 128) and 0.0 <= img.min() <= img.max() <= 1.0
    assert data.sample_image(8).shape == (75, 64)
    with pytest.raises(ValueError, match="factor"):
        data.sample_image(0)


def test_classic_kernels_properties():
    ks = data.classic_kernels()
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
    assert len(cells) >= 5
    names = ("FlipAndSlide(", "DiscreteFlipAndSlide(", "SlidingWindow(", "KernelExplorer(")
    assert all(any(name in source for name in names) for source in cells)


def test_layers_of_viz():
    """animations is a leaf of viz; the data and the widgets modules load without matplotlib."""
    import ast
    import os
    import pathlib
    import subprocess
    import sys

    source = pathlib.Path(animations.__file__).read_text(encoding="utf-8")
    imported = [node.module or "" for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import)
                 for alias in node.names]
    assert not [name for name in imported if name.startswith(("convlearn", "."))], imported
    code = ("import sys, convlearn.data, convlearn.viz.widgets; convlearn.data.sample_image(); "
            "print('matplotlib' in sys.modules)")
    root = pathlib.Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(root)})
    assert result.stdout.strip() == "False"
