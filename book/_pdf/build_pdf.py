"""Build the PDF of the whole book: ``_build/pdf/convlearn.pdf``.

Run from the repository root, after the site (README's first command)::

    python book/_pdf/build_pdf.py

Three steps, all offline:

1. ``jupyter-book build . --builder singlehtml`` puts every chapter on one HTML page. It reads the
   executed notebooks from the same jupyter-cache as the site build, so no chapter runs again.
2. Debian's headless Chromium (``/usr/bin/chromium``, driven by the ``playwright`` package) opens that
   page from a web server on 127.0.0.1, with every other request blocked, waits until MathJax has
   typeset every equation and every image is decoded, opens the folded hints and answers (paper
   cannot unfold them) and prints the page with the print rules of ``book/_static/convlearn.css``:
   no sidebars, each chapter on a new page, explorers replaced by their static figures.
3. If the site exists (``_build/html``), it is built again with the README command: the site's
   extension ``book/_ext/convlearn_pdf.py`` then copies the PDF next to the pages and links it from
   the sidebar. Without a PDF the site carries no link, so no link is ever broken.

``--skip-html`` prints an existing ``_build/singlehtml``; ``--no-site`` leaves the site alone. The
checks of the result are in ``tests/test_pdf.py``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
from localsite import BUILD_COMMAND, CHROMIUM, DeadEnd, allow_only, launch, serve  # noqa: E402 (this folder)

BUILD = REPO / "_build"
SINGLEHTML = BUILD / "singlehtml"
PDF = BUILD / "pdf" / "convlearn.pdf"
#: the single page as Sphinx writes it (the toc's root), and where it is printed from: Sphinx computes its
#: relative addresses (``_static/``, ``_images/``) for a page at the top of the folder, where the copy lives
ROOT_PAGE = "book/intro.html"
PRINTED_PAGE = "convlearn.html"

# Wait for MathJax and the images; then unfold what paper cannot unfold.
_PREPARE = """
async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const deadline = Date.now() + 120000;
  if (document.querySelector('.math')) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() < deadline) await sleep(50);
    if (!(window.MathJax && MathJax.startup)) return {math: -1, typeset: 0, broken: []};
    await MathJax.startup.promise;
  }
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  for (const img of document.images) {
    img.loading = 'eager';
    try { await img.decode(); } catch (e) { /* counted below */ }
  }
  await document.fonts.ready;
  // Paper cannot scroll sideways: shrink an equation or table wider than the column to fit it.
  for (const el of document.querySelectorAll('mjx-container[display="true"], article table')) {
    const room = el.parentElement.clientWidth;
    if (el.scrollWidth > room + 1) el.style.zoom = (room / el.scrollWidth).toFixed(3);
  }
  const math = document.querySelectorAll('span.math, div.math').length;
  const typeset = document.querySelectorAll('mjx-container').length;
  const broken = Array.from(document.images).filter((i) => i.naturalWidth === 0).map((i) => i.src);
  return {math, typeset, broken};
}
"""

#: A4 with these margins, the text at SCALE of the screen's size (16 px type prints at about 10 pt)
MARGIN = {"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}
SCALE = 0.85
#: the width of the printed column in CSS pixels: the page is laid out (and measured) at this width
COLUMN_PX = round((210 - 16 - 16) / 25.4 * 96 / SCALE)

_FOOTER = (
    '<div style="width:100%;font-size:8px;color:#555;text-align:center;font-family:sans-serif">'
    '<span class="pageNumber"></span></div>'
)


def _run(command: list[str]) -> None:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    print("$", " ".join(command), flush=True)
    subprocess.run(command, cwd=REPO, env=env, check=True)


def build_singlehtml() -> Path:
    """The whole book on one page (``_build/singlehtml``), warning-free like the site."""
    _run([*BUILD_COMMAND, "--builder", "singlehtml"])
    return SINGLEHTML


def print_pdf(html_dir: Path, pdf: Path) -> None:
    """Print ``html_dir``'s root page to ``pdf`` with headless Chromium, offline."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    (html_dir / PRINTED_PAGE).write_bytes((html_dir / ROOT_PAGE).read_bytes())
    with serve(html_dir) as base, sync_playwright() as playwright, DeadEnd() as dead_end:
        browser = launch(playwright, dead_end)
        try:
            context = browser.new_context(service_workers="block", viewport={"width": COLUMN_PX, "height": 1100})
            blocked = allow_only(context, base)
            page = context.new_page()
            # The search box asks for searchindex.js, which the singlehtml builder does not write.
            page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/searchindex.js")
                    and blocked.append(f"HTTP {r.status} {r.url}"))
            page.emulate_media(media="print")
            page.goto(base + PRINTED_PAGE, wait_until="load", timeout=300_000)
            state = page.evaluate(_PREPARE)
            if state["typeset"] < state["math"] or state["broken"] or blocked:
                raise SystemExit(
                    f"not ready to print: MathJax typeset {state['typeset']} of {state['math']} equations; "
                    f"broken images {state['broken'][:5]}; blocked or failed requests {blocked[:5]}"
                )
            page.pdf(
                path=str(pdf),
                format="A4",
                margin=MARGIN,
                scale=SCALE,
                print_background=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=_FOOTER,
                outline=True,
                tagged=True,
            )
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-html", action="store_true", help="print the existing _build/singlehtml")
    parser.add_argument("--no-site", action="store_true", help="do not rebuild _build/html to link the PDF")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    html_dir = SINGLEHTML if args.skip_html else build_singlehtml()
    printed = time.perf_counter()
    print_pdf(html_dir, PDF)
    done = time.perf_counter()
    size = PDF.stat().st_size / 1e6
    timings = f"one page {printed - start:.0f} s, printing {done - printed:.0f} s"
    print(f"{PDF.relative_to(REPO)}: {size:.1f} MB; {timings}")
    if not args.no_site and (BUILD / "html" / "index.html").exists():
        _run(list(BUILD_COMMAND))
    return 0


if __name__ == "__main__":
    sys.exit(main())
