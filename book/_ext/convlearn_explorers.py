"""Sphinx extension: editing an explorer's JavaScript rebuilds the pages that show it, by itself.

An explorer's front end (its ES module, ``convlearn.viz.widgets.esm_source``: ``_common.js``, ``_rules.js`` and
the explorer's own ``.js``) is stored with the widget's state when a chapter runs, and the page embeds that
state. The execution cache (jupyter-cache) keys on the chapter's code and Sphinx re-reads a chapter when its
file changes, so neither notices an edited ``.js``: the old front end would stay on the page.

Before Sphinx reads anything (event ``env-get-outdated``) this extension compares every front end stored in
the execution cache and in the pages of the previous build with the front ends convlearn builds now. A cached
execution holding a stale front end is dropped (its chapter runs again) and a page holding one is read again.
The comparison is by content, so it needs no stamp file and is right after any edit, revert or branch switch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

_STATE_MIME = "application/vnd.jupyter.widget-state+json"
logger = logging.getLogger(__name__)


def current_front_ends() -> set[str]:
    """The ES module of every explorer, as convlearn builds it now."""
    from convlearn.viz import widgets

    folder = Path(widgets.__file__).parent
    return {widgets.esm_source(path.stem) for path in folder.glob("*.js") if not path.name.startswith("_")}


def stored_front_ends(widget_state: Mapping[str, Any]) -> list[str]:
    """The front ends (``_esm``) stored in a notebook's widget state (``{"state": {model_id: {...}}}``)."""
    models = widget_state.get("state", {}).values()
    return [model["state"]["_esm"] for model in models if isinstance(model.get("state", {}).get("_esm"), str)]


def _is_stale(widget_state: Mapping[str, Any], current: set[str]) -> bool:
    return any(esm not in current for esm in stored_front_ends(widget_state))


def drop_stale_executions(cache_path: Path, current: set[str]) -> int:
    """Remove the cached executions whose explorers have a front end that is not ``current``; return how many."""
    if not (cache_path / "global.db").is_file():
        return 0
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    stale = []
    for record in cache.list_cache_records():
        notebook = cache.get_cache_bundle(record.pk).nb
        if _is_stale(notebook.metadata.get("widgets", {}).get(_STATE_MIME, {}), current):
            stale.append(record.pk)
    for pk in stale:
        cache.remove_cache(pk)
    return len(stale)


def pages_with_stale_front_ends(nb_metadata: Mapping[str, Mapping[str, Any]], current: set[str]) -> list[str]:
    """Documents whose page (previous build) embeds a widget state with a front end that is not ``current``."""
    stale = []
    for docname, data in nb_metadata.items():
        _, attributes = data.get("js_files", {}).get("ipywidgets_state", (None, {}))
        body = attributes.get("body")
        if body and _is_stale(json.loads(body), current):
            stale.append(docname)
    return sorted(stale)


def _outdated(app: Sphinx, env: BuildEnvironment, added: Iterable[str], changed: Iterable[str],
              removed: Iterable[str]) -> list[str]:
    current = current_front_ends()
    config = getattr(env, "mystnb_config", None)
    if config is not None and config.execution_mode == "cache" and config.execution_cache_path:
        dropped = drop_stale_executions(Path(config.execution_cache_path), current)
        if dropped:
            logger.info(f"convlearn_explorers: {dropped} cached execution(s) had an old explorer front end")
    pages = [doc for doc in pages_with_stale_front_ends(getattr(env, "nb_metadata", {}), current)
             if doc not in set(removed) and doc in env.found_docs]
    if pages:
        logger.info(f"convlearn_explorers: explorer front ends changed, reading again: {', '.join(pages)}")
    return pages


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("env-get-outdated", _outdated)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
