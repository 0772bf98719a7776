"""The course as an instructor and a learner use it in JupyterLab, in headless Chromium.

Two JupyterLab servers on 127.0.0.1, each in a temporary directory with a throw-away HOME and Jupyter config,
data and runtime directories, share a temporary exchange (``CONVLEARN_EXCHANGE``):

- the **instructor**'s, started in a copy of ``exercises/`` after the one documented step that turns the
  instructor tools on (the ``jupyter labextension enable --level=user …`` line of ``exercises/README.md``);
- the **student** carol's, in an empty folder, with the course's exchange and her student id in her own
  ``~/.jupyter/nbgrader_config.py`` (as a JupyterHub deployment would set them).

The environment's Jupyter configuration from ``book/_lab`` (instructor tools off, convlearn's server extension
on) is given to every user below their own configuration, as ``pip install ./book/_lab`` installs it. Then the
documented Formgrader loop runs, with screenshots of each step:

1. Formgrader → Manage Assignments: *Generate* and *Release* ``a2_discrete1d``;
2. carol fetches it in her *Assignment List*, fills in the reference solution, submits; four more students
   submit with nbgrader's command line under their own student id: a blank notebook, a bug, a hang and the
   attack ``instructor_page_script`` (student output that, run in the Formgrader, sets its own grades);
3. *Collect*; *Autograde* each submission (sandboxed) from Manage Submissions;
4. Manual Grading → the attack's submission: the page renders (nbgrader's template, MathJax from this server),
   the attack's script did not run (no marker, grades unchanged), a manual score and a comment are saved;
5. *Generate Feedback*, *Release Feedback*; carol fetches hers in the Assignment List and opens it; the
   others fetch theirs; each page shows its student's own score and no script of the attack;
6. ``nbgrader export``: the grades are the gradebook's.

Every page opens without an error dialog and without a request leaving 127.0.0.1 (all are blocked and
counted: 0). Scores are checked against each variant's own statement of the cells it loses. The learner's
side is checked on a third server, at a repository root without ``CONVLEARN_EXCHANGE``: no Formgrader in the
*Nbgrader* menu, no *Create Assignment* panel, the *Assignment List* names the exchange directory and the
variable, *Validate* on a chapter says in a sentence that it checks assignments (no traceback).

Needs Debian's chromium, playwright and bubblewrap (skips without them, unless CONVLEARN_REQUIRE_BROWSER /
CONVLEARN_REQUIRE_SANDBOX). CONVLEARN_FORMGRADER_SHOTS=/some/folder keeps the screenshots.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from _site import REPO
from test_lab_browser import fresh_user_env, running_lab

sys.path.insert(0, str(REPO / "exercises" / "testing"))
import course  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.nbgrader, pytest.mark.slow]

A = "a2_discrete1d"
UI_STUDENT = "carol"
#: the other students: (student id, what they submit)
CLI_STUDENTS = {"bob": "blank", "dave": "buggy_no_flip", "erin": "hang_valid_loop", "mallory": "instructor_page_script"}
ATTACKER = "mallory"
MANUAL_SCORE = 1.0
COMMENT = "Your notebook displays a script: see me."
ENABLE_STEP = re.compile(r"^(jupyter labextension enable --level=user .+?)\s*(#.*)?$", re.MULTILINE)


def _enable_step() -> list[str]:
    """The instructor's one step, as exercises/README.md documents it."""
    found = ENABLE_STEP.findall((REPO / "exercises" / "README.md").read_text(encoding="utf-8"))
    assert len(found) == 1, f"exercises/README.md should give the instructor's step once, found {found}"
    return found[0][0].split()


