"""Helpers shared by the book tests: the table of contents, the built site, a local web server and
the checks that a page of the site works offline in a real browser.

Nothing here needs the internet: the browser checks block (and report) every request that does not go
to the local server.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

REPO = Path(__file__).resolve().parents[1]
# Debian's Chromium, its switches, the README's build command and the local web server live beside the PDF
# builder, which uses them too (book tooling must not import the tests)
sys.path.insert(0, str(REPO / "book" / "_pdf"))
from localsite import BUILD_COMMAND, CHROMIUM, DeadEnd, allow_only, launch, serve  # noqa: E402,F401

BOOK = REPO / "book"
CONFIG_FILES = (REPO / "_config.yml", REPO / "_toc.yml")
#: The explorers' front ends, embedded in the pages (an edit makes the built site stale too).
EXPLORER_JS = tuple(sorted((REPO / "convlearn" / "viz" / "widgets").glob("*.js")))
#: not sources of the site (book/_lab holds the Jupyter defaults package, built in place by pip)
_IGNORED_SOURCE_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", "_lab"}


# --------------------------------------------------------------------------------------------------
# The book's Sphinx extensions
# --------------------------------------------------------------------------------------------------
def book_extension(name: str):
    """The Sphinx extension ``book/_ext/<name>.py``, imported from its file (``book/_ext`` is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, REPO / "book" / "_ext" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------------------
# Table of contents
# --------------------------------------------------------------------------------------------------
def _toc_entries(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key in ("root", "file"):
            if isinstance(node.get(key), str):
                yield node[key]
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key) or ():
                yield from _toc_entries(child)
    elif isinstance(node, list):
        for child in node:
            yield from _toc_entries(child)


def toc_documents() -> list[str]:
    """Documents listed in ``_toc.yml`` (root first), as written there: no suffix, '/' separators."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    seen: dict[str, None] = {}
    for entry in _toc_entries(toc):
        seen.setdefault(re.sub(r"\.(md|ipynb)$", "", entry), None)
    return list(seen)


def source_file(document: str) -> Path:
    """The source file of a toc document (``.md`` preferred, else ``.ipynb``)."""
    for suffix in (".md", ".ipynb"):
        path = REPO / f"{document}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(f"{document!r} is listed in _toc.yml but neither .md nor .ipynb exists")


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", re.DOTALL)


def is_myst_notebook(path: Path) -> bool:
    """True if ``path`` is a MyST Markdown notebook: YAML front matter with a jupytext/kernelspec header."""
    if path.suffix == ".ipynb":
        return True
    match = _FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    if not match:
        return False
    header = yaml.safe_load(match.group(1)) or {}
    return isinstance(header, dict) and ("jupytext" in header or "kernelspec" in header)


def toc_notebooks() -> list[str]:
    """Toc documents that are notebooks (these are executed by the build)."""
    return [doc for doc in toc_documents() if is_myst_notebook(source_file(doc))]


# --------------------------------------------------------------------------------------------------
# The built site
# --------------------------------------------------------------------------------------------------
def _newest_source_mtime() -> float:
    newest = max(path.stat().st_mtime for path in (*CONFIG_FILES, *EXPLORER_JS))
    for path in BOOK.rglob("*"):
        if path.is_file() and not _IGNORED_SOURCE_PARTS.intersection(path.parts):
            newest = max(newest, path.stat().st_mtime)
    return newest


def fresh_site(html_dir: Path) -> bool:
    """True if ``html_dir`` holds a site built after the last change to book/, the config and the explorers' JS."""
    marker = html_dir / "searchindex.js"  # rewritten at the end of every Sphinx HTML build
    return marker.is_file() and (html_dir / "index.html").is_file() and marker.stat().st_mtime > _newest_source_mtime()


def build_site(path_output: Path) -> Path:
    """Build the book with the README command into ``path_output``; return the HTML folder."""
    command = [*BUILD_COMMAND, "--path-output", str(path_output)]
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + "\n" + result.stderr)
        lines = [line for line in output.splitlines() if "IPKernelApp" not in line]  # kernel start-up noise
        warnings = [line for line in lines if "WARNING" in line or "ERROR" in line]
        summary = "\n".join([*warnings[:40], "...", *lines[-10:]])
        raise RuntimeError(f"`{' '.join(command)}` failed with exit code {result.returncode}:\n{summary}")
    return path_output / "_build" / "html"


