"""Grades from nbgrader's gradebook to a learning-management system, as CSV files.

Two exporters for ``nbgrader export --exporter=...`` (nbgrader's export-plugin mechanism):

- :class:`CanvasCsvExportPlugin` writes the layout of Canvas's gradebook import: a header row
  ``Student, ID, SIS User ID, SIS Login ID, Section`` followed by one column per assignment, a
  ``Points Possible`` row with each assignment's maximum, then one row per student. The nbgrader student id
  (the JupyterHub login) goes into ``SIS Login ID``; with ``--CanvasCsvExportPlugin.roster=<Canvas export>``
  (a CSV exported from the course's Canvas gradebook) the Canvas ``Student``/``ID``/``SIS User ID``/``Section``
  of each login and the ``name (id)`` headers of existing Canvas assignments are copied from it;
- :class:`GenericCsvExportPlugin` writes one row per student and assignment, quoted properly (nbgrader's
  own CSV exporter does not quote, so a name with a comma breaks its file).

A student who submitted nothing gets an empty cell in the Canvas file (an import leaves that grade alone),
and an empty ``score`` in the generic file with ``submitted`` false.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

__all__ = ["CANVAS_LEADING_COLUMNS", "CanvasCsvExportPlugin", "GenericCsvExportPlugin", "GENERIC_COLUMNS",
           "gradebook_scores"]

#: The leading columns of Canvas's gradebook CSV, in order; the assignment columns follow them.
CANVAS_LEADING_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The columns of the generic export.
GENERIC_COLUMNS = ("student_id", "last_name", "first_name", "email", "assignment", "duedate", "timestamp",
                   "submitted", "raw_score", "late_submission_penalty", "score", "max_score")


def _number(x: float) -> str:
    """A score as text: no trailing ``.0`` on whole numbers, at most 4 decimals otherwise."""
    x = round(float(x), 4)
    return str(int(x)) if x == int(x) else repr(x)


def gradebook_scores(gradebook: Gradebook, assignments: list[str] | None = None,
                     students: list[str] | None = None) -> Iterator[dict]:
    """One record per (assignment, student) of the gradebook, assignments and students in name order.

    Parameters
    ----------
    gradebook : nbgrader.api.Gradebook
        An open gradebook.
    assignments, students : list of str, optional
        Only these assignment names / student ids (default: all).

    Yields
    ------
    dict
        Keys :data:`GENERIC_COLUMNS`; ``score`` is ``raw_score`` minus the late penalty, ``None`` (and
        ``submitted`` False) when the student has no submission.
    """
    for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
        if assignments and assignment.name not in assignments:
            continue
        for student in sorted(gradebook.students, key=lambda s: s.id):
            if students and student.id not in students:
                continue
            rec = {"student_id": student.id, "last_name": student.last_name or "",
                   "first_name": student.first_name or "", "email": student.email or "",
                   "assignment": assignment.name, "duedate": assignment.duedate or "",
                   "max_score": float(assignment.max_score), "submitted": False, "timestamp": "",
                   "raw_score": None, "late_submission_penalty": None, "score": None}
            try:
                sub = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                yield rec
                continue
            penalty = float(sub.late_submission_penalty or 0.0)
            rec.update(submitted=True, timestamp=sub.timestamp or "", raw_score=float(sub.score),
                       late_submission_penalty=penalty, score=max(float(sub.score) - penalty, 0.0))
            yield rec


class _CsvExport(ExportPlugin):
    default_name = "grades.csv"

    def _destination(self) -> str:
        return self.to or self.default_name

    def _records(self, gradebook: Gradebook) -> list[dict]:
        return list(gradebook_scores(gradebook, [str(a) for a in self.assignment],
                                     [str(s) for s in self.student]))


class GenericCsvExportPlugin(_CsvExport):
    """One row per student and assignment (columns :data:`GENERIC_COLUMNS`), for any LMS or spreadsheet.

    ``nbgrader export --exporter=convlearn.grading.grader.export.GenericCsvExportPlugin --to grades.csv``
    """

    def export(self, gradebook: Gradebook) -> None:
        dest = self._destination()
        self.log.info("Exporting grades (generic CSV) to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=GENERIC_COLUMNS)
            writer.writeheader()
            for rec in self._records(gradebook):
                row = dict(rec)
                for key in ("raw_score", "late_submission_penalty", "score", "max_score"):
                    row[key] = "" if rec[key] is None else _number(rec[key])
                row["submitted"] = "true" if rec["submitted"] else "false"
                writer.writerow(row)


_CANVAS_ASSIGNMENT = re.compile(r"^(?P<name>.*\S)\s+\((?P<id>\d+)\)$")


def _read_roster(path: str) -> tuple[dict[str, dict], dict[str, str]]:
    """From a Canvas gradebook export: the leading columns per SIS Login ID, and ``name -> "name (id)"``."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    if not rows or tuple(rows[0][:len(CANVAS_LEADING_COLUMNS)]) != CANVAS_LEADING_COLUMNS:
        raise ValueError(f"roster {path!r}: expected a Canvas gradebook export whose header starts with "
                         f"{', '.join(CANVAS_LEADING_COLUMNS)}; got {rows[0][:5] if rows else 'an empty file'}")
    header = rows[0]
    headers = {}
    for col in header[len(CANVAS_LEADING_COLUMNS):]:
        m = _CANVAS_ASSIGNMENT.match(col)
        if m:
            headers[m.group("name")] = col
    people = {}
    login = CANVAS_LEADING_COLUMNS.index("SIS Login ID")
    for row in rows[1:]:
        if len(row) > login and row[login].strip():
            people[row[login].strip()] = dict(zip(CANVAS_LEADING_COLUMNS, row[:len(CANVAS_LEADING_COLUMNS)],
                                                  strict=True))
    return people, headers


