"""Sphinx extension: link the site to the PDF of the book when there is one.

``book/_pdf/build_pdf.py`` writes ``_build/pdf/convlearn.pdf`` (next to the site's ``_build/html``). When
that file exists, the HTML build copies it into the site as ``convlearn.pdf`` and every page's sidebar
shows a download link to it (template ``book/_templates/convlearn-pdf.html``); when it does not, the site
has neither the copy nor the link, so the link is never broken. A PDF that appears, changes or disappears
marks every page out of date, so that the next build rewrites the sidebars (reading the chapters again
from the execution cache: no chapter runs).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

#: the file name of the PDF, in _build/pdf/ and in the site
PDF_NAME = "convlearn.pdf"


def _source(app: Sphinx) -> Path:
    """Where the PDF is built: ``<build folder>/pdf/convlearn.pdf``."""
    return Path(app.outdir).parent / "pdf" / PDF_NAME


def _state(app: Sphinx) -> tuple[int, int] | None:
    if app.builder.name != "html" or not _source(app).is_file():
        return None
    stat = _source(app).stat()
    return (stat.st_size, stat.st_mtime_ns)


def _outdated(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    states = getattr(env, "convlearn_pdf_states", {})
    state = _state(app)
    if states.get(app.builder.name) == state:
        return []
    env.convlearn_pdf_states = {**states, app.builder.name: state}
    return sorted(env.found_docs - added - changed)


def _link(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    state = _state(app)
    context["convlearn_pdf"] = None if state is None else {"href": PDF_NAME, "size": f"{state[0] / 1e6:.0f} MB"}


def _copy(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html":
        return
    target = Path(app.outdir) / PDF_NAME
    if _state(app) is not None:
        shutil.copyfile(_source(app), target)
    else:
        target.unlink(missing_ok=True)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-get-outdated", _outdated)
    app.connect("html-page-context", _link)
    app.connect("build-finished", _copy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
