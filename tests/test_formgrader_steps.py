"""The course's nbgrader steps, at the command line: what the Formgrader runs, without a browser.

On a throw-away copy of the course, ``a2_discrete1d`` is graded for an honest class (the reference solution, a
blank notebook), one tampered notebook and the attack that displays HTML/JavaScript meant for the instructor's
page (``exercises/testing/attacks/a2_discrete1d/instructor_page_script.py``). Checked:

- the Formgrader's submission view renders with the course's configuration (it failed with
  ``TemplateNotFound`` when the feedback template options were set on every ``HTMLExporter``), with nbgrader's
  ``formgrade`` template, MathJax from this server and no CDN;
- the feedback is the course's offline page; nothing a student displayed can run in it or in the Formgrader's
  view (no ``text/html``, JavaScript or SVG output in the graded notebook, no script of the attack in the HTML);
- honest submissions log no "checksum has changed" (nbgrader's tampering warning), no SQLAlchemy warning, no
  ``display_data_priority`` warning; the tampered notebook still gets its warning;
- a failing feedback run or re-grade keeps the previous result (files and gradebook), and says so;
- with no bubblewrap on PATH, autograde refuses in a few short lines (no traceback), deleting nothing;
- ``release_feedback`` with nothing to release fails and says what to do.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "exercises" / "testing"))
import course  # noqa: E402

from convlearn.grading.grader.inert import DROPPED_NOTE  # noqa: E402

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]
A = "a2_discrete1d"
ATTACK = "instructor_page_script"
STUDENTS = ("alice", "bob", "mallory", "trudy")  # reference, blank, the page-script attack, tampered
RICH = ("text/html", "application/javascript", "image/svg+xml", "text/markdown",
        "application/vnd.jupyter.widget-view+json")


# session-scoped: a module-scoped fixture is set up again whenever a worker runs another module's test in between,
# and the suite's order (tests/conftest.py) puts a unit test after each of these; graded once per worker instead
@pytest.fixture(scope="session")
def graded(tmp_path_factory, sandboxed):
    """A course with a2 graded for the four students, feedback made: (course, autograde log)."""
    tmp = tmp_path_factory.mktemp("steps")
    c = course.Course(tmp / "course", timeout=course.CELL_TIMEOUT)
    c.nbgrader("generate_assignment", A, "--force")
    attack = next(v for v in course.attacks(A) if v.name == ATTACK)
    for student, variant in zip(STUDENTS, ("reference", "blank", attack, "tampered"), strict=True):
        c.submit(student, A, c.submission(A, variant))
        # what nbgrader's submit and collect leave beside the notebook (release_feedback reads them)
        (c.root / "submitted" / student / A / "timestamp.txt").write_text("2026-12-06 01:00:00.000000 UTC")
        (c.root / "submitted" / student / A / "submission_secret.txt").write_text(f"secret-of-{student}")
    log = c.nbgrader("autograde", A).stderr
    feedback_log = c.nbgrader("generate_feedback", A).stderr
    return c, log + feedback_log


def _per_student(log: str) -> dict[str, str]:
    """The autograde log cut into one piece per student (each starts at 'Sanitizing …/submitted/<student>/')."""
    pieces = re.split(r"(?=\[AutogradeApp \| INFO\] Sanitizing )", log)
    out = {}
    for piece in pieces:
        m = re.search(r"submitted/(\w+)/", piece)
        if m:
            out[m.group(1)] = piece
    return out


def _digest(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def test_scores(graded) -> None:
    c, _ = graded
    full = {gid: top for gid, (_, top) in c.scores(A, "alice").items()}
    assert {gid: s for gid, (s, _) in c.scores(A, "alice").items()} == full
    for student in ("bob", "mallory"):
        assert all(s == 0 for s, _ in c.scores(A, student).values()), (student, c.scores(A, student))


def test_honest_submissions_log_no_tampering(graded) -> None:
    _, log = graded
    pieces = _per_student(log)
    assert set(pieces) == set(STUDENTS), sorted(pieces)
    for student in ("alice", "bob", "mallory"):
        assert "has changed!" not in pieces[student], (student, pieces[student])
    assert "Attribute 'checksum'" in pieces["trudy"], "a really tampered test cell must still be reported"
    assert "SAWarning" not in log
    assert "display_data_priority" not in log


def test_graded_notebook_and_feedback_are_inert(graded) -> None:
    c, _ = graded
    nb = nbformat.read(c.root / "autograded" / "mallory" / A / f"{A}.ipynb", 4)
    kinds = {mime for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
             for mime in out.get("data", {})}
    assert not kinds & set(RICH), kinds
    outputs = json.dumps([cell.outputs for cell in nb.cells if cell.cell_type == "code"])
    assert "convlearnPwned" not in outputs and "formgrader/api/grade" not in outputs
    assert DROPPED_NOTE.split("(")[0] in outputs, "the dropped outputs are not mentioned"
    pages = {s: (c.root / "feedback" / s / A / f"{A}.html").read_text(encoding="utf-8") for s in ("alice", "mallory")}
    assert not executable_student_code(pages["mallory"])
    # the attack's page holds exactly the template's scripts (those of an honest student's page)
    assert pages["mallory"].count("<script") == pages["alice"].count("<script")
    assert "cdnjs" not in pages["mallory"], "the feedback loads MathJax from a CDN"


def executable_student_code(page: str) -> list[str]:
    """The places in an HTML page where the attack's code could run: scripts, event handlers, svg/iframe/object."""
    from bs4 import BeautifulSoup

    found = []
    for element in BeautifulSoup(page, "html.parser").find_all(True):
        if element.name == "script" and "convlearnPwned" in element.get_text():
            found.append(str(element)[:200])
        if element.name in ("iframe", "object", "embed") or (element.name == "svg" and element.find("script")):
            found.append(str(element)[:200])
        found += [f"{element.name} {name}={value!r}"[:200] for name, value in element.attrs.items()
                  if name.lower().startswith("on") and "convlearnPwned" in str(value)]
    return found


