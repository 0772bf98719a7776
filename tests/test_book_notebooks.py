"""Every notebook chapter of the book runs top to bottom in a fresh python3 kernel.

The chapters are MyST Markdown notebooks (a jupytext header in their YAML front matter). Each one is
read with jupytext and executed with nbclient from its own folder, as ``jupyter-book build`` does, so
that a failing chapter is named by the test id (e.g. ``test_chapter_executes[book/part1/01-integral]``)
instead of being buried in the build log. The worked answers (``%%answer`` cells) run too, as in the build
(``CONVLEARN_RUN_ANSWERS=1``, see ``convlearn/_answers.py``).
"""

from __future__ import annotations

import jupytext
import pytest
import yaml
from _site import REPO, source_file, toc_notebooks
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

NOTEBOOKS = toc_notebooks()


def _cell_timeout() -> int:
    """The per-cell timeout the book build uses (``execute: timeout`` in _config.yml)."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8")) or {}
    return int((config.get("execute") or {}).get("timeout", 300))


def test_toc_lists_notebooks():
    """Sanity check of the discovery itself: the book has notebook chapters to execute."""
    assert NOTEBOOKS, "no document in _toc.yml has a jupytext/kernelspec header"


@pytest.mark.book
@pytest.mark.parametrize("document", NOTEBOOKS)
def test_chapter_executes(document: str, monkeypatch) -> None:
    monkeypatch.setenv("CONVLEARN_RUN_ANSWERS", "1")  # the kernel inherits it: the answers run and check themselves
    path = source_file(document)
    notebook = jupytext.read(path)
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
