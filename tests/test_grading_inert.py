"""Student output made inert (``convlearn.grading.grader.inert``): what may reach an instructor's page, and what not."""

from __future__ import annotations

import json

import nbformat
from nbformat.notebooknode import from_dict

from convlearn.grading.grader.inert import DROPPED_NOTE, InertOutputs, inert_outputs

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="


def _run(cells: list[dict]) -> list:
    nb = from_dict({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4})
    original = nbformat.writes(nb)
    out, _ = InertOutputs().preprocess(from_dict(nbformat.reads(original, 4)), {})
    return out.cells


def test_rich_outputs_are_dropped_with_a_note_text_and_images_kept() -> None:
    outputs = [
        {"output_type": "display_data", "metadata": {"text/html": {"isolated": True}},
         "data": {"text/html": "<script>steal()</script>", "text/plain": "<HTML object>"}},
        {"output_type": "display_data", "metadata": {}, "data": {"application/javascript": "steal()"}},
        {"output_type": "display_data", "metadata": {}, "data": {"image/svg+xml": "<svg onload='steal()'/>"}},
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": PNG, "text/plain": "<Figure>"}},
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": 'x" onerror="steal()'}},
        {"output_type": "stream", "name": 'stdout" onload="steal()', "text": "hello\n"},
        {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["ValueError: bad"]},
        {"output_type": "execute_result", "execution_count": 3, "metadata": {},
         "data": {"text/plain": "3", "application/vnd.jupyter.widget-view+json": {"model_id": "x"}}},
    ]
    got = inert_outputs(from_dict(outputs))
    kinds = [(o.output_type, sorted(o.get("data", {})) or o.get("name")) for o in got]
    note = DROPPED_NOTE.split("(")[0]
    assert kinds == [
        ("display_data", ["text/plain"]), ("stream", "stdout"),        # the HTML: its text, a note
        ("stream", "stdout"),                                          # the JavaScript: a note only
        ("stream", "stdout"),                                          # the SVG: a note only
        ("display_data", ["image/png", "text/plain"]),                 # a real PNG and its text
        ("stream", "stdout"),                                          # a forged "PNG": a note only
        ("stream", "stdout"),                                          # the stream, its name made plain
        ("error", None),
        ("execute_result", ["text/plain"]), ("stream", "stdout"),      # the widget view dropped
    ]
    assert all(note in o.text for o in got if o.output_type == "stream" and o.text != "hello\n")
    assert all(not o.get("metadata") for o in got if "metadata" in o)
    assert "steal" not in json.dumps(got)


def test_markdown_a_student_can_edit_cannot_open_a_tag() -> None:
    text = "> quote with $a < b$ and <script>steal()</script> <img src=x onerror=steal()>"
    cells = _run([
        {"cell_type": "markdown", "metadata": {}, "source": text},
        {"cell_type": "markdown", "metadata": {"nbgrader": {"locked": True, "grade_id": "intro"}},
         "source": "<b>instructor</b>"},
        {"cell_type": "raw", "metadata": {"format": "text/html"}, "source": "<script>steal()</script>"},
        {"cell_type": "code", "metadata": {}, "source": "x = '<script>'", "execution_count": None, "outputs": []},
    ])
    assert "<" not in cells[0].source and cells[0].source.startswith("> quote with $a &lt; b$")
    assert cells[1].source == "<b>instructor</b>"  # locked: the gradebook's text
    assert "<" not in cells[2].source
    assert cells[3].source == "x = '<script>'"  # code is shown escaped by every template
