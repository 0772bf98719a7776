"""Pre-rendered JavaScript animations of the explorers, for the static site (no kernel needed).

Each function renders a few dozen frames with matplotlib and returns an ``IPython.display.HTML`` object
made by :meth:`matplotlib.animation.Animation.to_jshtml`: the frames are embedded as PNG images with
play / step / scrub controls written in plain JavaScript, so the page needs neither a kernel nor the
internet. Keep ``frames`` small and figures small: every frame is stored in the page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .explorers import DiscreteFlipAndSlide, FlipAndSlide, KernelExplorer, SlidingWindow

__all__ = [
    "animate_explorer",
    "explorer_animation",
    "to_html",
    "offline_jshtml",
    "flip_and_slide_animation",
    "discrete_flip_and_slide_animation",
    "kernel_animation",
    "sliding_window_animation",
]

#: Resolution of the embedded frames (dots per inch); 72 keeps a 7-inch-wide frame about 500 pixels wide.
ANIMATION_DPI = 72


def _render_frames(explorer, states) -> list[np.ndarray]:
    """Draw each state into an RGBA pixel buffer.

    Constrained layout places the axes of the first frame; the later frames (drawn by the same code, so
    with the same axes) reuse those positions instead of solving the layout again, which halves the
    rendering time. A frame with a different number of axes falls back to constrained layout.
    """
    frames, positions = [], None
    for state in states:
        fig = Figure(figsize=explorer.figsize, dpi=ANIMATION_DPI, layout="constrained" if positions is None else None)
        canvas = FigureCanvasAgg(fig)
        explorer.draw(fig, state)
        if positions is not None:
            if len(fig.axes) == len(positions):
                for ax, position in zip(fig.axes, positions, strict=True):
                    ax.set_position(position)
            else:
                fig.set_layout_engine("constrained")
        canvas.draw()
        if positions is None:
            positions = [ax.get_position(original=True) for ax in fig.axes]
        frames.append(np.asarray(canvas.buffer_rgba()).copy())
    return frames


def explorer_animation(explorer, values: Sequence, *, control: str, fps: float = 4.0, **fixed) -> FuncAnimation:
    """A :class:`~matplotlib.animation.FuncAnimation` with one frame per value of one control.

    Frame k shows ``explorer.draw(fig, explorer.compute(**{control: values[k]}, **fixed))``. Each frame is
    drawn once into a pixel buffer (:func:`_render_frames`); the animation then only swaps buffers (a
    figure image at the same resolution, so the pixels are unchanged), which keeps rendering fast. The
    figure is not attached to pyplot, so it is never displayed twice and never leaks.
    """
    values = list(values)
    if not values:
        raise ValueError("values must contain at least one frame")
    if not control:
        raise ValueError("control must name the explorer control to sweep")
    frames = _render_frames(explorer, [explorer.compute(**{control: v}, **fixed) for v in values])
    height, width = frames[0].shape[:2]
    fig = Figure(figsize=(width / ANIMATION_DPI, height / ANIMATION_DPI), dpi=ANIMATION_DPI)
    FigureCanvasAgg(fig)
    image = fig.figimage(frames[0], origin="upper")

    def frame(index: int):
        image.set_data(frames[index])
        return [image]

    return FuncAnimation(fig, frame, frames=len(frames), interval=1000.0 / fps, blit=False, repeat=True)


# matplotlib's player draws its buttons with Font Awesome icons loaded from a CDN; the book must work
# offline, so the stylesheet link is dropped and each icon becomes a plain Unicode glyph.
_GLYPHS = {
    "minus": "\u2212",  # slower
    "fast-backward": "\u00ab",  # first frame
    "step-backward": "\u2039",  # previous frame
    "play fa-flip-horizontal": "\u25c0",  # play backwards
    "pause": "\u275a\u275a",
    "play": "\u25b6",
    "step-forward": "\u203a",  # next frame
    "fast-forward": "\u00bb",  # last frame
    "plus": "+",  # faster
}
_ICON = re.compile(r'<i class="fa fa-([a-z -]+?)"></i>')
_REMOTE_LINK = re.compile(r"<link[^>]*href=[\"']https?://[^>]*>", re.DOTALL)


def offline_jshtml(html: str) -> str:
    """Make matplotlib's ``to_jshtml`` output independent of the internet (no CDN stylesheet)."""
    html = _REMOTE_LINK.sub("", html)
    return _ICON.sub(lambda m: f'<span aria-hidden="true">{_GLYPHS.get(m.group(1), "?")}</span>', html)


