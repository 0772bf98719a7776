"""Sphinx extension: the book's worked answers run in the build and read well on the website.

Every code answer of the book starts with the line ``%%answer`` (see ``convlearn/_answers.py``): in a
reader's JupyterLab the cell then prints how to run it instead of running. The build must run them (a wrong
answer fails the build), so this extension sets ``CONVLEARN_RUN_ANSWERS=1`` for the kernels that execute the
chapters (they inherit the build's environment). On the website the guard line means nothing to the reader,
so it is left out of the code shown under "Show code cell".
"""

from __future__ import annotations

import os
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

_GUARD_LINE = "%%answer\n"


def _drop_guard_line(app: Sphinx, doctree: nodes.document) -> None:
    for block in doctree.findall(nodes.literal_block):
        text = block.astext()
        if text.startswith(_GUARD_LINE):
            block.children = [nodes.Text(text[len(_GUARD_LINE):])]
            block.rawsource = block.rawsource.removeprefix(_GUARD_LINE)


def setup(app: Sphinx) -> dict[str, Any]:
    os.environ["CONVLEARN_RUN_ANSWERS"] = "1"
    app.connect("doctree-read", _drop_guard_line)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
