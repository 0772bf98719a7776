"""The built site works with no internet connection, checked page by page in headless Chromium.

The site is ``_build/html`` when that is newer than every file of book/, _config.yml and _toc.yml;
otherwise the book is built into a temporary folder with the README command. It is served on
127.0.0.1 and every page of the table of contents (plus the index, search and general-index pages) is
opened with every non-local request blocked. A page passes if it has no console or page errors, no
blocked or failed requests, every equation typeset by MathJax (no raw TeX left, no MathJax error),
every embedded widget view drawn, every image loaded and every local link pointing at an existing
file and anchor. The same page, its window then narrowed to a phone's 375 px, must be no wider than that
(and its viewport meta tag must ask for the device's width); the ☰ menu and the explorers are checked in a
phone's own browser (touch, mobile layout) too.

The live explorers (convlearn.viz.widgets) are driven too: each one renders, every control changes what it
draws, invalid input is explained in the widget (not a stale picture), and every number it shows (read from
data-* attributes) equals what convlearn computes in Python.

Chromium is Debian's (/usr/bin/chromium), driven by the ``playwright`` package. If it is missing the
browser tests skip, unless CONVLEARN_REQUIRE_BROWSER is set (CI), where they fail.

Set CONVLEARN_SITE_DIR=/path/to/_build/html to check a site built elsewhere (e.g. with
``--path-output``), and CONVLEARN_SITE_SHOTS=/some/folder to also save a full-page screenshot of every
page.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import numpy as np
import pytest
import yaml
from _site import (
    PHONE,
    REDRAW_MS,
    REPO,
    Explorer,
    PageReport,
    build_site,
    check_page,
    fresh_site,
    html_pages,
    offline_page,
    serve,
    toc_documents,
)

PAGES = [f"{document}.html" for document in toc_documents()] + ["index.html", "genindex.html", "search.html"]
EXTRA = REPO / "book" / "_extra"


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
    """The page works with the network cut off, and fits a phone's 375 px (:func:`_site.check_page`)."""
    assert (site / page).is_file(), f"{page} was not built (is it in _toc.yml?)"
    shots = os.environ.get("CONVLEARN_SITE_SHOTS")
    screenshot = Path(shots) / (page.removesuffix(".html").replace("/", "__") + ".png") if shots else None
    report = check_page(chromium, base_url, site, page, screenshot=screenshot)
    problems = report.problems()
    assert not problems, f"{page} does not work offline:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------------------------------
# Reading on a phone (375 px) and finding one's way: the ☰ button, explorer text sizes (every page's width
# at 375 px is checked with the page, above)
# --------------------------------------------------------------------------------------------------
@pytest.mark.book
@pytest.mark.browser
def test_navigation_on_a_phone(chromium, base_url):
    """At 375 px the ☰ button opens the chapter list, and tapping a chapter in it opens that chapter."""
    with offline_page(chromium, base_url, "book/part1/01-integral.html", viewport=PHONE) as page:
        assert not page.locator("#pst-primary-sidebar").is_visible(), "the sidebar is not folded away on a phone"
        toggles = page.locator(".primary-toggle:visible")
        assert toggles.count() == 1, f"{toggles.count()} visible ☰ buttons"
        toggles.first.tap()
        chapters = page.locator("#pst-primary-sidebar-modal[open] nav.bd-docs-nav")
        chapters.wait_for(state="visible", timeout=10_000)
        link = chapters.get_by_role("link", name="Images as 2-D signals")
        assert link.is_visible() and link.bounding_box()["width"] > 0
        assert "4." in link.inner_text(), f"the chapter list shows no chapter numbers: {link.inner_text()!r}"
        link.tap()
        page.wait_for_url("**/book/part1/04-images-2d.html", timeout=15_000)
        assert "Images as 2-D signals" in page.locator("article h1").first.inner_text()


@pytest.mark.book
@pytest.mark.browser
def test_sidebar_toggle_on_a_desktop(chromium, base_url):
    """At 1280 px the ☰ button hides the chapter list and shows it again; there is one search box."""
    with offline_page(chromium, base_url, "book/part1/01-integral.html") as page:
        sidebar = page.locator("#pst-primary-sidebar")
        assert sidebar.is_visible()
        assert page.locator(".search-button-field:visible").count() == 1, "the search box is shown twice"
        toggles = page.locator(".primary-toggle:visible")
        assert toggles.count() == 1, f"{toggles.count()} visible ☰ buttons"
        toggles.first.click()
        page.wait_for_function(f"() => !({_SHOWN})", timeout=10_000)
        assert page.locator("#pst-primary-sidebar-modal[open]").count() == 0, "a desktop ☰ opened the phone dialog"
        toggles.first.click()
        page.wait_for_function(f"() => {_SHOWN}", timeout=10_000)


