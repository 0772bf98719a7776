"""An edited explorer .js reaches the pages by itself: book/_ext/convlearn_explorers.py finds stale front ends.

The extension compares the explorers' front ends stored in the execution cache (jupyter-cache) and in the
pages of the previous build with the ones convlearn builds now; these tests give it a cache and page data with a
current and an edited front end. (The full loop -- edit a .js, build, the page shows the edit -- is a book build,
done by hand and reported in the change that added the extension.)
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from _site import book_extension

from convlearn.viz.widgets import esm_source

REPO = Path(__file__).resolve().parents[1]
STATE = "application/vnd.jupyter.widget-state+json"


@pytest.fixture(scope="module")
def ext():
    return book_extension("convlearn_explorers")


def _state(*front_ends: str) -> dict:
    models = {f"m{i}": {"model_name": "AnyModel", "state": {"_esm": esm, "value": i}}
              for i, esm in enumerate(front_ends)}
    models["layout"] = {"model_name": "LayoutModel", "state": {"width": "100%"}}
    return {"state": models, "version_major": 2, "version_minor": 0}


def test_current_front_ends_are_every_explorers_module(ext):
    names = ["arithmetic", "discrete", "flip_and_slide", "kernel", "receptive_field", "sliding_window"]
    rules = (REPO / "convlearn" / "viz" / "widgets" / "_rules.js").read_text(encoding="utf-8")
    current = ext.current_front_ends()
    assert current == {esm_source(name) for name in names}
    assert all(rules in esm for esm in current)


def test_pages_with_an_edited_front_end_are_read_again(ext):
    current = ext.current_front_ends()
    kernel = esm_source("kernel")
    edited = esm_source("arithmetic").replace("function layout", "function  layout")
    body = lambda state: {"js_files": {"ipywidgets_state": (None, {"type": STATE, "body": json.dumps(state)})}}  # noqa: E731
    metadata = {
        "book/part1/04-images-2d": body(_state(kernel, esm_source("sliding_window"))),
        "book/part2/07-arithmetic": body(_state(edited)),
        "book/part1/02-riemann": {"exec_data": {}},  # no widgets
        "book/part2/06-conv-layer": body({"state": {"layout": {"state": {}}}}),  # widgets, no explorer
    }
    assert ext.pages_with_stale_front_ends(metadata, current) == ["book/part2/07-arithmetic"]


def test_cached_executions_with_an_edited_front_end_are_dropped(ext, tmp_path):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(str(tmp_path / "cache"))
    kept, edited = esm_source("kernel"), esm_source("discrete") + "\n// edited"
    for index, state in enumerate([_state(kept), _state(edited), None]):
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = {index}")])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        if state is not None:
            notebook.metadata["widgets"] = {STATE: state}
        cache.cache_notebook_bundle(CacheBundleIn(notebook, f"/book/chapter{index}.md"), check_validity=False)
    assert ext.drop_stale_executions(tmp_path / "cache", ext.current_front_ends()) == 1
    assert sorted(record.uri for record in cache.list_cache_records()) == ["/book/chapter0.md", "/book/chapter2.md"]
    assert ext.drop_stale_executions(tmp_path / "missing", ext.current_front_ends()) == 0
