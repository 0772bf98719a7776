"""JupyterLab opens the book as a book, for a new user, checked in headless Chromium.

A JupyterLab server is started on 127.0.0.1 (random free port, no token) in a temporary copy of the
repository's ``book/`` and ``exercises/``, with an empty temporary home directory and Jupyter config,
data, runtime, settings and workspace directories: whatever it does by default comes from the installed
environment (``pip install -r requirements.txt``), not from a user's settings. The browser then works
as a reader would:

1. double-clicks ``book`` → ``part1`` → the chapter in the file browser: it opens as a notebook (not in
   the text editor), with its MyST rendered (no raw ``:::{admonition}``,
   ``(label)=``, ``{doc}``, ``{cite}`` left in the Markdown cells);
2. the worked answers to the exercises are folded away (their code and output hidden, as on the website);
   saves it untouched: the file is byte-identical; runs all cells: none fails, and the answers are not run
   (``%%answer``, ``convlearn/_answers.py``: the function answer 1 defines does not exist afterwards); saves
   again: still byte-identical (outputs are not written to the ``.md``);
3. moves the slider of the chapter's live explorer (``convlearn.viz.widgets.FlipAndSlide``, an anywidget
   that computes in the browser): the drawing changes;
4. adds a cell building the same explorer with the reader's own ``convolve=`` and moves its slider: the
   drawing changes and the reader's function was called for it (Python computes the picture then).

Every request of the browser that does not go to the server is blocked and makes the test fail; the
server runs with the news feed, the update check and the extension manager's PyPI queries off. The server
is always shut down (kernels included), also when the test fails.

The explorers are found through generic selectors: the explorer is a cell output holding an element of
class ``convlearn-explorer`` (the root every front end of ``convlearn.viz.widgets`` draws into; anywidget
renders it straight into the output area, so the chapter's JavaScript animations are not mistaken for it),
its control is the first ``input[type=range]`` in it (the front ends draw native range inputs), moved by
clicking on its track, and the drawing is the largest ``img``, ``canvas`` or ``svg`` in it (the explorers
draw SVG), compared through a hash of its screenshot. The cells the
test adds stay in the temporary copy (JupyterLab may autosave them there).

Chromium is Debian's (/usr/bin/chromium), driven by ``playwright``; without it the test skips, unless
CONVLEARN_REQUIRE_BROWSER is set (CI). CONVLEARN_LAB_SHOTS=/some/folder keeps screenshots of each step.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import jupytext
import pytest
from _site import REPO, allow_only

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: a fast chapter with an explorer that takes the reader's own function
CHAPTER = "book/part1/01-integral.md"
#: the cell the test adds: the chapter's explorer (``convlearn.viz.widgets.FlipAndSlide``, an anywidget) with the
#: reader's own (counting, halving) ``convolve=``, which Python then calls whenever the slider moves
READER_CELL = """\
reader_calls = []
def reader_convolve(f, g, t, support):
    reader_calls.append(1)
    return 0.5 * convolve(f, g, t, support)
