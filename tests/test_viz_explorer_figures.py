"""Static pictures of the live explorers (convlearn.viz.explorer_figures), for print and readers without JavaScript."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from convlearn.data import classic_kernels
from convlearn.nn.functional import LayerGeometry
from convlearn.signal.reference import centred_sum
from convlearn.viz import widgets
from convlearn.viz.explorer_figures import explorer_figure


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


def test_every_explorer_has_a_static_picture_and_is_given_back_its_state():
    x, k = np.array([1.0, 3.0, 2.0, -1.0, 0.5, 2.0]), np.array([1.0, 0.5, -1.0])
    square = np.zeros((8, 8))
    square[2:6, 3:7] = 1.0
    cases = [
        (widgets.FlipAndSlide("box", "exp", t=0.25), {"t": 1.5}),
        (widgets.DiscreteFlipAndSlide(x, k, n=2), {"n": 5}),
        (widgets.SlidingWindow(square, classic_kernels()["sobel x"], i=3, j=2), {"j": 6}),
        (widgets.KernelExplorer(square, flip=False), {"name": "sobel x"}),
        (widgets.ArithmeticExplorer(), {"transposed": True}),
        (widgets.ReceptiveFieldExplorer([LayerGeometry(3), LayerGeometry(3, stride=2)]), {"selected": [1, 2]}),
    ]
    for explorer, setting in cases:
        before = {name: getattr(explorer, name) for name in setting}
        fig = explorer_figure(explorer, setting)
        assert {name: getattr(explorer, name) for name in setting} == before
        text = _texts(fig)
        assert "As it starts" in text and "With " in text
        for ax in fig.get_axes():  # every drawn panel has labelled axes
            if ax.has_data() or ax.images:
                assert ax.get_xlabel() and ax.get_ylabel(), (type(explorer).__name__, ax.get_title())
        plt.close(fig)


def test_the_numbers_drawn_are_the_explorers():
    square = np.zeros((8, 8))
    square[2:6, 3:7] = 1.0
    sobel = classic_kernels()["sobel x"]
    fig = explorer_figure(widgets.SlidingWindow(square, sobel, i=3, j=2), {"j": 6})
    text = _texts(fig)
    for j in (2, 6):  # the sums written are the centred sums, computed independently
        assert f"S(3, {j}) = {centred_sum(square, sobel, 3, j):g}" in text
    plt.close(fig)
    x, k = np.array([1.0, 3.0, 2.0]), np.array([1.0, -1.0])
    fig = explorer_figure(widgets.DiscreteFlipAndSlide(x, k, n=1), {"n": 2})
    full = np.convolve(x, k)
    text = _texts(fig)
    assert f"sum to {full[1]:g}" in text and f"sum to {full[2]:g}" in text
    plt.close(fig)


def test_bad_requests_are_refused():
    explorer = widgets.FlipAndSlide()
    with pytest.raises(ValueError, match="no control"):
        explorer_figure(explorer, {"speed": 2})
    with pytest.raises(ValueError, match="setting"):
        explorer_figure(explorer, {})
    with pytest.raises(TypeError, match="no static picture"):
        explorer_figure(object(), {"t": 1})
    mine = widgets.DiscreteFlipAndSlide([1.0, 2.0], [1.0], convolve=np.convolve)
    with pytest.raises(ValueError, match="your function"):
        explorer_figure(mine, {"n": 1})
