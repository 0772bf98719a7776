"""Chapter numbers and cross-chapter links: what the text cites is what the site shows, and reads well in Lab.

The site numbers chapters 1 to 13 (``numbered: true`` on the parts of ``_toc.yml``, counted on across parts);
"How to use this book", "Neural networks in one chapter" and the appendices carry no number. The book, the
course and the explorers cite those numbers, so:

* the numbers follow the file names (``06-conv-layer`` is chapter 6);
* every link whose text is a chapter number (``{doc}`chapter 6 <../part2/06-conv-layer>```, or ``6`` in a
  list after "chapters") points at that chapter;
* "Explorer N.M" captions sit in chapter N, and every explorer cited elsewhere exists;
* each assignment's "*Chapters N (Title) ...*" line names the chapters of its ``chapters:`` metadata with
  their numbers and their titles;
* a ``{ref}`` without its own text only points into its own page: JupyterLab (jupyterlab-myst) resolves
  one notebook at a time and would show another page's label raw ("ⓘ ch-conv-layer").
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from _site import BOOK, REPO

ROLE = re.compile(r"\{(ref|doc|numref)\}`([^`]*)`")
LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$", re.MULTILINE)
NAMED = re.compile(r"^\s*(?::name:|name:|:label:)\s*(\S+)\s*$", re.MULTILINE)
NUMBER_TEXT = re.compile(r"^(?:[Cc]hapters? )?(\d+)$")


def toc_numbers() -> dict[str, int]:
    """Chapter number of each numbered document of ``_toc.yml`` (e.g. ``book/part1/01-integral`` -> 1)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    numbers, count = {}, 0
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            if part.get("numbered"):
                count += 1
                numbers[chapter["file"]] = count
    return numbers


def pages() -> list[Path]:
    return sorted(p for p in BOOK.rglob("*.md") if not {"_build", "_lab", "_extra"} & set(p.parts))


def document(path: Path) -> str:
    return path.relative_to(REPO).with_suffix("").as_posix()


def title(path: Path) -> str:
    return re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE).group(1).strip()


def labels() -> dict[str, Path]:
    found = {}
    for path in pages():
        text = path.read_text(encoding="utf-8")
        for pattern in (LABEL, NAMED):
            for match in pattern.finditer(text):
                found[match.group(1)] = path
    return found


def test_chapters_are_numbered_as_their_files():
    numbers = toc_numbers()
    assert sorted(numbers.values()) == list(range(1, 14)), numbers
    for doc, number in numbers.items():
        assert Path(doc).name.startswith(f"{number:02d}-"), f"{doc} is chapter {number} on the site"
    assert "book/how-to-use" not in numbers and "book/part2/neural-networks" not in numbers


def _links():
    """(page, line, role, text or None, target page or None) of every {ref}/{doc}/{numref} in the book."""
    by_label = labels()
    for path in pages():
        text = path.read_text(encoding="utf-8")
        for match in ROLE.finditer(text):
            role, body = match.groups()
            parts = re.match(r"^(.*?)\s*<([^<>]+)>$", body, re.DOTALL)
            link_text, target = (parts.group(1), parts.group(2)) if parts else (None, body)
            if role == "doc":
                page = (path.parent / target).with_suffix(".md").resolve()
                page = page if page.exists() else None
            else:
                page = by_label.get(target)
            yield path, text[:match.start()].count("\n") + 1, role, link_text, page, target


def test_chapter_numbers_in_links_are_right():
    numbers = toc_numbers()
    wrong = []
    for path, line, _role, link_text, page, target in _links():
        number = NUMBER_TEXT.match(link_text.strip()) if link_text else None
        if number is None:
            continue
        shown = numbers.get(document(page)) if page else None
        if shown != int(number.group(1)):
            wrong.append(f"{path.relative_to(REPO)}:{line}: {link_text!r} links to {target} (chapter {shown})")
    assert not wrong, "links whose chapter number is not the target's:\n  " + "\n  ".join(wrong)


def test_references_to_other_pages_have_their_own_text():
    bare = [f"{path.relative_to(REPO)}:{line}: {{{role}}}`{target}`"
            for path, line, role, link_text, page, target in _links()
            if role in ("ref", "numref") and link_text is None and page is not None and page != path]
    assert not bare, ("references to another page without link text (raw labels in JupyterLab):\n  "
                      + "\n  ".join(bare))


def test_explorer_numbers():
    numbers = toc_numbers()
    defined, cited = {}, []
    for path in pages():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"^\*Explorer (\d+)\.(\d+):", text, re.MULTILINE):
            defined[(int(match.group(1)), int(match.group(2)))] = path
            assert numbers.get(document(path)) == int(match.group(1)), f"{match.group(0)} is in {path}"
        cited += [(path, (int(a), int(b))) for a, b in re.findall(r"Explorer (\d+)\.(\d+)", text)]
    assert len(defined) >= 7
    missing = [f"{path.relative_to(REPO)}: Explorer {a}.{b}" for path, (a, b) in cited if (a, b) not in defined]
    assert not missing, f"explorers cited but not captioned anywhere: {missing}"


AUTHORING = sorted((REPO / "exercises" / "authoring").glob("a*.md"))


@pytest.mark.parametrize("path", AUTHORING, ids=lambda p: p.stem)
def test_assignment_cites_its_chapters(path):
    numbers = toc_numbers()
    text = path.read_text(encoding="utf-8")
    header = yaml.safe_load(re.match(r"\A---\n(.*?)\n---", text, re.DOTALL).group(1))
    chapters = next(value for value in _values(header) if isinstance(value, dict) and "chapters" in value)["chapters"]
    line = re.search(r"^\*(?:[^*]|\n(?!\n))*?[Cc]hapters? (?:[^*]|\n(?!\n))*\*$", text, re.MULTILINE).group(0)
    line = " ".join(line.split())
    cited = [(int(n), name) for n, name in re.findall(r"(\d+) \(([^)]+)\)", line)]
    expected = [(numbers[f"book/{doc}"], title(BOOK / f"{doc}.md")) for doc in chapters if f"book/{doc}" in numbers]
    assert cited == expected, f"{path.name}: {line!r} cites {cited}, its chapters are {expected}"
    for doc in chapters:
        if f"book/{doc}" not in numbers:
            assert title(BOOK / f"{doc}.md") in line, f"{path.name}: {line!r} does not name {doc}"


def _values(node):
    """Every mapping in a YAML header, depth first (the course metadata sits under a key of its own)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _values(value)


def test_doc_paths_are_relative_to_the_page():
    """``{doc}`` targets exist (the build checks this too; here it is checked without building)."""
    broken = [f"{path.relative_to(REPO)}:{line}: {target}" for path, line, role, _text, page, target in _links()
              if role == "doc" and page is None and not os.path.isabs(target)]
    assert not broken, broken