mine = FlipAndSlide(box, exp_decay, support=(-0.5, 0.5), t_range=(-1.5, 4.0), convolve=reader_convolve)
mine"""
SLIDER = "input[type=range]"
#: a live explorer in a cell's output: every front end of ``convlearn.viz.widgets`` draws into an element of class
#: ``convlearn-explorer`` (in JupyterLab anywidget puts it straight into the output area, in a plain Lumino widget;
#: the chapter's JavaScript animations are HTML outputs without it)
WIDGET_OUTPUT = ".jp-OutputArea-output:has(.convlearn-explorer)"
DRAWING = "img, canvas, svg"
_COPY_IGNORE = shutil.ignore_patterns(
    "_build", "__pycache__", ".ipynb_checkpoints", "release", "submitted", "autograded", "feedback",
    "gradebook.db", "*.csv",
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_user_env(home: Path) -> dict[str, str]:
    """The environment of a user who never ran Jupyter: every per-user directory is empty and in ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON", "XDG_"))}
    env.pop("MPLCONFIGDIR", None)
    dirs = {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": home / ".jupyter",
        "JUPYTER_DATA_DIR": home / ".local" / "share" / "jupyter",
        "JUPYTER_RUNTIME_DIR": home / ".local" / "share" / "jupyter" / "runtime",
        "JUPYTERLAB_SETTINGS_DIR": home / ".jupyter" / "lab" / "user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": home / ".jupyter" / "lab" / "workspaces",
        "IPYTHONDIR": home / ".ipython",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_DATA_HOME": home / ".local" / "share",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env.update({name: str(path) for name, path in dirs.items()})
    # the kernel imports this checkout's convlearn; one thread each on a shared machine
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    # anything the server might try to fetch from the internet goes to a dead local proxy instead
    env.update(HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1,localhost,::1")
    env.update(http_proxy=env["HTTP_PROXY"], https_proxy=env["HTTPS_PROXY"], no_proxy=env["NO_PROXY"])
    return env


def lab_command(root: Path, port: int) -> list[str]:
    """``jupyter lab`` on 127.0.0.1:port in ``root``, no token, nothing fetched from the internet."""
    return [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}", "--IdentityProvider.token=", "--ServerApp.password=",
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextlib.contextmanager
def running_lab(root: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    """Start JupyterLab in ``root``; yield its base URL; always shut it down (kernels too)."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/"
    with open(log, "w", encoding="utf-8") as log_file:
        proc = subprocess.Popen(lab_command(root, port), cwd=root, env=env, stdout=log_file,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + 180
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
                with contextlib.suppress(OSError):
                    if _get(base_url + "api/status")[0] == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter lab did not answer within 180 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
            yield base_url
        finally:
            # SIGTERM is the server's clean shutdown (it stops its kernels; a POST to api/shutdown would need
            # the XSRF cookie); then make sure the process group is gone
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, 9)


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server for a new user on a copy of the book and the course: (base URL, copy's root)."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "repo"
    root.mkdir()
    for name in ("book", "exercises"):
        shutil.copytree(REPO / name, root / name, ignore=_COPY_IGNORE)
    for name in ("_config.yml", "_toc.yml", "README.md"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, root / name)
    env = fresh_user_env(tmp / "home")
    env["CONVLEARN_EXCHANGE"] = str(tmp / "exchange")
    (tmp / "exchange").mkdir()  # as after the README's try-out (release_assignment creates it)
    log = tmp / "jupyter-lab.log"
    with running_lab(root, env, log) as base_url:
        yield base_url, root
    print(f"JupyterLab log: {log}")


class Shots:
    """Screenshots of the steps in CONVLEARN_LAB_SHOTS (if set)."""

    def __init__(self, page) -> None:
        self.page = page
        folder = os.environ.get("CONVLEARN_LAB_SHOTS")
        self.folder = Path(folder) if folder else None
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, name: str, locator=None) -> None:
        if self.folder:
            (locator or self.page).screenshot(path=str(self.folder / f"{name}.png"))


def _digest(output, timeout: float = 60.0) -> str:
    """A hash of the explorer's drawing in ``output`` as it looks now.

    A redraw may replace the drawing's element while it is being photographed ("Element is not attached to
    the DOM"); then the new element is found and photographed instead.
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            return hashlib.sha256(drawing_of(output).screenshot(animations="disabled")).hexdigest()
        except Error as e:
            if "not attached" not in str(e) or time.monotonic() > deadline:
                raise
        output.page.wait_for_timeout(250)


def drawing_of(output, timeout: float = 60.0):
    """The largest img/canvas/svg in a cell's output: what the explorer draws (waits for it to be drawn)."""
    deadline = time.monotonic() + timeout
    candidates = output.locator(DRAWING)
    while True:
        # the areas of all candidates in one call: a redraw cannot remove one between counting and measuring
        areas = candidates.evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return r.width * r.height; })")
        best_area = max(areas, default=0.0)
        if best_area > 100 * 100 or time.monotonic() > deadline:
            break
        output.page.wait_for_timeout(500)
    assert best_area > 100 * 100, "the explorer's output holds no drawing (img, canvas, svg)"
    return candidates.nth(areas.index(best_area))


def move_slider_and_wait(page, output, fraction: float, timeout: float = 60.0) -> None:
    """Click the first slider of ``output`` at ``fraction`` of its track; wait until the drawing changes."""
    slider = output.locator(SLIDER).first
    slider.scroll_into_view_if_needed()
    before = _digest(output)
    box = slider.bounding_box()
    page.mouse.click(box["x"] + fraction * box["width"], box["y"] + box["height"] / 2)
    deadline = time.monotonic() + timeout
    while _digest(output) == before:
        assert time.monotonic() < deadline, f"the drawing did not change within {timeout:.0f} s of moving the slider"
        page.wait_for_timeout(250)


def wait_kernel_idle(page, timeout_ms: float = 120_000) -> None:
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=timeout_ms)