#: the desktop sidebar takes room on the page (the theme hides it by width, display or visibility)
_SHOWN = ("((s) => s.getBoundingClientRect().width > 100 && getComputedStyle(s).display !== 'none'"
          " && getComputedStyle(s).visibility !== 'hidden')(document.querySelector('#pst-primary-sidebar'))")


_SMALLEST_TEXT = """
(root) => {
  const box = document.querySelector(root);
  let smallest = Infinity, where = '';
  for (const svg of box.querySelectorAll('svg')) {
    const drawn = svg.getBoundingClientRect().width, drawnFor = svg.viewBox.baseVal.width || drawn;
    for (const text of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(text).fontSize) * drawn / drawnFor;
      if (text.textContent.trim() && size < smallest) { smallest = size; where = text.textContent.trim(); }
    }
  }
  const pictures = Array.from(box.querySelectorAll('svg, canvas')).map((e) => e.getBoundingClientRect().right);
  return {smallest, where, right: Math.max(0, ...pictures), texts: box.querySelectorAll('svg text').length};
}
"""
#: the pages with explorers, and their explorers (one load checks every explorer of a page)
EXPLORER_PAGES = [("book/part1/01-integral.html", ("flip-and-slide",)),
                  ("book/part1/03-discrete-1d.html", ("discrete",)),
                  ("book/part1/04-images-2d.html", ("sliding-window", "kernel")),
                  ("book/part2/07-arithmetic.html", ("arithmetic",)),
                  ("book/part2/08-receptive-fields.html", ("receptive-field",))]


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize(("page", "kinds"), EXPLORER_PAGES, ids=[page for page, _ in EXPLORER_PAGES])
def test_explorer_is_readable_on_a_phone(page, kinds, chromium, base_url):
    """At 375 px an explorer is laid out for the screen: its text is at least 10 px and nothing sticks out."""
    found = {}
    with offline_page(chromium, base_url, page, viewport=PHONE) as page_obj:
        for kind in kinds:
            explorer = Explorer(page_obj, kind)
            explorer.page.locator(explorer.root).scroll_into_view_if_needed()
            page_obj.wait_for_timeout(REDRAW_MS)
            found[kind] = page_obj.evaluate(_SMALLEST_TEXT, explorer.root)
    for kind, drawn in found.items():
        assert drawn["right"] <= PHONE["width"], f"{kind}: a picture reaches {drawn['right']:.0f} px"
        if kind != "kernel":  # the kernel explorer draws on canvases: its text is HTML
            assert drawn["texts"] > 0, f"{kind}: no SVG text drawn"
            assert drawn["smallest"] >= 10, f"{kind}: text {drawn['where']!r} is {drawn['smallest']:.1f} px on a phone"


# --------------------------------------------------------------------------------------------------
# The live explorers (convlearn.viz.widgets): they render, react to every control, and show convlearn's
# numbers. The widget computes in JavaScript; each number it shows is read from a data-* attribute and
# compared with the library in Python.
# --------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _explorer(chromium, base_url, page, kind):
    report = PageReport(url=base_url + page)
    with offline_page(chromium, base_url, page, report) as page_obj:
        yield Explorer(page_obj, kind)
    problems = report.console_errors + report.page_errors + report.blocked_requests + report.failed_requests
    assert not problems, f"{page}: the explorer caused errors:\n  " + "\n  ".join(problems)


def _close(shown: str | None, expected: float, tol: float = 1e-9) -> bool:
    return shown is not None and abs(float(shown) - expected) <= tol * max(1.0, abs(expected))