def html_pages(html_dir: Path) -> list[str]:
    """Every HTML page of the site, relative to its root (vendored/static folders excluded)."""
    skip = {"_static", "_vendor", "_sources", "_images"}
    return sorted(
        path.relative_to(html_dir).as_posix()
        for path in html_dir.rglob("*.html")
        if not skip.intersection(path.relative_to(html_dir).parts)
    )


# --------------------------------------------------------------------------------------------------
# Internal links
# --------------------------------------------------------------------------------------------------
class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name == "id" or (name == "name" and tag == "a")):
                self.ids.add(value)


@functools.cache
def page_ids(path: Path) -> frozenset[str]:
    """The ``id`` (and ``<a name>``) values of an HTML file."""
    collector = _IdCollector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(collector.ids)


def broken_internal_links(hrefs: list[str], base_url: str, html_dir: Path) -> list[str]:
    """Absolute hrefs on the local server whose file (or #anchor) does not exist in ``html_dir``."""
    broken = []
    for href in sorted(set(hrefs)):
        if not href.startswith(base_url):
            continue
        parts = urlsplit(href)
        relative = unquote(parts.path)[len(urlsplit(base_url).path) :]
        target = html_dir / relative
        if relative == "" or relative.endswith("/"):
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{href} (no file {relative or 'index.html'})")
            continue
        anchor = unquote(parts.fragment)
        if anchor and target.suffix == ".html" and anchor not in page_ids(target):
            broken.append(f"{href} (no id {anchor!r} in {target.relative_to(html_dir).as_posix()})")
    return broken


# --------------------------------------------------------------------------------------------------
# The browser check of one page
# --------------------------------------------------------------------------------------------------
_WAIT_FOR_RENDERING = """
async () => {
  const deadline = Date.now() + 30000;
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  if (document.querySelector('.math') && window.MathJax) {
    while (!(window.MathJax.startup && window.MathJax.startup.promise) && Date.now() < deadline) await sleep(50);
    if (window.MathJax.startup && window.MathJax.startup.promise) await window.MathJax.startup.promise;
  }
  const views = () => document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  const rendered = (s) => s.previousElementSibling && s.previousElementSibling.classList.contains('widget-subarea')
    && s.previousElementSibling.querySelector('.jupyter-widgets, .widget-inline-hbox, .lm-Widget') !== null;
  while (Array.from(views()).some((s) => !rendered(s)) && Date.now() < deadline) await sleep(100);
  for (const img of document.images) {
    img.loading = 'eager';
    try { await img.decode(); } catch (e) { /* reported below through naturalWidth */ }
  }
}
"""

#: Up to five elements that reach past the window's right edge and are not inside a box that scrolls or clips
#: by itself (wide tables, code): what makes a page wider than the screen.
_WIDEST = """
() => {
  const limit = document.documentElement.clientWidth;
  const out = [];
  for (const node of document.querySelectorAll('body *')) {
    const box = node.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit + 1) continue;
    let clipped = false;
    for (let up = node.parentElement; up && !clipped; up = up.parentElement) {
      const style = getComputedStyle(up);
      clipped = style.overflowX !== 'visible' && up.getBoundingClientRect().right <= limit + 1;
    }
    if (!clipped) out.push(`${node.tagName.toLowerCase()}.${String(node.className.baseVal ?? node.className)}`
      + ` reaches ${Math.round(box.right)} px: "${(node.textContent || '').trim().slice(0, 50)}"`);
  }
  return out.slice(0, 5);
}
"""

