"""The course's local try-out in exercises/README.md works as written.

The ``bash`` block of the section "Trying the course locally" is run as a script, on a copy of the
repository's ``exercises/`` in a temporary folder, with ``TMPDIR`` pointing
into it (so the exchange is created there) and ``jupyter lab`` left out (the browser test starts Lab).
The result must be what the comments promise: a released, fetched, submitted, collected, autograded
assignment with a feedback page. The environment's ``nbgrader_config.py`` (``book/_lab/``, installed into
``{sys.prefix}/etc/jupyter/``) must make the same course visible from the repository root.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "exercises" / "testing"))
import course  # noqa: E402

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

SECTION = "## Trying the course locally"


def tryout_script() -> str:
    """The bash block of the README's try-out section."""
    text = (REPO / "exercises" / "README.md").read_text(encoding="utf-8")
    assert SECTION in text, f"exercises/README.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, "the try-out section should hold exactly one bash block"
    return blocks[0]


def test_readme_tryout_commands(tmp_path) -> None:
    script = tryout_script()
    lines = [line for line in script.splitlines() if line.strip()]
    assert lines[0].startswith("export CONVLEARN_EXCHANGE="), "the try-out starts by choosing the exchange"
    assert any(line.startswith("jupyter lab") for line in lines)
    runnable = "\n".join("true  # " + line if line.startswith("jupyter lab") else line for line in lines)

    root = tmp_path / "repo"
    root.mkdir()
    course.Course(root / "exercises")  # a clean copy of the course (no generated files)
    env = course.environment()
    env["TMPDIR"] = str(tmp_path)
    env.pop("CONVLEARN_EXCHANGE", None)
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", runnable], cwd=root, env=env, capture_output=True,
                          text=True, timeout=1200)
    assert proc.returncode == 0, (
        f"the try-out failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")

    exchange = tmp_path / "convlearn-exchange"
    exercises = root / "exercises"
    assert (exchange / "convlearn" / "outbound" / "a1_integral" / "a1_integral.ipynb").is_file()
    assert (exercises / "a1_integral" / "a1_integral.ipynb").is_file(), "fetch_assignment put nothing in exercises/"
    submitted = list((exercises / "submitted").glob("*/a1_integral/a1_integral.ipynb"))
    assert len(submitted) == 1, submitted
    student = submitted[0].parts[-3]
    assert (exercises / "autograded" / student / "a1_integral" / "a1_integral.ipynb").is_file()
    assert (exercises / "feedback" / student / "a1_integral" / "a1_integral.html").is_file()
    with sqlite3.connect(exercises / "gradebook.db") as db:
        rows = db.execute(
            "SELECT s.student_id, a.name FROM submitted_assignment s JOIN assignment a ON s.assignment_id = a.id"
        ).fetchall()
    assert rows == [(student, "a1_integral")]
    # the student files the try-out writes next to the README are ignored by git
    ignored = subprocess.run(["git", "check-ignore", "-q", "exercises/a1_integral/a1_integral.ipynb"], cwd=REPO)
    assert ignored.returncode == 0, "exercises/a1_integral/ (fetched by the try-out) is not ignored by git"


def test_root_config_is_the_course(tmp_path) -> None:
    """nbgrader started at the repository root (as JupyterLab's extensions are) sees exercises/ as the course.

    The repository root has no ``nbgrader_config.py``; the environment's (``book/_lab/nbgrader_config.py``,
    installed by ``pip install -r requirements.txt``) loads ``exercises/nbgrader_config.py`` and roots the
    course there.
    """
    code = (
        "from nbgrader.apps import NbGrader\n"
        "from nbgrader.coursedir import CourseDirectory\n"
        "app = NbGrader(); app.load_config_file()\n"
        "c = CourseDirectory(config=app.config)\n"
        "print(c.course_id); print(c.root); print(app.config.Exchange.root)\n"
    )
    env = dict(os.environ, CONVLEARN_EXCHANGE=str(tmp_path / "exchange"))
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    course_id, root, exchange = proc.stdout.split()
    assert course_id == "convlearn"
    assert Path(root) == REPO / "exercises"
    assert exchange == str(tmp_path / "exchange")
