"""A new gradebook is stamped with nbgrader's schema revision read in process
(``nbgrader_plugin.stamp_gradebooks_in_process``), the same revision nbgrader's ``alembic heads`` command prints."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

nbgrader_api = pytest.importorskip("nbgrader.api")
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def _alembic_heads() -> str:
    """The head revision as nbgrader learns it without the plugin: the ``alembic heads`` command."""
    from nbgrader.dbutil import _temp_alembic_ini

    with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
        out = subprocess.run(["alembic", "-c", ini, "heads"], capture_output=True, text=True, check=True).stdout
    return out.split()[0]


def test_the_revision_read_in_process_is_the_commands():
    from convlearn.grading.grader.nbgrader_plugin import stamp_gradebooks_in_process

    stamp_gradebooks_in_process()
    stamp_gradebooks_in_process()  # once per process: a second call changes nothing
    assert nbgrader_api.get_alembic_version._convlearn
    assert nbgrader_api.get_alembic_version() == _alembic_heads()


def test_a_new_gradebook_starts_no_process(monkeypatch, tmp_path):
    from convlearn.grading.grader.nbgrader_plugin import stamp_gradebooks_in_process

    stamp_gradebooks_in_process()

    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(nbgrader_api.sp, "check_output", no_process)
    db = tmp_path / "gradebook.db"
    with nbgrader_api.Gradebook(f"sqlite:///{db}", "convlearn") as gb:
        gb.update_or_create_assignment("a1")
    with sqlite3.connect(db) as con:
        (stamped,) = con.execute("SELECT version_num FROM alembic_version").fetchall()
    assert stamped == (_alembic_heads(),)