_INSPECT_PAGE = """
() => {
  const viewport = document.querySelector('meta[name="viewport"]');
  const out = {mathNodes: 0, mathContainers: 0, rawTex: [], mathErrors: [], widgetViews: 0,
               unrenderedWidgets: [], brokenImages: [], hrefs: [], externalChromeLinks: [],
               viewportMeta: viewport ? viewport.getAttribute('content') : null};
  const mathNodes = document.querySelectorAll('span.math, div.math');
  out.mathNodes = mathNodes.length;
  out.mathContainers = document.querySelectorAll('mjx-container').length;
  mathNodes.forEach((node) => {
    const containers = node.querySelectorAll('mjx-container').length;
    let text = '';
    node.childNodes.forEach((child) => { if (child.nodeType === Node.TEXT_NODE) text += child.textContent; });
    if (containers === 0 || /\\\\\\(|\\\\\\[|\\$\\$/.test(text)) out.rawTex.push(node.textContent.slice(0, 120));
  });
  document.querySelectorAll('mjx-merror, [data-mjx-error]').forEach((node) => {
    out.mathErrors.push(node.getAttribute('data-mjx-error') || node.textContent.slice(0, 120));
  });
  // An undefined macro is not an error for MathJax 3 (package noundefined): it is shown as red text.
  // CHTML draws characters with CSS classes (mjx-c5C is a backslash), so read the classes, not the text.
  document.querySelectorAll('mjx-container mjx-mtext[style*="color: red"]').forEach((node) => {
    const chars = Array.from(node.querySelectorAll('mjx-c')).map((c) => {
      const code = (c.className.match(/mjx-c([0-9A-F]+)/) || [])[1];
      return code ? String.fromCodePoint(parseInt(code, 16)) : '';
    }).join('');
    if (chars.startsWith('\\\\')) out.mathErrors.push(`undefined TeX macro ${chars}`);
  });
  const article = document.querySelector('article') || document.body;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest('pre, code, script, style, textarea, mjx-container, .highlight, .output')) continue;
    if (/\\\\\\(|\\\\\\[|\\$\\$/.test(node.textContent)) out.rawTex.push(node.textContent.trim().slice(0, 120));
  }
  const views = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  out.widgetViews = views.length;
  views.forEach((s, i) => {
    const area = s.previousElementSibling;
    const ok = area && area.classList.contains('widget-subarea')
      && area.querySelector('.jupyter-widgets, .widget-inline-hbox, .lm-Widget') !== null
      && area.getBoundingClientRect().height > 0;
    if (!ok) out.unrenderedWidgets.push(`widget view #${i + 1}: ${s.textContent.slice(0, 100)}`);
  });
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0) out.brokenImages.push(img.getAttribute('src'));
  }
  document.querySelectorAll('a[href]').forEach((a) => {
    out.hrefs.push(a.href);
    // The theme's own chrome (navigation bars, footer, buttons) must not point at other sites.
    if (/^https?:/.test(a.href) && new URL(a.href).origin !== location.origin && !a.closest('article')) {
      out.externalChromeLinks.push(a.href);
    }
  });
  return out;
}
"""


