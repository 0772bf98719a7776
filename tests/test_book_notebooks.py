"""Every notebook chapter of the book runs top to bottom in a fresh python3 kernel.

The chapters are MyST Markdown notebooks (a jupytext header in their YAML front matter). Each one is
read with jupytext and executed with nbclient from its own folder, as ``jupyter-book build`` does, so
that a failing chapter is named by the test id (e.g. ``test_chapter_executes[book/part1/01-integral]``)
instead of being buried in the build log. The worked answers (``%%answer`` cells) run too, as in the build
(``CONVLEARN_RUN_ANSWERS=1``, see ``convlearn/_answers.py``).

A chapter is not executed a second time right after the build executed it (CI runs the build, then the tests):
when the build's execution cache (``_build/.jupyter_cache``, the ``execute_notebooks: cache`` of
``_config.yml``) holds a successful run of exactly this chapter's code, made after the last change to the
chapter, the library and the build's configuration and extensions, the test checks that run instead: every
code cell executed, no error output, every worked answer ran. Otherwise it executes the chapter itself.
"""

from __future__ import annotations

import datetime

import jupytext
import nbformat
import pytest
import yaml
from _site import CONFIG_FILES, REPO, source_file, toc_notebooks
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from convlearn._answers import GUARD

NOTEBOOKS = toc_notebooks()
#: The build's execution cache (jupyter-cache, written by ``jupyter-book build`` with ``execute_notebooks: cache``).
BUILD_CACHE = REPO / "_build" / ".jupyter_cache"
#: What a chapter's execution depends on besides its own source: the library and the build's set-up.
_DEPENDENCIES = (REPO / "convlearn", REPO / "book" / "_ext")
#: What an ``%%answer`` cell prints when the answers are not run (convlearn/_answers.py).
_NOT_RUN = "is not run with the rest of the chapter"


def _cell_timeout() -> int:
    """The per-cell timeout the book build uses (``execute: timeout`` in _config.yml)."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8")) or {}
    return int((config.get("execute") or {}).get("timeout", 300))


def _newest_input(path) -> float:
    """The last modification time of the chapter ``path``, the library, the build's configuration and extensions."""
    files = [path, *CONFIG_FILES]
    for folder in _DEPENDENCIES:
        files += [f for f in folder.rglob("*") if f.is_file() and "__pycache__" not in f.parts]
    return max(f.stat().st_mtime for f in files)


def built_run(notebook: nbformat.NotebookNode, path) -> nbformat.NotebookNode | None:
    """The build's executed copy of ``notebook`` (the chapter at ``path``), or None when there is none to trust.

    jupyter-cache keeps a notebook only when its execution succeeded (``allow_errors: false``), keyed by a hash of
    its code cells; the run must also be newer than every input of :func:`_newest_input`.
    """
    if not (BUILD_CACHE / "global.db").is_file():
        return None
    from jupyter_cache import get_cache

    cache = get_cache(BUILD_CACHE)
    try:
        record = cache.match_cache_notebook(notebook)
    except KeyError:
        return None
    created = record.created
    if created.tzinfo is None:  # jupyter-cache stores UTC without its zone
        created = created.replace(tzinfo=datetime.UTC)
    if created.timestamp() <= _newest_input(path):
        return None
    return cache.get_cache_bundle(record.pk).nb


def test_toc_lists_notebooks():
    """Sanity check of the discovery itself: the book has notebook chapters to execute."""
    assert NOTEBOOKS, "no document in _toc.yml has a jupytext/kernelspec header"


@pytest.mark.book
@pytest.mark.parametrize("document", NOTEBOOKS)
def test_chapter_executes(document: str, monkeypatch) -> None:
    monkeypatch.setenv("CONVLEARN_RUN_ANSWERS", "1")  # the kernel inherits it: the answers run and check themselves
    path = source_file(document)
    notebook = jupytext.read(path)
    executed = built_run(notebook, path)
    if executed is None:
        client = NotebookClient(
            notebook,
            timeout=_cell_timeout(),
            kernel_name="python3",
            allow_errors=False,
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute()
        except (CellExecutionError, CellTimeoutError) as error:
            pytest.fail(f"{path.relative_to(REPO)} does not run cleanly:\n{error}", pytrace=False)
        executed = notebook
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert [cell.source for cell in code] == [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    runs = [cell for cell in code if cell.source.strip() and "skip-execution" not in cell.metadata.get("tags", ())]
    assert all(cell.execution_count is not None for cell in runs), "a code cell was not executed"
    errors = [cell.source[:80] for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors, f"cells with an error output: {errors}"
    answers = [cell for cell in code if cell.source.startswith(GUARD)]
    not_run = [cell.source[:80] for cell in answers for out in cell.outputs if _NOT_RUN in str(out.get("text", ""))]
    assert not not_run, f"worked answers that did not run: {not_run}"