def _user_env(home: Path, exchange: Path | None) -> dict[str, str]:
    """A new user's environment, with ``book/_lab``'s environment-wide Jupyter files (see below) and the exchange.

    ``pip install ./book/_lab`` puts them in ``{sys.prefix}/etc/jupyter``, below the user's own configuration.
    Here they go to the user's ``~/.local/etc/jupyter``, which Jupyter also reads below the user's
    ``JUPYTER_CONFIG_DIR``: the same order, without touching this Python environment.
    """
    env = fresh_user_env(home)
    cfg = home / ".local" / "etc" / "jupyter"
    lab = REPO / "book" / "_lab"
    for name in ("labconfig/page_config.json", "jupyter_server_config.d/convlearn.json", "nbgrader_config.py"):
        (cfg / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(lab / name, cfg / name)
    env.pop("CONVLEARN_EXCHANGE", None)
    if exchange is not None:
        env["CONVLEARN_EXCHANGE"] = str(exchange)
    return env


class Browser:
    """One browser context: blocks and counts requests leaving the server, records page errors, takes shots."""

    def __init__(self, chromium, base_url: str, shots: Path, prefix: str, width: int = 1280) -> None:
        self.base_url = base_url
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.shots, self.prefix, self.n = shots, prefix, 0
        self.context = chromium.new_context(viewport={"width": width, "height": 900}, service_workers="block")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base_url) or url.startswith(("data:", "blob:", "about:", "ws://127.0.0.1", "file://")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort("blockedbyclient")

    def shot(self, name: str) -> None:
        self.n += 1
        self.page.screenshot(path=str(self.shots / f"{self.prefix}-{self.n:02d}-{name}.png"), full_page=False)

    def close(self) -> None:
        self.context.close()


def _modal(b: Browser, name: str, timeout: float = 600_000) -> str:
    """Wait for the Formgrader's result dialog; screenshot it; fail on an error dialog; close it; return its text."""
    modal = b.page.locator(".modal.in, .modal.show").last
    modal.wait_for(state="visible", timeout=timeout)
    b.page.wait_for_timeout(400)
    title = modal.locator(".modal-title").inner_text()
    text = modal.inner_text()
    b.shot(name)
    assert title.strip() == "Success", f"{name}: the Formgrader says {title}:\n{text[:3000]}"
    modal.locator("button.close").first.click()
    modal.wait_for(state="hidden", timeout=30_000)
    b.page.wait_for_timeout(300)
    return text


def _nbgrader_menu(b: Browser, navigate: bool = True) -> list[str]:
    """Open JupyterLab (once it has loaded) and its Nbgrader menu; return the menu's entries (left open)."""
    if navigate:
        b.page.goto(b.base_url + "lab", wait_until="domcontentloaded")
    b.page.locator(".jp-DirListing-content").wait_for(timeout=120_000)
    b.page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click(timeout=60_000)
    # the student's entry is always there: once it is, the menu is complete
    b.page.locator(".lm-Menu-itemLabel:text-is('Assignment List')").wait_for(timeout=60_000)
    return b.page.locator(".lm-Menu-itemLabel").all_inner_texts()


def _row(page, cell: str, text: str):
    """The table row whose ``cell`` says exactly ``text``."""
    return page.locator("tbody tr").filter(has=page.locator(cell, has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")))


def _validate_button(page):
    """nbgrader's *Validate* in the current notebook's toolbar."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    return panel.locator(".jp-Toolbar-item:has-text('Validate') button, button:has-text('Validate')").first


def _no_error_page(b: Browser) -> None:
    assert b.page.locator("#error-500, #error-502, #error-403").count() == 0, b.page.inner_text("body")[:2000]


def _api(b: Browser, path: str):
    response = b.page.request.get(b.base_url + path)
    assert response.ok, (path, response.status, response.text()[:500])
    return response.json()


def _cli(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    """``nbgrader <args>`` in ``cwd`` with the environment ``env``, as its command line runs: in a child of this
    worker's preloaded nbgrader (``gradetask.run_nbgrader``), which runs nbgrader's ``main`` with that environment
    and those arguments, without importing nbgrader again for each command."""
    from convlearn.grading.grader.gradetask import run_nbgrader

    code, out, err = run_nbgrader(args, cwd, env=env)
    assert code == 0, f"nbgrader {' '.join(args)} failed:\n{out[-2000:]}\n{err[-3000:]}"


def _variant(name: str):
    if name == "blank":
        return "blank"
    return next(v for v in [*course.variants(A), *course.attacks(A)] if v.name == name)


def _feedback_score(html: str) -> tuple[float, float]:
    text = re.sub(r"<[^>]+>", " ", html)
    m = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
    assert m, "the feedback page shows no 'Score: x / y'"
    return float(m.group(1)), float(m.group(2))



@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("CONVLEARN_FORMGRADER_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("formgrader-shots")
    path.mkdir(parents=True, exist_ok=True)
    print(f"Formgrader screenshots: {path}")
    return path


def test_instructor_formgrader_loop(chromium, sandboxed, shots, tmp_path) -> None:
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    c = course.Course(tmp_path / "course")
    # the checks' limits as every other grading test has them (course.TIME_SCALE), set the way an instructor sets
    # them for the Formgrader: erin's hanging check then spins for 2.5 s, not 10
    with open(c.root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write(f"\nc.SandboxedGrade.time_scale = {course.TIME_SCALE}\n")
    instructor_env = _user_env(tmp_path / "instructor", exchange)
    command = _enable_step()
    step = subprocess.run([str(Path(sys.executable).with_name(command[0])), *command[1:]], env=instructor_env,
                          capture_output=True, text=True)
    assert step.returncode == 0, step.stderr
    carol_home = tmp_path / UI_STUDENT
    carol_env = _user_env(carol_home, exchange)
    (carol_home / ".jupyter" / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\nc.CourseDirectory.course_id = 'convlearn'\n"
        f"c.CourseDirectory.student_id = {UI_STUDENT!r}\n")
    carol_root = carol_home / "work"
    carol_root.mkdir()

    with running_lab(c.root, instructor_env, tmp_path / "instructor-lab.log") as base, \
            running_lab(carol_root, carol_env, tmp_path / "carol-lab.log") as carol_base:
        fg = Browser(chromium, base, shots, "instructor")
        st = Browser(chromium, carol_base, shots, "student")
        try:
            _instructor_loop(c, fg, st, carol_root, exchange, tmp_path)
        except Exception:
            fg.shot("failure")
            st.shot("failure")
            raise
        finally:
            fg.close()
            st.close()
        assert not fg.outside and not st.outside, f"requests left 127.0.0.1: {fg.outside + st.outside}"
        assert not fg.errors, f"errors in the instructor's pages: {fg.errors}"


def _instructor_loop(c, fg: Browser, st: Browser, carol_root: Path, exchange: Path, tmp_path: Path) -> None:
    page = fg.page
    # the instructor's Lab has the Formgrader in the Nbgrader menu (after the one step)
    labels = _nbgrader_menu(fg)
    assert "Formgrader" in labels, labels
    page.keyboard.press("Escape")

    # 1. generate and release
    page.goto(fg.base_url + "formgrader", wait_until="domcontentloaded")
    row = _row(page, "td.name", A)
    row.wait_for(timeout=180_000)
    fg.shot("manage-assignments")
    row.locator("td.assign a").click()
    _modal(fg, "generated")
    row.locator("td.release a").click()
    _modal(fg, "released")

    # 2. carol fetches and submits through her Assignment List
    sp = st.page
    labels = _nbgrader_menu(st)
    assert "Formgrader" not in labels, f"a student sees the Formgrader: {labels}"
    sp.locator(".lm-Menu-itemLabel:text-is('Assignment List')").click()
    released = sp.locator("#released_assignments_list")
    released.locator("button:text-is('Fetch')").click(timeout=60_000)
    fetched = sp.locator("#fetched_assignments_list")
    fetched.get_by_text(A).first.wait_for(timeout=60_000)
    st.shot("fetched")
    nb_path = carol_root / A / f"{A}.ipynb"
    nbformat.write(c.submission(A, "reference"), nb_path)  # carol's work, saved from her notebook
    # Validate on the assignment: nbgrader's own answer (here: it passes)
    sp.goto(st.base_url + f"lab/tree/{A}/{A}.ipynb", wait_until="domcontentloaded")
    sp.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=120_000)
    _validate_button(sp).click()
    dialog = sp.locator(".jp-Dialog")
    dialog.wait_for(timeout=300_000)
    sp.wait_for_timeout(500)
    st.shot("validated")
    message = dialog.inner_text()
    assert "passes all the tests" in message and "Traceback" not in message, message
    dialog.locator("button").last.click()
    _nbgrader_menu(st)
    sp.locator(".lm-Menu-itemLabel:text-is('Assignment List')").click()
    fetched = sp.locator("#fetched_assignments_list")
    fetched.get_by_text(A).first.wait_for(timeout=60_000)
    fetched.locator("button:text-is('Submit')").first.click()
    sp.locator("#submitted_assignments_list, #fetched_assignments_list").get_by_text(re.compile(r"\d{4}-\d\d-\d\d")) \
        .first.wait_for(timeout=60_000)
    st.shot("submitted")

    # the others, with nbgrader's command line under their own student ids
    for student, variant in CLI_STUDENTS.items():
        work = tmp_path / student / "work"
        work.mkdir(parents=True)
        env = {**course.environment(), "HOME": str(tmp_path / student)}
        env.pop("JUPYTER_CONFIG_DIR", None)
        common = [f"--Exchange.root={exchange}", "--CourseDirectory.course_id=convlearn", f"--student={student}"]
        _cli(["fetch_assignment", A, *common], work, env)
        nbformat.write(c.submission(A, _variant(variant)), work / A / f"{A}.ipynb")
        _cli(["submit", A, *common], work, env)

    # 3. collect, then autograde every submission
    page.goto(fg.base_url + "formgrader", wait_until="domcontentloaded")
    row.wait_for(timeout=60_000)
    row.locator("td.collect a").click()
    _modal(fg, "collected")
    row.locator("td.num-submissions a").click()
    students = [UI_STUDENT, *CLI_STUDENTS]
    for student in students:
        srow = _row(page, "td.student-id", student)
        srow.wait_for(timeout=60_000)
        srow.locator("td.autograde a").click()
        _modal(fg, f"autograded-{student}")
    page.reload()
    page.locator("td.student-id").first.wait_for(timeout=60_000)
    fg.shot("submissions-graded")
    expected = {UI_STUDENT: ("reference", ()), ATTACKER: ("attack", None), "bob": ("blank", None)}
    for student, variant in CLI_STUDENTS.items():
        if student not in expected:
            expected[student] = (variant, _variant(variant).loses)
    grades_before = {}
    for student in students:
        sub = _api(fg, f"formgrader/api/submission/{A}/{student}")
        notebooks = _api(fg, f"formgrader/api/submitted_notebooks/{A}/{A}")
        (nb_sub,) = [n for n in notebooks if n["student"] == student]
        grades = {g["name"]: g for g in _api(fg, f"formgrader/api/grades?submission_id={nb_sub['id']}")}
        grades_before[student] = (nb_sub["id"], grades)
        kind, loses = expected[student]
        for name, g in grades.items():
            if kind == "reference":
                assert g["auto_score"] == g["max_score"], (student, name, g)
            elif loses is None:  # blank, attack: nothing
                assert g["auto_score"] == 0, (student, name, g)
            elif name in loses:  # the variant's own statement of what its mistake costs
                assert g["auto_score"] < g["max_score"], (student, name, g)
        assert sub["score"] == sum(g["auto_score"] for g in grades.values())

    # 4. manual grading of the attacker's submission
    page.goto(fg.base_url + f"formgrader/gradebook/{A}/{A}", wait_until="domcontentloaded")
    page.locator("td.name a").first.wait_for(timeout=60_000)
    fg.shot("manual-grading-list")
    submission_id, grades = grades_before[ATTACKER]
    page.goto(fg.base_url + f"formgrader/submissions/{submission_id}/", wait_until="load")
    _no_error_page(fg)
    page.locator("#notebook-container .cell").first.wait_for(timeout=60_000)
    page.wait_for_function("() => !!document.querySelector('mjx-container')", timeout=60_000)
    page.wait_for_timeout(3000)  # time for any script of the submission to run
    fg.shot("submission-view")
    assert page.evaluate("() => window.convlearnPwned === undefined"), "the submission's script ran"
    assert page.locator("[data-convlearn-pwned]").count() == 0, "the submission's script ran"
    assert "not shown to graders" in page.inner_text("#notebook-container")
    page.get_by_text("not shown to graders").first.scroll_into_view_if_needed()
    fg.shot("submission-view-inert-output")
    after = {g["name"]: g for g in _api(fg, f"formgrader/api/grades?submission_id={submission_id}")}
    assert all(g["manual_score"] is None and g["extra_credit"] is None for g in after.values()), after
    score = page.locator("input.score#test_full")
    score.fill(str(MANUAL_SCORE))
    with page.expect_response(lambda r: "/formgrader/api/grade/" in r.url and r.request.method == "PUT"):
        score.press("Tab")
    comment = page.locator("textarea.comment").first
    comment.fill(COMMENT)
    with page.expect_response(lambda r: "/formgrader/api/comment/" in r.url and r.request.method == "PUT"):
        comment.press("Tab")
    page.wait_for_timeout(500)
    fg.shot("manual-score-saved")
    after = {g["name"]: g for g in _api(fg, f"formgrader/api/grades?submission_id={submission_id}")}
    assert after["test_full"]["manual_score"] == MANUAL_SCORE
    assert all(g["manual_score"] is None for name, g in after.items() if name != "test_full"), after
    comments = _api(fg, f"formgrader/api/comments?submission_id={submission_id}")
    assert [x["manual_comment"] for x in comments if x["manual_comment"]] == [COMMENT]

    # 5. feedback: generate, release; each student fetches their own
    page.goto(fg.base_url + "formgrader", wait_until="domcontentloaded")
    row.wait_for(timeout=60_000)
    row.locator("td.generate-feedback a").click()
    _modal(fg, "feedback-generated")
    row.locator("td.release-feedback a").click()
    log = _modal(fg, "feedback-released")
    assert log.count("Releasing feedback for student") == len(students), log

    totals = {s: _api(fg, f"formgrader/api/submission/{A}/{s}")["score"] for s in students}
    assert totals[ATTACKER] == MANUAL_SCORE
    _nbgrader_menu(st)
    sp.locator(".lm-Menu-itemLabel:text-is('Assignment List')").click()
    sp.locator("#submitted_assignments_list button:text-is('Fetch Feedback'), "
               "#fetched_assignments_list button:text-is('Fetch Feedback')").first.click(timeout=60_000)
    pages = {}
    sp.wait_for_timeout(1500)
    st.shot("feedback-fetched")
    (carol_page,) = (carol_root / A / "feedback").glob(f"*/{A}.html")
    pages[UI_STUDENT] = carol_page
    sp.goto(carol_page.as_uri(), wait_until="load")  # as a student opens the page: from disk
    sp.wait_for_function("() => !!document.querySelector('mjx-container')", timeout=60_000)
    st.shot("feedback-page")
    for student in CLI_STUDENTS:
        work = tmp_path / student / "work"
        env = {**course.environment(), "HOME": str(tmp_path / student)}
        _cli(["fetch_feedback", A, f"--Exchange.root={exchange}", "--CourseDirectory.course_id=convlearn",
              f"--student={student}"], work, env)
        (pages[student],) = (work / A / "feedback").glob(f"*/{A}.html")
    for student, path in pages.items():
        html = path.read_text(encoding="utf-8")
        got, top = _feedback_score(html)
        assert got == pytest.approx(totals[student]), (student, got, totals[student])
        assert top == 10.0
        assert "cdnjs" not in html
    from test_formgrader_steps import executable_student_code

    attacker_page = pages[ATTACKER].read_text(encoding="utf-8")
    assert not executable_student_code(attacker_page)
    assert COMMENT in attacker_page

    # 6. export
    _cli(["export"], c.root, {**course.environment(), "CONVLEARN_EXCHANGE": str(exchange)})
    with open(c.root / "grades.csv", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh) if r["assignment"] == A}
    assert {s: float(rows[s]["score"]) for s in students} == pytest.approx(totals)


def test_learner_sees_no_instructor_tools(chromium, shots, tmp_path) -> None:
    """At a repository root, with the environment's config and no CONVLEARN_EXCHANGE: a learner's Lab."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(REPO / "book" / "part1", root / "book" / "part1",
                    ignore=shutil.ignore_patterns("_build", "__pycache__", ".ipynb_checkpoints"))
    course.Course(root / "exercises")
    env = _user_env(tmp_path / "learner", None)
    with running_lab(root, env, tmp_path / "learner-lab.log") as base:
        b = Browser(chromium, base, shots, "learner")
        page = b.page
        try:
            page.goto(base + "lab/tree/book/part1/01-integral.md", wait_until="domcontentloaded")
            panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
            panel.wait_for(timeout=120_000)
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
            assert page.locator(".lm-TabBar-tab:has-text('Create Assignment')").count() == 0
            labels = _nbgrader_menu(b, navigate=False)
            b.shot("nbgrader-menu")
            assert "Formgrader" not in labels and "Assignment List" in labels, labels
            page.locator(".lm-Menu-itemLabel:text-is('Assignment List')").click()
            error = page.locator("#released_assignments_list_error, .list_error").first
            error.wait_for(timeout=60_000)
            text = page.locator(".nbgrader-assignment-list, #nbgrader-assignment-list").first.inner_text()
            b.shot("assignment-list-no-exchange")
            assert "CONVLEARN_EXCHANGE" in text and "/srv/nbgrader/exchange" in text, text
            assert "Traceback" not in text
            # Validate on a chapter: one sentence, no traceback
            page.locator(".lm-TabBar-tab:has-text('01-integral.md')").first.click()
            _validate_button(page).click()
            dialog = page.locator(".jp-Dialog")
            dialog.wait_for(timeout=60_000)
            page.wait_for_timeout(500)
            message = dialog.inner_text()
            b.shot("validate-on-a-chapter")
            assert "Validate checks nbgrader assignments" in " ".join(message.split()), message
            assert "Traceback" not in message
        finally:
            b.close()
        assert not b.outside, f"requests left 127.0.0.1: {b.outside}"


def test_instructor_step_is_documented_in_the_guide() -> None:
    guide = (REPO / "book" / "appendix" / "instructors.md").read_text(encoding="utf-8")
    assert " ".join(_enable_step()) in guide



def test_formgrader_without_sandbox_says_why_and_keeps_the_grades(chromium, sandboxed, shots, tmp_path) -> None:
    """Autograde in the Formgrader where bubblewrap is missing: a few short lines say why; nothing is deleted."""
    c = course.Course(tmp_path / "course")
    c.nbgrader("generate_assignment", A)
    c.submit("bob", A, c.submission(A, "blank"))
    (c.root / "submitted" / "bob" / A / "timestamp.txt").write_text("2026-12-06 01:00:00.000000 UTC")
    c.nbgrader("autograde", A)  # graded once, with the sandbox
    graded = c.root / "autograded" / "bob" / A / f"{A}.ipynb"
    before = graded.read_bytes()
    env = _user_env(tmp_path / "instructor", None)
    env["PATH"] = os.path.dirname(sys.executable)  # this Python only: no bwrap
    assert shutil.which("bwrap", path=env["PATH"]) is None
    with running_lab(c.root, env, tmp_path / "lab.log") as base:
        b = Browser(chromium, base, shots, "no-sandbox")
        page = b.page
        try:
            page.goto(base + f"formgrader/manage_submissions/{A}", wait_until="domcontentloaded")
            row = _row(page, "td.student-id", "bob")
            row.wait_for(timeout=180_000)
            row.locator("td.autograde a").click()
            modal = page.locator(".modal.in, .modal.show").last
            modal.wait_for(state="visible", timeout=300_000)
            page.wait_for_timeout(500)
            b.shot("autograde-refused")
            assert modal.locator(".modal-title").inner_text().strip() == "Error"
            log = modal.locator(".panel-warning pre")
            text = log.inner_text()
            assert "Why: bubblewrap is not installed" in text and "Nothing was graded, changed or deleted" in text, text
            assert "Traceback" not in text
            cut = log.evaluate("pre => pre.scrollWidth - pre.clientWidth")
            assert cut <= 1, f"the reason is cut off: the log box scrolls by {cut} px"
        finally:
            b.close()
    assert graded.read_bytes() == before
