"""Student output made inert: nothing a submission prints or displays can run in an instructor's page.

A student's kernel can display anything: HTML, JavaScript, SVG with scripts, widget views, Markdown with raw
HTML. The Formgrader shows the graded notebook inside the instructor's authenticated page, and the feedback
HTML is opened by the student (and by whoever grades). Either would run such a script with the rights of
that page, e.g. call the Formgrader's API to change grades. :class:`InertOutputs` rebuilds every output of a
graded notebook from the few kinds that cannot run code, and escapes raw HTML in the Markdown a student wrote:

- ``stream`` (text), ``error`` (name, value, traceback as text) and ``text/plain`` are kept (the HTML
  templates escape them);
- ``image/png`` and ``image/jpeg`` are kept when they are plain base64 (they end up in an ``<img src=data:…>``
  attribute);
- everything else (``text/html``, ``text/markdown``, ``text/latex``, ``image/svg+xml``,
  ``application/javascript``, widget views, output metadata) is dropped and replaced by one line saying so;
- Markdown cells that are not locked (a student can edit them) and raw cells get every ``<`` escaped, so no
  HTML tag can open (``<script>`` shows as text; Markdown, and ``<`` in math, still render); locked cells
  hold the instructor's text (nbgrader restores it from the gradebook) and are left alone.

It runs at the end of ``nbgrader autograde`` (so the graded notebook on disk is inert, whatever displays
it) and again before the feedback HTML and the Formgrader's submission view are made.
"""

from __future__ import annotations

import re

import nbformat
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

__all__ = ["InertOutputs", "inert_outputs", "DROPPED_NOTE"]

#: the line that replaces a dropped rich output
DROPPED_NOTE = "[convlearn: a rich output ({kinds}) is not shown to graders; only text and images are]"
_IMAGES = ("image/png", "image/jpeg")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")


def _text(value) -> str:
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return str(value) if value is not None else ""


def _count(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _inert_output(output) -> list:
    kind = output.get("output_type")
    if kind == "stream":
        name = "stderr" if output.get("name") == "stderr" else "stdout"
        return [nbformat.v4.new_output("stream", name=name, text=_text(output.get("text")))]
    if kind == "error":
        traceback = output.get("traceback")
        return [nbformat.v4.new_output(
            "error", ename=_text(output.get("ename")), evalue=_text(output.get("evalue")),
            traceback=[_text(line) for line in traceback] if isinstance(traceback, list) else [])]
    if kind not in ("display_data", "execute_result"):
        return []
    data = output.get("data") if isinstance(output.get("data"), dict) else {}
    kept = {}
    if "text/plain" in data:
        kept["text/plain"] = _text(data["text/plain"])
    for mime in _IMAGES:
        value = _text(data.get(mime, ""))
        if value and _BASE64.fullmatch(value):
            kept[mime] = value
    dropped = sorted(set(data) - set(kept))
    result = []
    if kept:
        extra = {"execution_count": _count(output.get("execution_count"))} if kind == "execute_result" else {}
        result.append(nbformat.v4.new_output(kind, data=kept, **extra))
    if dropped and not any(mime in kept for mime in _IMAGES):
        result.append(nbformat.v4.new_output("stream", name="stdout",
                                             text=DROPPED_NOTE.format(kinds=", ".join(dropped)) + "\n"))
    return result


def inert_outputs(outputs) -> list:
    """The outputs of one code cell, rebuilt from the kinds that cannot run code (see the module docstring)."""
    result = []
    for output in outputs or []:
        if isinstance(output, dict):
            result.extend(_inert_output(output))
    return result


def _is_locked(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader")
    return isinstance(meta, dict) and meta.get("locked") is True


class InertOutputs(Preprocessor):
    """nbconvert/nbgrader preprocessor: make a graded notebook's student output inert (module docstring)."""

    enabled = Bool(True, help="On wherever it is listed (nbconvert's preprocessors are off by default).").tag(
        config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = inert_outputs(cell.get("outputs"))
            cell.execution_count = _count(cell.get("execution_count"))
        elif cell.cell_type == "raw" or (cell.cell_type == "markdown" and not _is_locked(cell)):
            cell.source = _text(cell.source).replace("<", "&lt;")  # no tag can open; Markdown and math stay
        return cell, resources
