"""Sphinx extension: keep the convlearn site readable with no internet connection.

Two jobs, both on the final HTML of each page (``html-page-context``):

1. Known third-party snippets that pull resources from a CDN are rewritten. Today that is the
   ``<link>`` to Font Awesome 4 on maxcdn that matplotlib's ``Animation.to_jshtml()`` writes into
   every animation; its ``<i class="fa fa-play">`` icons are drawn anyway by the Font Awesome copy
   bundled with the theme, so the link is simply dropped.
2. Anything else in a page body that would make the *browser* fetch from the network
   (``<script src>``, ``<link href>``, ``<img src>``, ``<iframe src>``, CSS ``url()``/``@import``
   with an ``http(s)://`` or protocol-relative address) is reported as a Sphinx warning, so that
   ``jupyter-book build -W`` fails instead of shipping a page that breaks offline. Ordinary
   hyperlinks (``<a href="https://...">``) are fine: following them is the reader's choice.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

_MATPLOTLIB_FONT_AWESOME = re.compile(
    r"<link\s+rel=\"stylesheet\"\s+href=\"https://maxcdn\.bootstrapcdn\.com/font-awesome/[^\"]*\"\s*/?>",
    re.IGNORECASE,
)

_REMOTE_RESOURCE = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*?\bsrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def _offline_body(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    body = context.get("body")
    if not body:
        return
    body = _MATPLOTLIB_FONT_AWESOME.sub("", body)
    for match in _REMOTE_RESOURCE.finditer(body):
        snippet = body[match.start() : match.start() + 160].replace("\n", " ")
        logger.warning(
            "page %r loads a resource from the internet, which breaks the offline site: %s...",
            pagename,
            snippet,
            type="convlearn",
            subtype="offline",
            location=pagename,
        )
    context["body"] = body


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", _offline_body)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