def save_and_wait(page, panel) -> None:
    """Save the current notebook with Ctrl+S and wait until it is no longer marked modified."""
    panel.locator(".jp-Notebook").click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current')?.classList.contains('jp-mod-dirty')",
        timeout=30_000,
    )
    page.wait_for_timeout(1500)  # the contents manager writes the file before answering; leave it a moment


def run_cell_text(page, panel, code: str):
    """Append a code cell with ``code`` at the end of the notebook, run it, return its output area."""
    cells = panel.locator(".jp-Notebook .jp-Cell")
    last = cells.last
    last.scroll_into_view_if_needed()
    last.locator(".jp-InputPrompt").first.click() if last.locator(".jp-InputPrompt").count() else last.click()
    page.keyboard.press("Escape")
    count = cells.count()
    page.keyboard.press("b")  # command mode: insert a cell below
    page.wait_for_function(f"() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell')"
                           f".length > {count}")
    page.keyboard.press("Enter")  # edit mode
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")
    new = cells.nth(count)
    page.wait_for_function(
        "(el) => /\\[\\d+\\]/.test(el.querySelector('.jp-InputPrompt')?.textContent || '')",
        arg=new.element_handle(), timeout=120_000,
    )
    errors = new.locator("[data-mime-type='application/vnd.jupyter.error']")
    assert errors.count() == 0, f"the added cell failed:\n{errors.first.inner_text()}"
    return new.locator(".jp-Cell-outputArea")