def to_html(anim: FuncAnimation, *, loop: bool = True, frame_format: str = "png"):
    """Wrap :meth:`~matplotlib.animation.Animation.to_jshtml` (made offline) in ``IPython.display.HTML``.

    ``frame_format="jpeg"`` makes frames that show photographs several times smaller; keep ``"png"`` for
    line drawings and text, which JPEG blurs.
    """
    import matplotlib
    from IPython.display import HTML

    if frame_format not in ("png", "jpeg"):
        raise ValueError(f"frame_format must be 'png' or 'jpeg', got {frame_format!r}")
    with matplotlib.rc_context({"animation.frame_format": frame_format}):
        html = anim.to_jshtml(default_mode="loop" if loop else "once")
    return HTML(offline_jshtml(html))


def animate_explorer(explorer, values: Sequence, *, control: str, fps: float = 4.0, frame_format: str = "png",
                     **fixed):
    """Self-contained HTML animation of ``explorer`` sweeping ``control`` over ``values``."""
    anim = explorer_animation(explorer, values, control=control, fps=fps, **fixed)
    return to_html(anim, frame_format=frame_format)


def flip_and_slide_animation(f, g, *, support, t_range=None, frames: int = 24, convolve=None, fps: float = 4.0):
    """Flip-and-slide of continuous f and g: ``frames`` shifts t evenly spread over ``t_range``."""
    explorer = FlipAndSlide(f, g, support=support, t_range=t_range, convolve=convolve)
    a, b = explorer.t_range
    return animate_explorer(explorer, np.linspace(a, b, frames), control="t", fps=fps)


def discrete_flip_and_slide_animation(x, k, *, convolve=None, flip: bool = True, fps: float = 2.0):
    """Discrete flip-and-slide: one frame per output sample n of the full output."""
    explorer = DiscreteFlipAndSlide(x, k, convolve=convolve, flip=flip)
    return animate_explorer(explorer, range(explorer.n_outputs), control="n", fps=fps)


def kernel_animation(image, *, kernels=None, convolve=None, fps: float = 1.0):
    """The kernel explorer stepping through each kernel of ``kernels`` (one frame each)."""
    explorer = KernelExplorer(image, kernels=kernels, convolve=convolve)
    return animate_explorer(explorer, list(explorer.kernels), control="name", fps=fps, frame_format="jpeg")


def sliding_window_animation(image, kernel, *, positions=None, centred_sum=None, fps: float = 2.0):
    """The sliding window visiting ``positions`` (default: a raster scan of every other pixel of row i)."""
    explorer = SlidingWindow(image, kernel, centred_sum=centred_sum)
    H, W = explorer.image.shape
    if positions is None:
        positions = [(i, j) for i in range(0, H, max(1, H // 3)) for j in range(0, W, max(1, W // 6))]
    positions = [tuple(int(v) for v in p) for p in positions]
    states = [explorer.compute(i=i, j=j) for i, j in positions]

    # positions vary two controls at once: animate over the frame index with precomputed states
    class _Frames:
        figsize = explorer.figsize

        @staticmethod
        def compute(index):
            return states[index]

        draw = staticmethod(explorer.draw)

    return animate_explorer(_Frames, range(len(states)), control="index", fps=fps)
