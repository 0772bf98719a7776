"""The PDF of the book (``_build/pdf/convlearn.pdf``, built by ``python book/_pdf/build_pdf.py``).

Checked with poppler's command-line tools (``pdfinfo``, ``pdffonts``, ``pdftotext``, ``pdfimages``), the
independent reader: the whole book is there (every chapter title of ``_toc.yml``'s files, with its number),
the equations were typeset (no TeX source left in the text), every cross-reference resolved and clickable,
every font is embedded and the figures are in it; and every page of the site (``_build/html``, built again by the
PDF's script) links to its copy of it. Without the PDF these tests skip; CI builds it first and sets
``CONVLEARN_REQUIRE_PDF=1``, which turns the skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from _site import REPO, html_pages, source_file, toc_documents

PDF = REPO / "_build" / "pdf" / "convlearn.pdf"
TOOLS = ("pdfinfo", "pdffonts", "pdftotext", "pdfimages")


@pytest.fixture(scope="module")
def pdf() -> Path:
    reason = None
    if not PDF.is_file():
        reason = f"{PDF.relative_to(REPO)} is missing: build it with `python book/_pdf/build_pdf.py`"
    elif missing := [tool for tool in TOOLS if shutil.which(tool) is None]:
        reason = f"poppler's {', '.join(missing)} missing (apt-get install poppler-utils)"
    if reason:
        if os.environ.get("CONVLEARN_REQUIRE_PDF", "") not in ("", "0"):
            pytest.fail(f"CONVLEARN_REQUIRE_PDF is set but {reason}")
        pytest.skip(reason)
    return PDF


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def text(pdf: Path) -> str:
    """The PDF's text, with every run of white space made one space and typographic quotes made plain."""
    raw = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    return re.sub(r"\s+", " ", raw.replace("\u2019", "'").replace("\u2018", "'"))


def _title(document: str) -> str:
    """The chapter's title as the book prints it: its first heading, numbered for the files named NN-..."""
    source = source_file(document)
    title = next(line[2:].strip() for line in source.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
    number = re.match(r"(\d+)-", source.name)
    return f"{int(number.group(1))}. {title}" if number else title


def test_every_chapter_is_in_the_pdf(text: str) -> None:
    missing = [title for title in map(_title, toc_documents()) if title not in text]
    assert not missing, f"chapter titles not in the PDF's text: {missing}"


def test_page_count_is_that_of_a_book(pdf: Path) -> None:
    pages = int(re.search(r"^Pages:\s+(\d+)$", _run("pdfinfo", str(pdf)), re.MULTILINE).group(1))
    # 21 documents, 13 of them chapters of several pages each; a blank or truncated print is far below
    assert 10 * len(toc_documents()) <= pages <= 1000, f"{pages} pages"


def test_equations_are_typeset_and_references_resolved(text: str) -> None:
    tex = r"\\(?:frac|sum|int|begin|end|mathrm|tag|label|ref|eqref)\b|\$\$|\\[()\[\]]"
    raw_tex = sorted(set(re.findall(tex, text)))
    assert not raw_tex, f"TeX source in the PDF's text (MathJax did not typeset it): {raw_tex}"
    unresolved = [text[max(m.start() - 60, 0) : m.end() + 20] for m in re.finditer(r"\?\?", text)]
    assert not unresolved, f"unresolved references: {unresolved[:5]}"


def test_cross_references_are_links(pdf: Path) -> None:
    # Chromium keeps an anchor of the one-page book as a named destination when a link points at it
    dests = _run("pdfinfo", "-dests", str(pdf))
    chapters = set(re.findall(r'"document-([^"]+)"', dests))
    assert len(chapters) >= len(toc_documents()) // 2, f"links to only {len(chapters)} chapters: {sorted(chapters)}"
    assert chapters <= set(toc_documents()), f"links to unknown chapters: {chapters - set(toc_documents())}"
    assert len(dests.splitlines()) > 100, "fewer than 100 link targets in the PDF"


def test_every_font_is_embedded(pdf: Path) -> None:
    rows = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert rows, "the PDF uses no font"
    # columns: name, type (may hold a space), encoding, emb, sub, uni, object, generation
    not_embedded = [row for row in rows if row.split()[-5] != "yes"]
    assert not not_embedded, f"fonts not embedded: {not_embedded}"


def test_figures_are_in_the_pdf(pdf: Path) -> None:
    images = len(_run("pdfimages", "-list", str(pdf)).splitlines()[2:])
    # every figure of the one-page book that the PDF is printed from (book/_pdf/build_pdf.py) is in it
    page = REPO / "_build" / "singlehtml" / "book" / "intro.html"
    html = page.read_text(encoding="utf-8") if page.is_file() else ""
    figures = len(set(re.findall(r'<img\b[^>]*\bsrc="(_images/[^"]+)"', html))) or 40
    assert images >= figures >= 40, f"{images} images in the PDF, {figures} figures in the book"


#: The sidebar's link to the PDF (book/_templates/convlearn-pdf.html, book/_ext/convlearn_pdf.py).
_PDF_LINK = re.compile(r'<p class="convlearn-pdf"><a href="([^"]+)" download>[^<]*</a> \((\d+) MB\)</p>')


def test_every_page_of_the_site_links_the_pdf(pdf: Path) -> None:
    site = REPO / "_build" / "html"
    if not (site / "index.html").is_file():
        pytest.skip("no site in _build/html")
    copy = site / "convlearn.pdf"
    assert copy.is_file() and copy.read_bytes() == pdf.read_bytes(), "the site's copy is not the PDF"
    unlinked = []
    for page in html_pages(site):
        html = (site / page).read_text(encoding="utf-8")
        if 'http-equiv="Refresh"' in html or 'http-equiv="refresh"' in html:
            continue  # the root's redirect to the first chapter
        match = _PDF_LINK.search(html)
        if match is None or (site / page).parent.joinpath(match.group(1)).resolve() != copy.resolve():
            unlinked.append(page)
        else:
            assert int(match.group(2)) == round(pdf.stat().st_size / 1e6), page
    assert not unlinked, f"pages without the link to the PDF: {unlinked}"
