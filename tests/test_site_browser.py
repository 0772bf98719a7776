"""The built site works with no internet connection, checked page by page in headless Chromium.

The site is ``_build/html`` when that is newer than every file of book/, _config.yml and _toc.yml;
otherwise the book is built into a temporary folder with the README command. It is served on
127.0.0.1 and every page of the table of contents (plus the index, search and general-index pages) is
opened with every non-local request blocked. A page passes if it has no console or page errors, no
blocked or failed requests, every equation typeset by MathJax (no raw TeX left, no MathJax error),
every embedded widget view drawn, every image loaded and every local link pointing at an existing
file and anchor.

Chromium is Debian's (/usr/bin/chromium), driven by the ``playwright`` package. If it is missing the
browser tests skip, unless CONVLEARN_REQUIRE_BROWSER is set (CI), where they fail.

Set CONVLEARN_SITE_DIR=/path/to/_build/html to check a site built elsewhere (e.g. with
``--path-output``), and CONVLEARN_SITE_SHOTS=/some/folder to also save a full-page screenshot of every
page.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from _site import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO,
    build_site,
    check_page,
    fresh_site,
    html_pages,
    serve,
    toc_documents,
)

PAGES = [f"{document}.html" for document in toc_documents()] + ["index.html", "genindex.html", "search.html"]
EXTRA = REPO / "book" / "_extra"


def _required() -> bool:
    return os.environ.get("CONVLEARN_REQUIRE_BROWSER", "") not in ("", "0")


@pytest.fixture(scope="session")
def chromium():
    """Headless Debian Chromium through playwright, or skip (fail when CONVLEARN_REQUIRE_BROWSER is set)."""
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = reason or "the playwright package is missing (pip install -r requirements.txt)"
    if reason:
        if _required():
            pytest.fail(f"CONVLEARN_REQUIRE_BROWSER is set but {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def site(chromium, tmp_path_factory) -> Path:
    """The built HTML site: CONVLEARN_SITE_DIR if set, the fresh ``_build/html``, or a new temporary build."""
    if os.environ.get("CONVLEARN_SITE_DIR"):
        html = Path(os.environ["CONVLEARN_SITE_DIR"])
        assert (html / "index.html").is_file(), f"CONVLEARN_SITE_DIR={html} holds no built site"
        return html
    html = REPO / "_build" / "html"
    if fresh_site(html):
        return html
    try:
        return build_site(tmp_path_factory.mktemp("site-build"))
    except RuntimeError as error:
        failure = str(error)
    pytest.fail(failure, pytrace=False)


@pytest.fixture(scope="session")
def base_url(site):
    with serve(site) as url:
        yield url


def test_offline_assets_are_vendored():
    """Every script the config points at is in book/_extra (copied to the site root), not on a CDN."""
    config = yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]["config"]
    assert "sphinx_thebe" not in sphinx["extensions"]
    assert "sphinx.ext.intersphinx" not in sphinx["extensions"]
    assert sphinx["html_extra_path"] == ["book/_extra"]
    scripts = [sphinx["mathjax_path"], *sphinx["nb_ipywidgets_js"]]
    for script in scripts:
        assert "://" not in script, script
        # Sphinx resolves these against _static/, and book/_extra/ lands in the site root.
        target = (EXTRA / "_static" / script).resolve()
        assert target.is_file(), f"{script} -> {target} is missing: run book/_extra/_vendor/regenerate.sh"
    assert (EXTRA / "_vendor" / "README.md").is_file()


@pytest.mark.book
@pytest.mark.browser
def test_other_pages_work_offline(chromium, site, base_url):
    """Pages that are not in the toc (e.g. the Python module index made by autodoc) are checked too."""
    problems = []
    for page in sorted(set(html_pages(site)) - set(PAGES)):
        problems += [f"{page}: {problem}" for problem in check_page(chromium, base_url, site, page).problems()]
    assert not problems, "pages outside the toc do not work offline:\n  " + "\n  ".join(problems)


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_page_works_offline(page, chromium, site, base_url):
    assert (site / page).is_file(), f"{page} was not built (is it in _toc.yml?)"
    shots = os.environ.get("CONVLEARN_SITE_SHOTS")
    screenshot = Path(shots) / (page.removesuffix(".html").replace("/", "__") + ".png") if shots else None
    report = check_page(chromium, base_url, site, page, screenshot=screenshot)
    problems = report.problems()
    assert not problems, f"{page} does not work offline:\n  " + "\n  ".join(problems)