def test_chapter_opens_runs_and_saves_as_a_book(chromium, lab) -> None:
    base_url, root = lab
    chapter = root / CHAPTER
    original = chapter.read_bytes()
    page_errors: list[str] = []

    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")

    outside = allow_only(context, base_url, "ws://127.0.0.1")
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    shots = Shots(page)
    try:
        page.goto(base_url + "lab", wait_until="domcontentloaded")
        listing = page.locator(".jp-DirListing-content")
        listing.wait_for(timeout=120_000)

        # 1. double-click through the file browser to the chapter
        for name in CHAPTER.split("/"):
            item = listing.locator(".jp-DirListing-itemText").get_by_text(name, exact=True)
            item.wait_for(timeout=30_000)
            item.dblclick()
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        panel.wait_for(timeout=60_000)
        assert page.locator(".jp-FileEditor:visible").count() == 0, "the chapter opened in the text editor"
        tab = page.locator(".lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel")
        assert tab.inner_text() == Path(CHAPTER).name
        wait_kernel_idle(page)
        # Lab attaches the cells to the page progressively; wait for all of them
        n_cells = len(jupytext.read(chapter).cells)
        page.wait_for_function(
            f"() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').length >= {n_cells}",
            timeout=180_000)
        shots("1-opened")


        # MyST is rendered in the Markdown cells
        markdown = panel.locator(".jp-MarkdownCell .myst, .jp-MarkdownCell .jp-RenderedMarkdown")
        text = "\n".join(markdown.all_inner_texts())
        assert text, "no rendered Markdown cell found"
        for raw in (":::{admonition}", "(ch-integral)=", "{doc}`", "{cite}`", "{eq}`"):
            assert raw not in text, f"MyST shown as raw text in JupyterLab: {raw!r}"
        # links to other chapters read as their text ("Chapter 2"), not as a raw label ("ⓘ ch-riemann")
        assert "Chapter 2" in text and not re.search(r"\bch-[a-z]", text), "a cross-chapter link shows a raw label"
        admonition = panel.locator(".jp-MarkdownCell aside.myst-admonition, .jp-MarkdownCell .admonition").first
        admonition.wait_for(timeout=30_000)
        assert "In JupyterLab the explorer takes your own functions" in admonition.inner_text()
        admonition.scroll_into_view_if_needed()
        shots("2-myst-admonition")

        # the worked answers are folded: their code is a placeholder (and they have no output yet)
        answers = [i for i, cell in enumerate(jupytext.read(chapter).cells) if cell.source.startswith("%%answer\n")]
        assert answers, f"{CHAPTER} has no %%answer cell"
        cells = panel.locator(".jp-Notebook .jp-Cell")
        for i in answers:
            folded = cells.nth(i)
            assert folded.locator(".jp-InputPlaceholder").count() == 1, f"answer cell {i} shows its code"
            assert folded.locator(".jp-InputArea-editor:visible").count() == 0, f"answer cell {i} shows its code"
        cells.nth(answers[0]).scroll_into_view_if_needed()
        shots("1b-answers-folded")

        # 2. save untouched: byte-identical
        save_and_wait(page, panel)
        assert chapter.read_bytes() == original, "saving the untouched chapter changed the file"

        # run all cells
        page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
        page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
        page.wait_for_timeout(1000)
        page.wait_for_function(
            "() => { const p = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell"
            " .jp-InputPrompt:not(.jp-Placeholder-prompt)')];"  # a folded cell's placeholder has no count
            " return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }",
            timeout=600_000,
        )
        wait_kernel_idle(page)
        errors = panel.locator("[data-mime-type='application/vnd.jupyter.error']")
        assert errors.count() == 0, f"a cell failed:\n{errors.first.inner_text()}"
        n_code = panel.locator(".jp-CodeCell").count()
        assert n_code > 5
        for i in answers:  # Run All left them folded, and they only say how to run them
            assert cells.nth(i).locator(".jp-InputPlaceholder").count() == 1, f"answer cell {i} unfolded"
            said = cells.nth(i).locator(".jp-Cell-outputArea").inner_text()
            assert "is not run with the rest of the chapter" in said, f"answer cell {i} printed {said!r}"
        cells.nth(answers[-1]).scroll_into_view_if_needed()
        shots("2b-answers-after-run-all")

        save_and_wait(page, panel)
        assert chapter.read_bytes() == original, "saving the chapter after running it changed the file"

        # Run All ran the chapter but not its answers: answer 1 defines my_convolve
        ran = run_cell_text(page, panel, "print('answer run:', 'my_convolve' in globals())").inner_text()
        assert "answer run: False" in ran, ran

        # 3. the chapter's explorer answers its slider
        outputs = panel.locator(WIDGET_OUTPUT, has=page.locator(SLIDER))
        assert outputs.count() >= 1, "no explorer (no widget with a slider in any output) after running the chapter"
        explorer = outputs.first
        explorer.scroll_into_view_if_needed()
        shots("3-explorer-before", explorer)
        move_slider_and_wait(page, explorer, 0.8)
        shots("4-explorer-after", explorer)

        # 4. the same explorer with the reader's own function
        mine = run_cell_text(page, panel, READER_CELL).locator(WIDGET_OUTPUT, has=page.locator(SLIDER))
        mine.wait_for(timeout=60_000)
        calls_output = run_cell_text(page, panel, "print('reader calls:', len(reader_calls))")
        before = int(calls_output.inner_text().split("reader calls:")[1].split()[0])
        move_slider_and_wait(page, mine, 0.15)
        mine.scroll_into_view_if_needed()
        shots("5-reader-function", mine)
        calls_output = run_cell_text(page, panel, "print('reader calls:', len(reader_calls))")
        after = int(calls_output.inner_text().split("reader calls:")[1].split()[0])
        assert after > before, f"the reader's convolve was not called when the slider moved ({before} → {after})"
    except Exception:
        shots("failure")
        raise
    finally:
        context.close()
    assert not outside, f"JupyterLab's page requested outside addresses: {outside}"
    assert not page_errors, f"uncaught errors in JupyterLab's page: {page_errors}"


def test_lab_api_lists_the_course_at_the_root(lab) -> None:
    """From the repository root, nbgrader's extensions see the course (no 'Error fetching courses!')."""
    base_url, _ = lab
    status, body = _get(base_url + "formgraders", timeout=30)
    assert status == 200
    answer = json.loads(body)
    assert answer["success"], answer
    assert [course["course_id"] for course in answer["value"]] == ["convlearn"], answer
    status, body = _get(base_url + "courses", timeout=30)
    answer = json.loads(body)
    assert answer["success"], answer
    # Formgrader lists the course's assignments (it creates the gradebook on first use: give it time)
    status, body = _get(base_url + "formgrader/api/assignments", timeout=180)
    assert status == 200, body[:500]
    names = sorted(assignment["name"] for assignment in json.loads(body))
    assert names == sorted(p.name for p in (REPO / "exercises" / "source").iterdir() if p.is_dir()), names
