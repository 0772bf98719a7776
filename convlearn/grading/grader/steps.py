"""nbgrader's autograde, feedback and release-feedback steps made to fail safely (the course's config uses them).

nbgrader 0.9.6, left alone, loses work when a step fails and sometimes reports success for nothing:

- ``autograde --force`` and ``generate_feedback --force`` (the Formgrader always forces) delete a student's
  previous result before the new run, and delete whatever the run made when it fails: a failed re-grade
  leaves the student "needs autograding", a failed feedback run deletes the feedback made before;
- a refusal to grade (no sandbox) surfaces as a long traceback, its reason cut off in the Formgrader;
- ``release_feedback`` with no feedback to release says it succeeded, and students fetch nothing.

The fixes plug into nbgrader's configurable classes only (``nbgrader_config.py`` names them):

- :class:`AutogradeExporter` (``Autograde.exporter_class``) refuses to start without a sandbox, with a short
  reason in the log and before anything is deleted, and keeps each student's previous graded notebook when
  the new run fails (:func:`keep_previous`);
- :class:`FeedbackExporter` (``GenerateFeedback.exporter_class``) keeps the previous feedback when a new run
  fails, makes student output inert (:mod:`convlearn.grading.grader.inert`) and has template options of its own, so
  the course's feedback template never reaches the Formgrader's own pages;
- :class:`ReleaseFeedbackOrFail` (``ExchangeFactory.release_feedback``) fails, saying what to do, when there
  is no feedback to release.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import textwrap

from nbconvert.exporters import HTMLExporter, NotebookExporter
from nbgrader.converters.base import NbGraderException
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback

from . import sandbox
from .inert import InertOutputs

__all__ = ["AutogradeExporter", "FeedbackExporter", "ReleaseFeedbackOrFail", "keep_previous", "sandbox_refusal"]

#: width of the lines a refusal logs: with nbgrader's "[ERROR] " in front, the Formgrader's log box shows them
#: whole (it does not wrap; checked by tests/test_formgrader_browser.py)
LINE = 68


def keep_previous(converter, result: str) -> None:
    """Make one nbgrader ``converter`` put a student's previous ``result`` back when the new run fails.

    nbgrader removes the destination (``autograded/<student>/<assignment>``, ``feedback/...``) before a forced
    run and again when the run fails. This copies it aside first and, after the run, puts it back for every
    student whose run did not finish (nbgrader calls ``run_post_convert_hook`` only after a student's run
    succeeded), with a warning that says so. Only this converter object is changed.
    """
    saved: dict[str, str] = {}
    finished: set[str] = set()
    current = {"dest": None, "student": None}
    init_destination = converter.init_destination
    post_convert_hook = converter.run_post_convert_hook
    convert_notebooks = converter.convert_notebooks

    def init_destination_keeping(assignment_id, student_id):
        dest = os.path.normpath(converter._format_dest(assignment_id, student_id))
        current.update(dest=dest, student=student_id)
        if os.path.isdir(dest) and dest not in saved:
            backup = tempfile.mkdtemp(prefix="convlearn-previous-")
            shutil.copytree(dest, os.path.join(backup, "kept"), symlinks=True)
            saved[dest] = backup
        process = init_destination(assignment_id, student_id)
        if not process:
            finished.add(dest)  # skipped: left as it was
        return process

    def post_convert_hook_marking():
        post_convert_hook()
        finished.add(current["dest"])

    def convert_notebooks_keeping():
        try:
            convert_notebooks()
        finally:
            for dest, backup in saved.items():
                if dest not in finished:
                    if os.path.lexists(dest):
                        shutil.rmtree(dest)
                    shutil.copytree(os.path.join(backup, "kept"), dest, symlinks=True)
                    converter.log.warning("This run failed for %s: the previous %s is kept.", dest, result)
                shutil.rmtree(backup, ignore_errors=True)
            saved.clear()

    converter.init_destination = init_destination_keeping
    converter.run_post_convert_hook = post_convert_hook_marking
    converter.convert_notebooks = convert_notebooks_keeping


def sandbox_refusal(allow_unsandboxed: bool) -> list[str] | None:
    """The short lines that say why grading cannot start here, or None when it can (see :mod:`.sandbox`)."""
    ok, why = sandbox.available()
    if ok or allow_unsandboxed:
        return None
    return [
        "Autograde refused: no sandbox can be made on this machine.",
        *textwrap.wrap(f"Why: {why}", LINE, subsequent_indent="  "),
        "Nothing was graded, changed or deleted.",
        *textwrap.wrap("What to do: install bubblewrap, check with "
                       "`python -m convlearn.grading.grader.sandbox --check`; "
                       "see 'What an instructor must install' in the instructors' guide.", LINE,
                       subsequent_indent="  "),
    ]


def _is_converter(obj) -> bool:
    return hasattr(obj, "convert_notebooks") and hasattr(obj, "init_destination")


class AutogradeExporter(NotebookExporter):
    """``Autograde.exporter_class``: refuse early without a sandbox; keep the previous graded notebook on failure."""

    def __init__(self, config=None, **kw):
        super().__init__(config=config, **kw)
        if not _is_converter(self.parent):
            return
        allowed = bool(self.config.get("SandboxedGrade", {}).get("allow_unsandboxed", False))
        lines = sandbox_refusal(allowed)
        if lines:
            for line in lines:
                self.parent.log.error(line)
            raise NbGraderException(lines[0])
        keep_previous(self.parent, "graded notebook")


class FeedbackExporter(HTMLExporter):
    """``GenerateFeedback.exporter_class``: the feedback page, with inert student output, kept when a run fails.

    Its template options are set as ``FeedbackExporter.*`` in the course's ``nbgrader_config.py``: they apply to
    the feedback only (they win over the ``HTMLExporter.*`` settings the Formgrader makes for its own pages).
    """

    def __init__(self, config=None, **kw):
        super().__init__(config=config, **kw)
        self.register_preprocessor(InertOutputs(parent=self), enabled=True)
        if _is_converter(self.parent):
            keep_previous(self.parent, "feedback")

    @property
    def default_config(self):
        """HTMLExporter's defaults, with its output priority given to the filters that read it.

        HTMLExporter sets ``display_data_priority`` on ``NbConvertBase``, the base of every preprocessor too, and
        nbgrader's preprocessors (``ClearHiddenTests``, ...) then warn on every run that they do not know it.
        """
        config = super().default_config.copy()
        priority = config.NbConvertBase.pop("display_data_priority", None)
        if priority is not None:
            config.WidgetsDataTypeFilter.display_data_priority = priority
            config.DataTypeFilter.display_data_priority = priority
        return config


class ReleaseFeedbackOrFail(ExchangeReleaseFeedback):
    """``ExchangeFactory.release_feedback``: fail, saying what to do, when there is no feedback to release."""

    def copy_files(self):
        if not glob.glob(os.path.join(self.src_path, "*.html")):
            who = "any student" if self.coursedir.student_id in ("", "*") else f"student '{self.coursedir.student_id}'"
            self.fail(
                f"No feedback to release for {who} on '{self.coursedir.assignment_id}': there is no "
                f"feedback/<student>/{self.coursedir.assignment_id}/*.html yet. Generate the feedback first "
                "(Formgrader: Generate Feedback; or nbgrader generate_feedback), then release it.")
        super().copy_files()
