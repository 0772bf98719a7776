"""Sphinx extension: link the site to the PDF of the book when there is one.

``book/_pdf/build_pdf.py`` writes ``_build/pdf/convlearn.pdf`` (next to the site's ``_build/html``). When
that file exists, the HTML build copies it into the site as ``convlearn.pdf`` and every page's sidebar
shows a download link to it (template ``book/_templates/convlearn-pdf.html``); when it does not, the site
has neither the copy nor the link, so the link is never broken. A PDF that appears, changes or disappears
makes the next build write every page again, with its new sidebar, without reading any chapter again: the
PDF's size and time are the config value ``convlearn_pdf_state`` (set when the configuration is read), whose
kind is ``html``, and the HTML builder writes every page again when a value of that kind changed. (The
environment, which holds what was read, is rebuilt only for values of the kind ``env``.)
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
    """The PDF's size and modification time (ns), or ``None`` when there is none or the builder is not ``html``."""
    if app.builder.name != "html" or not _source(app).is_file():
        return None
    stat = _source(app).stat()
    return (stat.st_size, stat.st_mtime_ns)


def _record(app: Sphinx, config: Any) -> None:
    """Before the builder compares its configuration with the last build's: the PDF's state, for every builder."""
    source = _source(app)
    stat = source.stat() if source.is_file() else None
    config.convlearn_pdf_state = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else ""


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
    app.add_config_value("convlearn_pdf_state", "", "html", types=[str])
    app.connect("config-inited", _record)
    app.connect("html-page-context", _link)
    app.connect("build-finished", _copy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