@pytest.mark.book
@pytest.mark.browser
def test_flip_and_slide_explorer_is_live(chromium, base_url):
    from convlearn.continuous import convolve, riemann_convolve
    from convlearn.viz.widgets import CONTINUOUS_FUNCTIONS, FlipAndSlide

    # The browser computes the plain composite midpoint rule with n_cells cells over the support of f
    # (riemann_convolve); convolve() also treats the jumps of the integrand as breakpoints, so the two agree
    # to convolve's documented accuracy (1e-4 for pairs with jumps), not to rounding.
    n_cells = FlipAndSlide.class_traits()["n_cells"].default_value
    with _explorer(chromium, base_url, "book/part1/01-integral.html", "flip-and-slide") as ex:
        cases = [("box", "exp", 0.25), ("box", "exp", 1.7), ("box", "box", 0.31), ("triangle", "gaussian", -0.4),
                 ("exp", "step", 2.0), ("gaussian_half", "box2", 0.82)]
        pictures = set()
        for f, g, t in cases:
            ex.set("f", f)
            ex.set("g", g)
            ex.set("t", t)
            shown_t = float(ex.attr("[data-t]", "data-t"))
            assert abs(shown_t - t) < 0.03  # the slider snaps to its step
            fn_f, fn_g = CONTINUOUS_FUNCTIONS[f], CONTINUOUS_FUNCTIONS[g]
            lo, hi = fn_f.support
            midpoint = float(riemann_convolve(fn_f.fn, fn_g.fn, np.array([shown_t]), fn_f.support,
                                              step=(hi - lo) / n_cells, rule="midpoint")[0])
            accurate = float(convolve(fn_f.fn, fn_g.fn, np.array([shown_t]), fn_f.support)[0])
            shown = ex.attr(".cl-value", "data-value")
            assert _close(shown, midpoint), f"(f*g)({shown_t}) for f={f}, g={g}: widget {shown}, midpoint {midpoint}"
            assert abs(float(shown) - accurate) <= 1e-4, f"widget {shown} vs convlearn.continuous.convolve {accurate}"
            pictures.add(ex.picture())
        assert len(pictures) == len(cases), "moving the controls did not change the picture"


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize(("page", "flip"), [("book/part1/03-discrete-1d.html", True),
                                            ("book/part1/05-correlation.html", False)])
def test_discrete_explorer_is_live(chromium, base_url, page, flip):
    from convlearn.signal import convolve1d, correlate1d

    def full(x, k, flip):
        return convolve1d(x, k, mode="full") if flip else correlate1d(x, k, mode="full")

    with _explorer(chromium, base_url, page, "discrete") as ex:
        x, k = np.array([1.0, 3.0, 2.0, -1.0, 0.5, 2.0]), np.array([1.0, 0.5, -1.0])
        assert ex.value("flip") == str(flip).lower()
        pictures = set()
        for n in range(x.size + k.size - 1):
            ex.set("n", n)
            expected = full(x, k, flip)
            assert np.allclose(json.loads(ex.attr(".cl-output", "data-output")), expected, rtol=0, atol=1e-12)
            assert _close(ex.attr(".cl-value", "data-value"), expected[n])
            assert _close(ex.attr(".cl-sum", "data-sum"), expected[n])
            pictures.add(ex.picture())
        assert len(pictures) == x.size + k.size - 1
        # edit the signal and the kernel, switch the operation
        x, k = np.array([2.0, -1.0, 4.0, 0.5, 3.0]), np.array([1.0, 2.0, -0.5, 0.25])
        ex.set("x", "2, -1, 4, 0.5, 3")
        ex.set("k", "1 2 -0.5 0.25")
        drawn = []
        for operation in (not flip, flip):
            ex.set("flip", str(operation).lower())
            for n in (0, 3, 7):
                ex.set("n", n)
                assert _close(ex.attr(".cl-value", "data-value"), full(x, k, operation)[n])
            drawn.append(ex.picture())
        assert drawn[0] != drawn[1] and drawn[1] not in pictures  # the operation and the edits show
        # a bad entry is explained and the stale picture is not shown
        ex.set("k", "1, a")
        assert "not a number" in ex.error() and not ex.picture_visible()
        ex.set("k", "1 2 -0.5 0.25")
        assert ex.error() == "" and ex.picture_visible()


