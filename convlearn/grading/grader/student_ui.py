"""The student's nbgrader tools in JupyterLab, made to say what is wrong instead of showing a traceback.

- *Validate* sits in the toolbar of every notebook, book chapters included. nbgrader's handler answers a
  chapter (a MyST ``.md`` opened as a notebook) with a Python traceback; :class:`KindValidateHandler` answers
  anything that is not an nbgrader assignment notebook with one sentence saying what Validate is for.
- The *Assignment List* without an exchange directory shows nbgrader's fixed text, which names neither the
  directory nor how to choose it. :class:`ExchangeHintAssignmentList` names both: the directory nbgrader tried
  and the environment variable ``CONVLEARN_EXCHANGE`` the course reads it from (``exercises/nbgrader_config.py``).

Both are installed by the server extension :mod:`convlearn.grading.grader.server_extension`.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

from nbgrader.server_extensions.assignment_list.handlers import AssignmentList
from nbgrader.server_extensions.validate_assignment.handlers import ValidateAssignmentHandler

__all__ = ["KindValidateHandler", "ExchangeHintAssignmentList", "NOT_AN_ASSIGNMENT", "exchange_hint"]

ENV = "CONVLEARN_EXCHANGE"
NOT_AN_ASSIGNMENT = (
    "Validate checks nbgrader assignments, and this is not one ({name}). An assignment is a notebook you "
    "fetched from the Assignment List (menu Nbgrader), e.g. a2_discrete1d/a2_discrete1d.ipynb. To check a "
    "book chapter, run its cells: each exercise's test prints [PASS] or [FAIL].")


def _is_assignment(path: Path) -> bool:
    """A .ipynb notebook with at least one nbgrader cell."""
    if path.suffix != ".ipynb" or not path.is_file():
        return False
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    cells = nb.get("cells") if isinstance(nb, dict) else None
    return any(isinstance(c, dict) and "nbgrader" in c.get("metadata", {}) for c in cells or [])


class KindValidateHandler(ValidateAssignmentHandler):
    """nbgrader's Validate, answering a notebook that is not an assignment with a sentence (module docstring)."""

    def validate_notebook(self, path):
        root = Path(self.root_dir).resolve()
        target = (root / path).resolve()
        if target.is_relative_to(root) and not _is_assignment(target):
            # short lines: JupyterLab shows the answer in a box that does not wrap
            return {"success": False, "value": textwrap.fill(NOT_AN_ASSIGNMENT.format(name=target.name), 80)}
        return super().validate_notebook(path)


def exchange_hint(root: str) -> str:
    """What to tell a student whose exchange directory ``root`` cannot be used."""
    chosen = os.environ.get(ENV)
    if chosen:
        where = f"It is {ENV}={chosen}; the instructor's release_assignment creates it."
    else:
        where = (f"{ENV} is not set, so the course uses {root}. To try the course on one machine, start "
                 f"JupyterLab with {ENV} set, e.g. export {ENV}=/tmp/convlearn-exchange (see exercises/README.md).")
    return f"No exchange directory: {root} does not exist or cannot be written. {where}"


class ExchangeHintAssignmentList(AssignmentList):
    """nbgrader's Assignment List, naming the exchange directory and ``CONVLEARN_EXCHANGE`` when it is missing."""

    def _exchange_root(self) -> str:
        from nbgrader.exchange import ExchangeFactory

        cwd = os.getcwd()
        os.chdir(self.root_dir)
        try:
            config = self.load_config()
        finally:
            os.chdir(cwd)
        return str(ExchangeFactory(config=config).List(config=config).root)

    def _with_hint(self, result: dict) -> dict:
        if result.get("success"):
            return result
        root = self._exchange_root()
        if os.access(root, os.W_OK | os.X_OK):
            return result
        return {"success": False, "value": exchange_hint(root)}

    def list_released_assignments(self, course_id=None):
        return self._with_hint(super().list_released_assignments(course_id=course_id))

    def list_submitted_assignments(self, course_id=None):
        return self._with_hint(super().list_submitted_assignments(course_id=course_id))