class CanvasCsvExportPlugin(_CsvExport):
    """The gradebook in the layout of Canvas's gradebook CSV import.

    ``nbgrader export --exporter=convlearn.grading.grader.export.CanvasCsvExportPlugin --to canvas.csv``
    (optionally ``--CanvasCsvExportPlugin.roster=<a CSV exported from the Canvas gradebook>``).
    """

    default_name = "canvas_grades.csv"
    roster = Unicode("", help="A CSV exported from the course's Canvas gradebook: Student, ID, SIS User ID and "
                              "Section of every SIS Login ID, and the 'name (id)' headers of its assignments"
                     ).tag(config=True)
    section = Unicode("", help="Section written for students not found in the roster").tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        dest = self._destination()
        people, headers = _read_roster(self.roster) if self.roster else ({}, {})
        records = self._records(gradebook)
        names = sorted({r["assignment"] for r in records})
        maxima = {r["assignment"]: r["max_score"] for r in records}
        by_student: dict[str, dict] = {}
        for r in records:
            by_student.setdefault(r["student_id"], {"rec": r, "scores": {}})["scores"][r["assignment"]] = r["score"]
        missing = sorted(set(by_student) - set(people)) if people else []
        if missing:
            self.log.warning("not in the Canvas roster (Canvas will not match them): %s", ", ".join(missing))
        self.log.info("Exporting grades (Canvas gradebook CSV) to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([*CANVAS_LEADING_COLUMNS, *(headers.get(n, n) for n in names)])
            writer.writerow(["Points Possible", "", "", "", "", *(_number(maxima[n]) for n in names)])
            for sid in sorted(by_student):
                rec, scores = by_student[sid]["rec"], by_student[sid]["scores"]
                person = people.get(sid)
                if person is None:
                    full = ", ".join(p for p in (rec["last_name"], rec["first_name"]) if p) or sid
                    person = {"Student": full, "ID": "", "SIS User ID": "", "SIS Login ID": sid,
                              "Section": self.section}
                writer.writerow([*(person[c] for c in CANVAS_LEADING_COLUMNS),
                                 *("" if scores.get(n) is None else _number(scores[n]) for n in names)])
