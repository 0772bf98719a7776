"""Shared matplotlib helpers and sample data for the part I chapters.

Everything here is used by more than one page (or by a page and an explorer), so it lives in the
package rather than being copied between notebooks. The sample data ships with matplotlib
(:func:`matplotlib.cbook.get_sample_data`), so nothing is downloaded.

The functions draw on :class:`matplotlib.axes.Axes` objects handed to them and never call
``pyplot.show``; they work with any backend (the tests use Agg).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib import cbook

# The photograph and the classic kernels are data: they live in convlearn.data. Re-exported here only so that
# notebooks written against the old path keep running; new code imports them from convlearn.data.
from convlearn.data import classic_kernels, sample_image

__all__ = [
    "EEGRecording",
    "sample_eeg",
    "sample_prices",
    "sample_image",
    "classic_kernels",
    "plot_exact_vs_numeric",
    "loglog_with_slope",
    "show_images",
    "stem_signal",
    "plot_frequency_responses",
]


# --------------------------------------------------------------------------------------------
# sample data (bundled with matplotlib)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EEGRecording:
    """Four channels of an EEG recording bundled with matplotlib.

    Attributes
    ----------
    t : (L,) float64
        Time of each sample in seconds.
    x : (C, L) float64
        The channels (standardised units), one row per channel.
    rate : float
        Samples per second.
    """

    t: np.ndarray
    x: np.ndarray
    rate: float


def sample_eeg() -> EEGRecording:
    """Load matplotlib's ``eeg.dat``: 800 samples of 4 channels recorded over 10 seconds."""
    n_samples, n_channels, duration = 800, 4, 10.0
    with cbook.get_sample_data("eeg.dat") as fh:
        data = np.fromfile(fh, dtype=np.float64)
    x = data.reshape(n_samples, n_channels).T.copy()
    t = duration * np.arange(n_samples) / n_samples
    return EEGRecording(t=t, x=x, rate=n_samples / duration)


def sample_prices() -> tuple[np.ndarray, np.ndarray]:
    """Daily adjusted closing prices of one stock (matplotlib's ``goog.npz``).

    Returns
    -------
    dates : (L,) datetime64[D]
    price : (L,) float64
    """
    with cbook.get_sample_data("goog.npz") as npz:
        data = npz["price_data"]
        return data["date"].copy(), data["adj_close"].astype(np.float64)


# --------------------------------------------------------------------------------------------
# drawing helpers
# --------------------------------------------------------------------------------------------
def plot_exact_vs_numeric(ax, t, exact, numeric, *, title: str = "", ylabel: str = "(f ∗ g)(t)"):
    """Plot an analytic convolution (line) against numerical values (markers); return max |error|."""
    t, exact, numeric = np.asarray(t), np.asarray(exact), np.asarray(numeric)
    ax.plot(t, exact, lw=2, label="exact")
    step = max(1, t.size // 40)
    ax.plot(t[::step], numeric[::step], "o", ms=4, label="numerical")
    err = float(np.max(np.abs(exact - numeric)))
    ax.set_xlabel("t")
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title}  (max error {err:.1e})" if title else f"max error {err:.1e}")
    ax.legend(loc="best", fontsize="small")
    return err


def loglog_with_slope(ax, steps, errors, *, label: str = "error", xlabel: str = "step h", ylabel: str = "max error"):
    """Plot ``errors`` against ``steps`` on log-log axes with a least-squares line; return its slope.

    The slope p of ``log(error) ≈ p log(h) + c`` is the observed order of convergence.
    """
    steps, errors = np.asarray(steps, dtype=float), np.asarray(errors, dtype=float)
    ok = errors > 0
    if ok.sum() < 2:
        raise ValueError(f"need at least two positive errors to fit a slope, got errors {errors}")
    slope, intercept = np.polyfit(np.log(steps[ok]), np.log(errors[ok]), 1)
    ax.loglog(steps, errors, "o-", label=label)
    ax.loglog(steps[ok], np.exp(intercept) * steps[ok] ** slope, "--", label=f"fit: slope {slope:.2f}")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return float(slope)


def show_images(axes, images: Sequence[np.ndarray], titles: Sequence[str], *, symmetric: Sequence[bool] | None = None):
    """Show grayscale images side by side with row/column axis labels.

    ``symmetric[i]`` true draws image i with a diverging colour map centred on 0 (for kernels whose
    output has both signs, such as Sobel or Laplacian), saturating the top 0.5 % of magnitudes so that
    a few extreme pixels do not wash out the rest.
    """
    axes = np.atleast_1d(axes).ravel()
    if not (len(axes) >= len(images) == len(titles)):
        raise ValueError(f"need as many titles as images and enough axes: {len(axes)} axes, "
                         f"{len(images)} images, {len(titles)} titles")
    symmetric = [False] * len(images) if symmetric is None else list(symmetric)
    for ax, img, title, sym in zip(axes, images, titles, symmetric, strict=False):
        if sym:
            lim = float(np.percentile(np.abs(img), 99.5)) or float(np.max(np.abs(img))) or 1.0
            ax.imshow(img, cmap="RdBu_r", vmin=-lim, vmax=lim)
        else:
            ax.imshow(img, cmap="gray")
        ax.set_title(title, fontsize="small")
        ax.set_xlabel("column j")
        ax.set_ylabel("row i")
    for ax in axes[len(images):]:
        ax.set_axis_off()


def stem_signal(ax, n, x, *, label: str | None = None, color: str | None = None, xlabel: str = "n",
                ylabel: str = "x[n]"):
    """A stem plot of a discrete signal with labelled axes."""
    markerline, stemlines, baseline = ax.stem(n, x, label=label, basefmt="k-")
    if color is not None:
        markerline.set_color(color)
        stemlines.set_color(color)
    baseline.set_linewidth(0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return markerline


def figure_to_png(fig, *, dpi: int = 72) -> bytes:
    """Render a matplotlib figure to PNG bytes (works without pyplot and without a display)."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if fig.canvas is None or not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def plot_frequency_responses(ax, responses, *, title: str = "Frequency responses"):
    """Draw signed frequency responses ``H(omega)`` of symmetric kernels on one axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    responses : mapping of str -> (omega, H)
        One curve per entry, e.g. from :func:`convlearn.signal.frequency.frequency_response`; ``H`` must be
        real up to rounding (a symmetric kernel), so that its sign is meaningful.
    title : str
        Axes title.
    """
    if not responses:
        raise ValueError("responses is empty: give at least one named (omega, H) pair")
    for name, (omega, h) in responses.items():
        h = np.asarray(h)
        if np.max(np.abs(np.imag(h)), initial=0.0) > 1e-9 * max(1.0, np.max(np.abs(h))):
            raise ValueError(f"response {name!r} is not real: its kernel is not symmetric, so H has no sign")
        ax.plot(omega, np.real(h), label=name)
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_xlim(0, np.pi)
    ax.set_xticks([0, np.pi / 4, np.pi / 2, 3 * np.pi / 4, np.pi], ["0", "π/4", "π/2", "3π/4", "π"])
    ax.set(xlabel="frequency ω (radians per sample)", ylabel="H(ω)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