@pytest.mark.book
@pytest.mark.browser
def test_kernel_explorer_is_live(chromium, base_url):
    from convlearn.data import classic_kernels, sample_image
    from convlearn.signal import convolve2d, correlate2d

    photo = sample_image()

    def check(ex, kernel, flip):
        op = convolve2d if flip else correlate2d
        expected = op(photo, kernel, mode="same", boundary="symm")
        i, j = int(ex.attr(".cl-value", "data-i")), int(ex.attr(".cl-value", "data-j"))
        assert _close(ex.attr(".cl-value", "data-value"), expected[i, j], 1e-12)
        assert _close(ex.attr("[data-min]", "data-min"), expected.min(), 1e-12)
        assert _close(ex.attr("[data-max]", "data-max"), expected.max(), 1e-12)

    with _explorer(chromium, base_url, "book/part1/04-images-2d.html", "kernel") as ex:
        pictures = set()
        for name, kernel in classic_kernels().items():
            ex.set("name", name)
            drawn = []
            for flip in (True, False):
                ex.set("flip", str(flip).lower())
                check(ex, kernel, flip)
                drawn.append(ex.picture())
            if not np.array_equal(kernel, kernel[::-1, ::-1]):  # an asymmetric kernel: the flip shows
                assert drawn[0] != drawn[1], f"{name}: switching the operation did not change the picture"
            pictures.add(drawn[0])
        assert len(pictures) == len(classic_kernels())
        # typed kernels: a 5 x 5 and an even 2 x 4 (SciPy's "same" alignment), then a broken one
        typed = ["1 2 0 -2 -1\n2 3 0 -3 -2\n3 4 0 -4 -3\n2 3 0 -3 -2\n1 2 0 -2 -1", "1 -2 0.5 3\n0 1 1 -1"]
        for text in typed:
            ex.set("text", text)
            kernel = np.array([[float(v) for v in row.split()] for row in text.splitlines()])
            for flip in (True, False):
                ex.set("flip", str(flip).lower())
                check(ex, kernel, flip)
            area = ex.page.locator(f"{ex.root} textarea")
            assert area.evaluate("(a) => a.scrollWidth <= a.clientWidth + 1"), "the kernel text box wraps or scrolls"
        ex.click("canvas.cl-output")
        check(ex, kernel, False)
        # a row still being typed: the message shows above the last good picture, which stays (faded) in place
        before = ex.picture()
        height = ex.page.evaluate("(root) => document.querySelector(root).getBoundingClientRect().height", ex.root)
        ex.set("text", "1 2 3\n4 5")
        assert "same length" in ex.error() and ex.picture_visible() and ex.picture() == before
        assert ex.page.evaluate("(root) => document.querySelector(root).hasAttribute('data-stale')", ex.root)
        grown = ex.page.evaluate("(root) => document.querySelector(root).getBoundingClientRect().height", ex.root)
        assert abs(grown - height) < 80, f"the explorer jumped from {height:.0f} to {grown:.0f} px while typing"
        ex.set("text", "1 2 3\n4 5 6")
        assert ex.error() == "" and not ex.page.evaluate(
            "(root) => document.querySelector(root).hasAttribute('data-stale')", ex.root)


@pytest.mark.book
@pytest.mark.browser
def test_kernel_explorer_draws_like_the_static_figure(chromium, base_url):
    """Sharpening is drawn in grey over the input's range, clipped (as the chapter's figure), not stretched."""
    from convlearn.data import classic_kernels, sample_image
    from convlearn.signal import correlate2d

    photo = sample_image()
    kernel = classic_kernels()["sharpen"]
    expected = correlate2d(photo, kernel, mode="same", boundary="symm")
    lo, hi = kernel.sum() * photo.min(), kernel.sum() * photo.max()
    grey = 255 * np.clip((expected - lo) / (hi - lo), 0, 1)
    with _explorer(chromium, base_url, "book/part1/04-images-2d.html", "kernel") as ex:
        ex.set("flip", "false")
        ex.set("name", "sharpen")
        red = ex.page.evaluate(
            "(root) => { const c = document.querySelector(root).querySelector('canvas.cl-output');"
            " return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)"
            ".filter((_, i) => i % 4 === 0); }", ex.root)
    drawn = np.array(red, dtype=float).reshape(photo.shape)
    np.testing.assert_allclose(drawn, grey, atol=1.0)
    assert expected.min() < lo and expected.max() > hi  # sharpening overshoots: the clipping matters here


