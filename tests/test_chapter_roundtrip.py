"""Opening a chapter in JupyterLab and saving it unchanged leaves the file byte-identical.

JupyterLab reads and writes a chapter through jupytext, so a chapter is stable when it is already in
the form jupytext writes: its YAML (the header, the cell options such as figure captions) is dumped the
way jupytext dumps it, and its ``kernelspec`` is the one JupyterLab writes when it starts the kernel
(``name``, ``display_name``, ``language`` of the installed ``python3`` kernel, in that order). This test
checks every MyST notebook under ``book/`` (the pages with a jupytext header; the pages without code
cells carry no header and the build does not execute them). ``tests/test_lab_browser.py`` checks the
same through a real save in JupyterLab.

To put a new or edited chapter into that form (it only rewrites YAML, never text or code)::

    python tests/test_chapter_roundtrip.py --fix book/part1/01-integral.md   # or no file: every chapter
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _site import is_myst_notebook  # noqa: E402

CHAPTERS = sorted(p for p in (REPO / "book").rglob("*.md") if "_build" not in p.parts and is_myst_notebook(p))
FORMAT = "md:myst"


def lab_kernelspec() -> dict[str, str]:
    """The ``kernelspec`` metadata JupyterLab writes for the installed ``python3`` kernel (in Lab's key order)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"name": "python3", "display_name": spec.display_name, "language": spec.language}


def saved_by_lab(text: str) -> str:
    """What JupyterLab (through jupytext) writes back for the chapter ``text`` opened and saved unchanged."""
    import jupytext

    notebook = jupytext.reads(text, fmt=FORMAT)
    notebook.metadata["kernelspec"] = lab_kernelspec()
    return jupytext.writes(notebook, fmt=FORMAT)


def test_there_are_chapters() -> None:
    assert len(CHAPTERS) >= 13, [str(p) for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(REPO / "book")))
def test_open_and_save_is_byte_identical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    saved = saved_by_lab(text)
    if saved != text:
        diff = "\n".join(list(difflib.unified_diff(text.splitlines(), saved.splitlines(), "file", "saved by Lab",
                                                   lineterm="", n=1))[:40])
        pytest.fail(f"{path.relative_to(REPO)} changes when opened and saved in JupyterLab; run\n"
                    f"  python tests/test_chapter_roundtrip.py --fix {path.relative_to(REPO)}\n{diff}")


def test_reads_the_chapter_unchanged() -> None:
    """The round trip keeps the cells: only the YAML layout may differ from a hand-written chapter."""
    import jupytext

    path = REPO / "book" / "part1" / "01-integral.md"
    text = path.read_text(encoding="utf-8")
    before, after = jupytext.reads(text, fmt=FORMAT), jupytext.reads(saved_by_lab(text), fmt=FORMAT)
    assert [(c.cell_type, c.source, c.metadata) for c in before.cells] == [
        (c.cell_type, c.source, c.metadata) for c in after.cells]


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--fix":
        print(__doc__)
        return 2
    paths = [Path(a).resolve() for a in argv[1:]] or CHAPTERS
    for path in paths:
        text = path.read_text(encoding="utf-8")
        saved = saved_by_lab(text)
        if saved != text:
            path.write_text(saved, encoding="utf-8")
            print(f"rewrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