def _formgrader_config(root: Path):
    """The configuration nbgrader's Formgrader builds: its own HTMLExporter options, then the course's files."""
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config())
    return config


def test_submission_view_renders(graded, monkeypatch) -> None:
    """Manual Grading → a submission: nbgrader's exporter with the course's config, and convlearn's, both render."""
    from nbconvert.exporters import HTMLExporter

    from convlearn.grading.grader.formgrader import FormgradeExporter

    c, _ = graded
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    config = _formgrader_config(c.root)
    path = c.root / "autograded" / "mallory" / A / f"{A}.ipynb"
    resources = {"assignment_id": A, "notebook_id": A, "submission_id": "x", "index": 0, "total": 4,
                 "base_url": "/base/", "student": "mallory", "last_name": None, "first_name": None,
                 "notebook_path": f"autograded/mallory/{A}/{A}.ipynb"}
    stock, _ = HTMLExporter(config=config).from_filename(str(path), resources=dict(resources))
    assert "formgrade" in stock and "Submission 1 / 4" in stock
    html, _ = FormgradeExporter(config=config).from_filename(str(path), resources=dict(resources))
    assert "Submission 1 / 4" in html
    assert "cdnjs" not in html and "/base/convlearn/mathjax/tex-chtml.js" in html
    assert not executable_student_code(html)


def test_failed_feedback_run_keeps_the_previous_feedback(graded) -> None:
    c, _ = graded
    before = _digest(c.root / "feedback")
    # a template that cannot be found (the review's failure in the Formgrader): every student's run fails after
    # nbgrader has removed the previous feedback (the Formgrader always forces)
    proc = c.nbgrader("generate_feedback", A, "--force", "--FeedbackExporter.template_file=missing.html.j2",
                      check=False)
    assert proc.returncode != 0
    assert _digest(c.root / "feedback") == before
    assert "the previous feedback is kept" in proc.stderr


def test_failed_regrade_keeps_the_previous_result(graded) -> None:
    c, _ = graded
    before = _digest(c.root / "autograded" / "alice")
    scores = c.scores(A, "alice")
    # an autograde step that cannot be loaded: the run fails after nbgrader has removed the previous result
    proc = c.nbgrader("autograde", A, "--force", "--student=alice",
                      "--Autograde.autograde_preprocessors=convlearn.grading.no_such_module.Step", check=False)
    assert proc.returncode != 0
    assert _digest(c.root / "autograded" / "alice") == before
    assert c.scores(A, "alice") == scores
    assert "the previous graded notebook is kept" in proc.stderr


def test_no_bubblewrap_refuses_in_short_lines(graded, tmp_path) -> None:
    c, _ = graded
    before = _digest(c.root / "autograded")
    # PATH with this Python only (nbgrader needs its alembic): no bwrap
    env = {"PATH": os.path.dirname(sys.executable)}
    assert shutil.which("bwrap", path=env["PATH"]) is None
    proc = c.nbgrader("autograde", A, "--force", check=False, env=env)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out[-3000:]
    errors = [line for line in out.splitlines() if "| ERROR]" in line]
    assert any("Why: bubblewrap is not installed" in line for line in errors), errors
    assert any("Autograde refused: no sandbox can be made on this machine." in line for line in errors), errors
    assert any("Nothing was graded, changed or deleted" in line for line in errors), errors
    widest = max(len(line.split("] ", 1)[1]) for line in errors)
    assert widest <= 70, f"a refusal line is {widest} characters: the Formgrader's log box cuts it"
    assert _digest(c.root / "autograded") == before


def test_release_feedback_with_nothing_to_release_fails(graded, tmp_path) -> None:
    c, _ = graded
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    proc = c.nbgrader("release_feedback", "a1_integral", check=False, env={"CONVLEARN_EXCHANGE": str(exchange)})
    assert proc.returncode != 0
    assert "No feedback to release" in proc.stderr and "Generate the feedback first" in proc.stderr
    proc = c.nbgrader("release_feedback", A, env={"CONVLEARN_EXCHANGE": str(exchange)})
    assert len(list((exchange / "convlearn" / "feedback").glob("*.html"))) == len(STUDENTS)