@dataclass
class PageReport:
    """What went wrong on one page (empty lists: the page works offline)."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    raw_tex: list[str] = field(default_factory=list)
    math_errors: list[str] = field(default_factory=list)
    unrendered_widgets: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    external_chrome_links: list[str] = field(default_factory=list)
    math_nodes: int = 0
    math_containers: int = 0
    widget_views: int = 0
    #: what would not fit a phone (:func:`check_page`): a viewport meta tag that does not ask for the device's
    #: width, a page wider than :data:`PHONE` once its window is narrowed to it
    not_for_phones: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        found = []
        for name in (
            "console_errors",
            "page_errors",
            "blocked_requests",
            "failed_requests",
            "raw_tex",
            "math_errors",
            "unrendered_widgets",
            "broken_images",
            "broken_links",
            "external_chrome_links",
            "not_for_phones",
        ):
            for item in getattr(self, name):
                found.append(f"{name.replace('_', ' ')}: {item}")
        if self.math_containers < self.math_nodes:
            found.append(f"MathJax rendered {self.math_containers} equations but the page has {self.math_nodes}")
        return found


#: a desktop browser window, and a phone's screen (CSS pixels)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


# How long a page may take to load and go quiet. The API page (the largest) took over 60 s once while four test
# workers shared two cores with grading kernels; a wait, not an assertion about speed.
PAGE_LOAD_MS = 180_000
#: A page has settled when no request has been in flight for this long (ms), checked every POLL_MS.
QUIET_MS = 150
POLL_MS = 25
#: Time (ms) the explorers get to redraw for a new window width (they redraw when they see their box resized).
REDRAW_MS = 300


class PageDidNotSettle(AssertionError):
    """A page kept requests open for longer than :data:`PAGE_LOAD_MS`: ``open_requests``, their URLs."""

    def __init__(self, url: str, open_requests: list[str]) -> None:
        self.open_requests = open_requests
        super().__init__(f"{url} did not settle within {PAGE_LOAD_MS / 1000:.0f} s; requests still open: "
                         + (", ".join(open_requests) or "none (the load event itself did not come)"))


def _open_and_settle(context, url: str, base_url: str, report: PageReport):
    """A new page of ``context`` at ``url``, loaded, typeset and with no request in flight; the page.

    Raises :class:`PageDidNotSettle` naming the requests still open when the network has not gone quiet
    within :data:`PAGE_LOAD_MS` (Playwright's own ``networkidle`` wait would say only that it timed out).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page_obj = context.new_page()
    in_flight: dict[object, str] = {}

    def on_console(message) -> None:
        if message.type == "error":
            report.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_failed(request) -> None:
        in_flight.pop(request, None)
        if request.url.startswith(base_url):
            report.failed_requests.append(f"{request.url}: {request.failure}")

    def on_response(response) -> None:
        if response.status >= 400:
            report.failed_requests.append(f"HTTP {response.status} {response.url}")

    page_obj.on("console", on_console)
    page_obj.on("pageerror", lambda exc: report.page_errors.append(str(exc)))
    page_obj.on("request", lambda request: in_flight.__setitem__(request, request.url))
    page_obj.on("requestfinished", lambda request: in_flight.pop(request, None))
    page_obj.on("requestfailed", on_failed)
    page_obj.on("response", on_response)
    deadline = time.monotonic() + PAGE_LOAD_MS / 1000
    try:
        page_obj.goto(url, wait_until="load", timeout=PAGE_LOAD_MS)
        _wait_quiet(page_obj, url, in_flight, deadline)
        _render(page_obj)
        _wait_quiet(page_obj, url, in_flight, deadline)
    except PlaywrightTimeout as exc:
        raise PageDidNotSettle(url, sorted(in_flight.values())) from exc
    return page_obj


#: How many pages a page may lead to by itself while it is opened (the site's ``index.html`` is one step: a
#: ``<meta http-equiv="Refresh">`` to the first chapter).
REDIRECTS = 3


def _render(page_obj) -> None:
    """Wait for the page's mathematics, widgets and images (:data:`_WAIT_FOR_RENDERING`), following the page to
    where it sends itself: a redirect that starts after the load event (``index.html``'s) replaces the document
    the wait runs in, which Playwright reports as a destroyed execution context (seen once, at 375 px)."""
    from playwright.sync_api import Error as PlaywrightError

    for step in range(REDIRECTS + 1):
        try:
            page_obj.evaluate(_WAIT_FOR_RENDERING)
            return
        except PlaywrightError as exc:
            if "Execution context was destroyed" not in str(exc) or step == REDIRECTS:
                raise
            page_obj.wait_for_load_state("load", timeout=PAGE_LOAD_MS)


def _wait_quiet(page_obj, url: str, in_flight: dict, deadline: float) -> None:
    """Return once none of the page's requests (``in_flight``, kept by the page's request events) has been open
    for :data:`QUIET_MS`; raise :class:`PageDidNotSettle` at ``deadline`` (``time.monotonic()``). Playwright's
    ``networkidle`` is this wait with 500 ms of quiet, idle time that every page load spent twice."""
    quiet_since = None
    while True:
        now = time.monotonic()
        if in_flight:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET_MS / 1000:
            return
        if now > deadline:
            raise PageDidNotSettle(url, sorted(in_flight.values()))
        page_obj.wait_for_timeout(POLL_MS)  # lets Playwright deliver the request events meanwhile


@contextlib.contextmanager
def offline_page(browser, base_url: str, page: str, report: PageReport | None = None, viewport: dict | None = None):
    """Open ``page`` in a fresh browser context with the network cut off; yield the playwright page.

    Every request that does not go to ``base_url`` is blocked and recorded in ``report`` (a new
    :class:`PageReport` if none is given), with console errors, page errors and failed requests. The window is
    ``viewport`` (default :data:`DESKTOP`; :data:`PHONE` for a phone, touch included).

    A page that does not settle with only requests to ``base_url`` open (seen once in CI on a machine loaded
    with grading kernels) is opened once more in a new context; if it does not settle again,
    :class:`PageDidNotSettle` names the open requests.
    """
    url = base_url + page
    report = report if report is not None else PageReport(url=url)
    viewport = viewport or DESKTOP
    for attempt in (1, 2):
        context = browser.new_context(viewport=viewport, service_workers="block", has_touch=viewport["width"] < 600,
                                      is_mobile=viewport["width"] < 600)
        try:
            allow_only(context, base_url, into=report.blocked_requests)
            try:
                page_obj = _open_and_settle(context, url, base_url, report)
            except PageDidNotSettle as exc:
                if attempt == 2 or not all(u.startswith(base_url) for u in exc.open_requests):
                    raise
                warnings.warn(f"opening again: {exc}", stacklevel=3)
                continue
            yield page_obj
            return
        finally:
            context.close()


def check_page(browser, base_url: str, html_dir: Path, page: str, screenshot: Path | None = None) -> PageReport:
    """Open ``page`` in a fresh browser context with the network cut off; report what breaks.

    The page is checked in a desktop window (:data:`DESKTOP`); then the same window is narrowed to a phone's
    width (:data:`PHONE`) and the page must fit it: wide tables and code scroll inside their own box. One load
    serves both checks. A phone honours the width in the page's ``<meta name="viewport">`` (the report checks
    that it is the device's), and then lays the page out as this narrowed window does; the explorers and the ☰
    menu are also checked in a phone's own browser (touch, mobile layout) by ``tests/test_site_browser.py``.
    """
    report = PageReport(url=base_url + page)
    with offline_page(browser, base_url, page, report) as page_obj:
        result = page_obj.evaluate(_INSPECT_PAGE)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page_obj.screenshot(path=str(screenshot), full_page=True)
        page_obj.set_viewport_size(PHONE)
        page_obj.wait_for_timeout(REDRAW_MS)
        width = page_obj.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            report.not_for_phones.append(f"{width} px wide at {PHONE['width']} px:\n    "
                                         + "\n    ".join(page_obj.evaluate(_WIDEST)))
    if "width=device-width" not in (result["viewportMeta"] or ""):
        # without it a phone lays the page out 980 px wide and shrinks it (a narrowed window does not show that)
        report.not_for_phones.append(f"<meta name=\"viewport\"> does not ask for the device's width: "
                                     f"{result['viewportMeta']!r}")
    report.math_nodes = result["mathNodes"]
    report.math_containers = result["mathContainers"]
    report.widget_views = result["widgetViews"]
    report.raw_tex = result["rawTex"]
    report.math_errors = result["mathErrors"]
    report.unrendered_widgets = result["unrenderedWidgets"]
    report.broken_images = result["brokenImages"]
    report.broken_links = broken_internal_links(result["hrefs"], base_url, html_dir)
    report.external_chrome_links = result["externalChromeLinks"]
    return report


# --------------------------------------------------------------------------------------------------
# Driving the live explorers (convlearn.viz.widgets) in a page
# --------------------------------------------------------------------------------------------------
_SET_CONTROL = """
([root, name, value]) => {
  const box = document.querySelector(root);
  const input = box && box.querySelector(`[data-control="${name}"]`);
  if (!input) throw new Error(`no control ${name} in ${root}`);
  input.value = String(value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  input.dispatchEvent(new Event("change", { bubbles: true }));
}
"""


class Explorer:
    """One live explorer of a page, found by its ``data-explorer`` kind; reads and moves what it shows."""

    def __init__(self, page, kind: str) -> None:
        self.page = page
        self.root = f'[data-explorer="{kind}"]'
        page.wait_for_selector(self.root, timeout=30_000)

    def set(self, name: str, value) -> None:
        """Move control ``name`` to ``value`` as a reader would (input and change events)."""
        self.page.evaluate(_SET_CONTROL, [self.root, name, value])

    def value(self, name: str) -> str:
        """The current value of control ``name`` (as the browser holds it: a string)."""
        return self.page.evaluate(
            "([root, name]) => document.querySelector(root).querySelector(`[data-control=\"${name}\"]`).value",
            [self.root, name],
        )

    def attr(self, selector: str, name: str) -> str | None:
        """Attribute ``name`` of the first element matching ``selector`` inside the explorer."""
        return self.page.evaluate(
            "([root, sel, name]) => { const e = document.querySelector(root).querySelector(sel);"
            " return e ? e.getAttribute(name) : null; }",
            [self.root, selector, name],
        )

    def error(self) -> str:
        """The message in the explorer's error box ("" when it shows a picture)."""
        return self.page.evaluate(
            "(root) => { const b = document.querySelector(root); const e = b.querySelector('.cl-error');"
            " return b.classList.contains('cl-has-error') && e ? e.textContent : ''; }",
            self.root,
        )

    def picture(self) -> str:
        """What the explorer draws: the SVG markup and the pixels of its canvases."""
        return self.page.evaluate(
            "(root) => { const p = document.querySelector(root).querySelector('.cl-picture');"
            " return p.innerHTML + Array.from(p.querySelectorAll('canvas')).map((c) => c.toDataURL()).join(''); }",
            self.root,
        )

    def picture_visible(self) -> bool:
        return self.page.evaluate(
            "(root) => document.querySelector(root).querySelector('.cl-picture').getBoundingClientRect().height > 0",
            self.root,
        )

    def click(self, selector: str) -> None:
        self.page.locator(f"{self.root} {selector}").first.click()