@pytest.mark.book
@pytest.mark.browser
def test_arithmetic_explorer_is_live(chromium, base_url):
    from convlearn.nn.functional import conv_output_size, conv_transpose_output_size
    from convlearn.viz.arithmetic import conv_layout

    cases = [  # (transposed, i, k, p, s, d, a)
        (False, 5, 3, 1, 2, 1, 0), (False, 4, 3, 0, 1, 1, 0), (False, 5, 3, 1, 1, 1, 0), (False, 5, 3, 2, 1, 1, 0),
        (False, 6, 3, 0, 2, 1, 0), (False, 7, 3, 0, 1, 2, 0), (False, 7, 4, 2, 3, 1, 0),
        (False, 3, 5, 0, 1, 1, 0), (False, 4, 3, 0, 1, 3, 0),  # invalid: the kernel does not fit
        (True, 2, 3, 0, 1, 1, 0), (True, 5, 3, 1, 1, 1, 0), (True, 2, 3, 0, 2, 1, 0), (True, 3, 3, 1, 2, 1, 1),
        (True, 4, 4, 2, 3, 2, 2), (True, 3, 3, 1, 2, 1, 2),  # invalid: a >= max(s, d)
        (True, 3, 3, 3, 1, 1, 0),  # invalid: p > d (k - 1)
        (True, 1, 3, 2, 1, 1, 0),  # invalid: output size < 1
    ]
    names = ("input_size", "kernel_size", "padding", "stride", "dilation")
    with _explorer(chromium, base_url, "book/part2/07-arithmetic.html", "arithmetic") as ex:
        pictures = set()
        for transposed, i, k, p, s, d, a in cases:
            ex.set("output_padding", 0)
            ex.set("transposed", str(transposed).lower())
            for name, value in zip(names, (i, k, p, s, d), strict=True):
                ex.set(name, value)
            ex.set("output_padding", a)
            setting = f"transposed={transposed}, i={i}, k={k}, p={p}, s={s}, d={d}, a={a}"
            try:
                layout = conv_layout(i, k, stride=s, padding=p, dilation=d, output_padding=a, transposed=transposed)
            except ValueError:
                assert ex.error().startswith("invalid"), f"{setting}: no explanation shown"
                assert not ex.picture_visible(), f"{setting}: a stale picture is shown"
                continue
            assert ex.error() == "", setting
            expected = (conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=a, dilation=d)
                        if transposed else conv_output_size(i, k, stride=s, padding=p, dilation=d))
            assert layout.output_size == expected
            assert int(ex.attr("[data-output-size]", "data-output-size")) == expected, setting
            for cell in {(0, 0), (expected - 1, expected // 2)}:
                ex.click(f'rect[data-row="{cell[0]}"][data-col="{cell[1]}"]')
                assert json.loads(ex.attr("[data-cell]", "data-cell")) == list(cell)
                shown = {tuple(c) for c in json.loads(ex.attr("[data-inputs]", "data-inputs"))}
                assert shown == set(layout.input_cells(*cell)), f"{setting}, cell {cell}"
                pictures.add(ex.picture())
        assert len(pictures) >= 10


@pytest.mark.book
@pytest.mark.browser
def test_receptive_field_explorer_is_live(chromium, base_url):
    from convlearn.nn.functional import LayerGeometry, receptive_field
    from convlearn.viz.arithmetic import receptive_field_units

    def check(ex, layers, n):
        level, unit = int(ex.attr(".cl-rf", "data-level")), int(ex.attr(".cl-rf", "data-unit"))
        field = receptive_field(layers[:level])[-1]
        assert int(ex.attr(".cl-rf", "data-rf-size")) == field.size
        assert (int(ex.attr(".cl-rf", "data-rf-first")), int(ex.attr(".cl-rf", "data-rf-last"))) == field.span(unit)
        mask = receptive_field_units(layers[:level], n, unit)[0]
        assert json.loads(ex.attr(".cl-rf", "data-mask")) == np.flatnonzero(mask).tolist()

    with _explorer(chromium, base_url, "book/part2/08-receptive-fields.html", "receptive-field") as ex:
        layers = [LayerGeometry(3), LayerGeometry(3, stride=2), LayerGeometry(3, dilation=2)]
        check(ex, layers, 19)
        before = ex.picture()
        ex.click('circle[data-level="3"][data-unit="1"]')
        assert (ex.attr(".cl-rf", "data-level"), ex.attr(".cl-rf", "data-unit")) == ("3", "1")
        check(ex, layers, 19)
        ex.click('circle[data-level="2"][data-unit="4"]')
        check(ex, layers, 19)
        assert ex.picture() != before
        ex.set("input_length", 30)
        ex.set("layer-0-kernel_size", 5)
        ex.set("layer-1-padding", 1)
        ex.click('[data-control="add-layer"]')
        layers = [LayerGeometry(5), LayerGeometry(3, stride=2, padding=1), LayerGeometry(3, dilation=2),
                  LayerGeometry(3)]
        ex.click('circle[data-level="4"][data-unit="2"]')
        check(ex, layers, 30)
        ex.set("input_length", 3)
        assert ex.error().startswith("invalid") and not ex.picture_visible()
