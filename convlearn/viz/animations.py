"""Self-contained JavaScript animations for the static site (no kernel, no internet needed).

:func:`to_html` wraps :meth:`matplotlib.animation.Animation.to_jshtml`: the frames are embedded as images
with play / step / scrub controls written in plain JavaScript, and :func:`offline_jshtml` removes what that
player would fetch from the web (a CDN stylesheet of icons). Keep frames few and figures small: every frame
is stored in the page. Where a reader should change the settings, the book uses a live explorer instead
(:mod:`convlearn.viz.widgets`), which computes in the browser.

This module is a leaf of ``convlearn.viz``: it imports nothing else from the package.
"""

from __future__ import annotations

import re

__all__ = [
    "to_html",
    "offline_jshtml",
]

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


def to_html(anim, *, loop: bool = True, frame_format: str = "png"):
    """Wrap :meth:`~matplotlib.animation.Animation.to_jshtml` (made offline) in ``IPython.display.HTML``.

    Parameters
    ----------
    anim : matplotlib.animation.Animation
        The animation; every frame is drawn now and stored in the page.
    loop : bool, optional
        Start the player in "loop" mode (default) rather than "once".
    frame_format : {'png', 'jpeg'}, optional
        ``"jpeg"`` makes frames that show photographs several times smaller; keep ``"png"`` for line
        drawings and text, which JPEG blurs.

    Returns
    -------
    IPython.display.HTML
    """
    import matplotlib
    from IPython.display import HTML

    if frame_format not in ("png", "jpeg"):
        raise ValueError(f"frame_format must be 'png' or 'jpeg', got {frame_format!r}")
    with matplotlib.rc_context({"animation.frame_format": frame_format}):
        html = anim.to_jshtml(default_mode="loop" if loop else "once")
    return HTML(offline_jshtml(html))
