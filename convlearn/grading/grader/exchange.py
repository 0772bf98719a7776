"""A safer nbgrader exchange for a class on one shared machine (JupyterHub with real Unix accounts).

nbgrader's default exchange wants its root writable by everybody (jupyter/nbgrader#1225), lets any student write
into the shared ``inbound`` directory and accepts ``nbgrader submit --student someone-else``: collect only warns
when a submission's owner differs from the student it names (#978), and it follows symbolic links, so a
"submission" that is a link into the instructor's files is copied into the course. This module keeps nbgrader's
file formats and commands, and changes who may write where:

==============================  ==========================  ========  ==========================================
path (under ``root/<course>``)  owner:group                 mode      what it protects
==============================  ==========================  ========  ==========================================
``root`` (the exchange)         root:root                   0755      nobody but root creates or renames courses
``<course>``                    course:course               0755      the course's layout
``outbound/``                   course:course               0755      releases: readable, never writable by students
``inbound/``                    course:course               0711      no student can list or create entries here
``inbound/<student>/``          student:course              2750      only this student writes; only the course reads
``feedback/``                   course:course               0711      not listable; names are HMACs of a secret
==============================  ==========================  ========  ==========================================

``course`` is the Unix account that owns the course directory and runs the Formgrader (a JupyterHub service);
``root`` makes the layout once per roster (:func:`prepare`, ``python -m convlearn.grading.grader.exchange``). The
classes below, configured through ``c.ExchangeFactory`` (see :func:`configure`), use it:

- :class:`SecureSubmit` writes to ``inbound/<your login>/`` only and refuses ``--student`` naming someone else;
- :class:`SecureCollect` takes a submission only if it lies in ``inbound/<s>/``, is named ``<s>+...``, and
  both the directory and the submission are owned by the Unix user ``s``; it copies without following links
  and refuses a submission that holds anything but plain files and directories, or more than
  ``max_files`` files or ``CourseDirectory.max_dir_size`` kB;
- the other steps only stop asking for a world-writable root.

Feedback stays in nbgrader's flat ``feedback/`` directory: each file is named by an HMAC of a random secret that
``nbgrader submit`` writes into the submission and into the student's private cache. With ``inbound/<s>/``
readable by ``s`` and the course only, no other student can learn the secret, so none can name (or list) the
file. What permissions cannot stop: a student filling their *own* inbound directory (and the disk under it) —
collect refuses such a submission, and a per-user disk quota on the exchange's file system bounds the disk.
"""

from __future__ import annotations

import argparse
import base64
import glob
import grp
import os
import pwd
import shutil
import stat
import sys
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default import (
    ExchangeCollect,
    ExchangeFetchAssignment,
    ExchangeFetchFeedback,
    ExchangeList,
    ExchangeReleaseAssignment,
    ExchangeSubmit,
)
from nbgrader.utils import get_username, parse_utc
from traitlets import Int

from .steps import ReleaseFeedbackOrFail

__all__ = ["SecureCollect", "SecureSubmit", "configure", "prepare", "student_inbound", "submission_refusal", "main"]

_MODULE = __name__
#: Default of :attr:`SecureCollect.max_files`: a submission is one or a few notebooks.
MAX_FILES = 100


def student_inbound(root: str, course_id: str, student: str) -> str:
    """The inbound directory of one student: ``root/<course>/inbound/<student>``."""
    return os.path.join(root, course_id, "inbound", student)


class _RootNeedNotBeWritable:
    """The exchange root must exist; unlike nbgrader's default it must not be writable by everybody."""

    def ensure_root(self):
        if not os.path.isdir(self.root):
            self.fail(f"The exchange directory {self.root} does not exist: ask your instructor.")
        mode = os.stat(self.root).st_mode
        if mode & (stat.S_IWGRP | stat.S_IWOTH):
            self.log.warning("The exchange directory %s is writable by others (mode %o): any user can rename "
                             "a course there", self.root, mode & 0o7777)


class SecureReleaseAssignment(_RootNeedNotBeWritable, ExchangeReleaseAssignment):
    """``release_assignment`` into an exchange laid out by :func:`prepare` (never chmods the root)."""

    def init_dest(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.outbound_path = os.path.join(self.course_path, "outbound")
        self.inbound_path = os.path.join(self.course_path, "inbound")
        self.dest_path = os.path.join(self.outbound_path, self.coursedir.assignment_id)
        for path in (self.course_path, self.outbound_path, self.inbound_path):
            if not os.path.isdir(path) or os.stat(path).st_uid != os.geteuid():
                self.fail(f"{path} is missing or not yours: lay out the exchange first (as root: python -m "
                          f"{_MODULE} --root {self.root} --course {self.coursedir.course_id} ...)")


class SecureFetchAssignment(_RootNeedNotBeWritable, ExchangeFetchAssignment):
    """``fetch_assignment`` from an exchange whose root is not world-writable."""


class SecureFetchFeedback(_RootNeedNotBeWritable, ExchangeFetchFeedback):
    """``fetch_feedback`` from an exchange whose root is not world-writable."""


class SecureReleaseFeedback(_RootNeedNotBeWritable, ReleaseFeedbackOrFail):
    """``release_feedback`` into an exchange whose root is not world-writable (failing when there is nothing to
    release, as :class:`convlearn.grading.grader.steps.ReleaseFeedbackOrFail`)."""


class SecureList(_RootNeedNotBeWritable, ExchangeList):
    """``list``; ``--inbound`` (the instructor's view) looks into every student's inbound directory."""

    def init_dest(self):
        super().init_dest()
        if self.inbound:
            course_id = self.coursedir.course_id or "*"
            assignment_id = self.coursedir.assignment_id or "*"
            student_id = self.coursedir.student_id or "*"
            found = sorted(glob.glob(os.path.join(
                self.root, course_id, "inbound", student_id, f"{student_id}+{assignment_id}+*")))
            # only what collect would take: listing reads the notebooks, which must not be links or pipes
            max_bytes = 1000 * self.coursedir.max_dir_size
            self.assignments = [p for p in found if submission_refusal(p, MAX_FILES, max_bytes) is None]

    def parse_assignment(self, assignment):
        if self.inbound:  # inbound/<student>/<student>+<assignment>+<timestamp>+<random>
            parent = os.path.dirname(assignment)
            assignment = os.path.join(os.path.dirname(parent), os.path.basename(assignment))
        return super().parse_assignment(assignment)


class SecureSubmit(_RootNeedNotBeWritable, ExchangeSubmit):
    """``submit`` into ``inbound/<login>/``; submitting under another student's id is refused."""

    def init_dest(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        if not self.authenticator.has_access(self.coursedir.student_id, self.coursedir.course_id):
            self.fail("You do not have access to this course.")
        login = get_username()
        if self.coursedir.student_id not in ("*", "", login):
            self.fail(f"You are {login}: you cannot submit as {self.coursedir.student_id}.")
        self.inbound_path = student_inbound(self.root, self.coursedir.course_id, login)
        if not os.path.isdir(self.inbound_path) or os.stat(self.inbound_path).st_uid != os.geteuid():
            self.fail(f"You have no inbound directory ({self.inbound_path}): ask your instructor to add you to "
                      "the course.")
        self.cache_path = os.path.join(self.cache, self.coursedir.course_id)
        self.coursedir.student_id = login
        random_str = base64.urlsafe_b64encode(os.urandom(9)).decode("ascii")
        self.assignment_filename = f"{login}+{self.coursedir.assignment_id}+{self.timestamp}+{random_str}"


def _tree_problem(path: str, max_files: int, max_bytes: int) -> str | None:
    """Why the tree at ``path`` may not be taken (links, special files, too many or too large), or None."""
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if stat.S_ISLNK(st.st_mode):
                return f"it holds a symbolic link ({os.path.relpath(os.path.join(dirpath, name), path)})"
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                return f"it holds a special file ({os.path.relpath(os.path.join(dirpath, name), path)})"
            if stat.S_ISREG(st.st_mode):
                files += 1
                size += st.st_size
    if files > max_files:
        return f"it holds {files} files (at most {max_files})"
    if size > max_bytes:
        return f"it holds {size} bytes (at most {max_bytes})"
    return None


def submission_refusal(path: str, max_files: int, max_bytes: int) -> str | None:
    """Why the submission at ``inbound/<s>/<name>`` may not be taken, or None.

    It must be named ``<s>+<assignment>+<timestamp>[+<random>]``, be a directory (not a link) owned, like its
    folder, by the Unix user ``s``, and hold at most ``max_files`` plain files of ``max_bytes`` in all (no links,
    no special files).
    """
    folder, name = os.path.split(path)
    student, parts = os.path.basename(folder), name.rsplit("+", 3)
    try:
        uid = pwd.getpwnam(student).pw_uid
    except KeyError:
        return f"there is no user {student!r}"
    if len(parts) < 3 or parts[0] != student:
        return f"it lies in {student}'s inbound directory but names {parts[0]!r}"
    st_folder, st = os.lstat(folder), os.lstat(path)
    if st_folder.st_uid != uid or st.st_uid != uid:
        return f"it is not owned by {student}"
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a directory (a symbolic link or a file)"
    return _tree_problem(path, max_files, max_bytes)


class SecureCollect(_RootNeedNotBeWritable, ExchangeCollect):
    """``collect`` from the per-student inbound directories, taking only what each student owns."""

    max_files = Int(MAX_FILES, help="Refuse a submission with more files than this").tag(config=True)

    def init_src(self):
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        wanted = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, wanted, f"{wanted}+{self.coursedir.assignment_id}+*")
        records = []
        for path in glob.glob(pattern):
            rec = self._checked_record(path)
            if rec is not None:
                records.append(rec)
        groups: dict[str, list[dict]] = {}
        for rec in records:
            groups.setdefault(rec["username"], []).append(rec)
        # as nbgrader's collect: each student's newest submission, or with --before-duedate the newest on time
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        self.src_records = []
        for recs in groups.values():
            recs = self._sort_by_timestamp(recs)
            on_time = [r for r in recs if self.duedate is not None and r["timestamp"] <= self.duedate]
            self.src_records.append(on_time[0] if self.before_duedate and on_time else recs[0])

    def _checked_record(self, path: str) -> dict | None:
        refuse = submission_refusal(path, self.max_files, 1000 * self.coursedir.max_dir_size)
        if refuse is not None:
            self.log.warning("Not collecting %s: %s", path, refuse)
            return None
        folder, name = os.path.split(path)
        student, parts = os.path.basename(folder), name.rsplit("+", 3)
        try:
            timestamp = parse_utc(parts[2])
        except Exception:
            self.log.warning("Not collecting %s: its timestamp %r is not a time", path, parts[2])
            return None
        return {"username": student, "filename": os.path.join(student, name), "timestamp": timestamp}

    def do_copy(self, src, dest, log=None):
        """Copy without following links, then check the copy again (the student may change the source meanwhile)."""
        shutil.copytree(src, dest, symlinks=True)
        problem = _tree_problem(dest, self.max_files, 1000 * self.coursedir.max_dir_size)
        if problem is not None:
            shutil.rmtree(dest)
            self.fail(f"{src} changed while it was collected and {problem}; not collected")


#: The exchange steps and the classes of this module that replace nbgrader's defaults.
EXCHANGE_CLASSES = {
    "release_assignment": SecureReleaseAssignment,
    "fetch_assignment": SecureFetchAssignment,
    "submit": SecureSubmit,
    "collect": SecureCollect,
    "release_feedback": SecureReleaseFeedback,
    "fetch_feedback": SecureFetchFeedback,
    "list": SecureList,
}


def configure(c) -> None:
    """Use this module's exchange classes (``c`` is the traitlets config of an ``nbgrader_config.py``)."""
    for step, cls in EXCHANGE_CLASSES.items():
        setattr(c.ExchangeFactory, step, f"{_MODULE}.{cls.__name__}")


def _chown_chmod(path: Path, uid: int, gid: int, mode: int) -> None:
    path.mkdir(exist_ok=True)
    st = path.lstat()
    if not stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{path} exists and is not a directory")
    os.chown(path, uid, gid, follow_symlinks=False)
    os.chmod(path, mode)


def prepare(root: str | os.PathLike, course_id: str, course_user: str, students: list[str]) -> None:
    """Lay out (or update) the exchange of one course; run as root, again whenever students join.

    Parameters
    ----------
    root : path
        The exchange root (``c.Exchange.root``); created 0755 and owned by root.
    course_id : str
        The course id (``c.CourseDirectory.course_id``).
    course_user : str
        The Unix account that owns the course directory and collects (its primary group reads submissions).
    students : list of str
        The students' Unix logins (= nbgrader student ids); each gets ``inbound/<login>/``.
    """
    if os.geteuid() != 0:
        raise PermissionError("prepare() sets owners of other users' directories: run it as root")
    course = pwd.getpwnam(course_user)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    _chown_chmod(root, 0, 0, 0o755)
    base = root / course_id
    _chown_chmod(base, course.pw_uid, course.pw_gid, 0o755)
    _chown_chmod(base / "outbound", course.pw_uid, course.pw_gid, 0o755)
    _chown_chmod(base / "inbound", course.pw_uid, course.pw_gid, 0o711)
    _chown_chmod(base / "feedback", course.pw_uid, course.pw_gid, 0o711)
    for login in students:
        if login in ("", ".", "..") or "/" in login or "+" in login or "*" in login:
            raise ValueError(f"students: {login!r} is not a usable login (no '/', '+', '*')")
        user = pwd.getpwnam(login)
        _chown_chmod(base / "inbound" / login, user.pw_uid, course.pw_gid, 0o2750)


def main(argv: list[str] | None = None) -> int:
    """``python -m convlearn.grading.grader.exchange --root R --course C --course-user U student ...`` (as root)."""
    p = argparse.ArgumentParser(prog=f"python -m {_MODULE}", description=prepare.__doc__.splitlines()[0])
    p.add_argument("--root", required=True, help="the exchange root (c.Exchange.root)")
    p.add_argument("--course", required=True, help="the course id")
    p.add_argument("--course-user", required=True, help="the Unix account that owns the course and collects")
    p.add_argument("students", nargs="*", help="students' logins (default: the members of --group)")
    p.add_argument("--group", help="take the students from this Unix group's members")
    args = p.parse_args(argv)
    students = list(args.students)
    if args.group:
        students += [m for m in grp.getgrnam(args.group).gr_mem if m not in students]
    prepare(args.root, args.course, args.course_user, students)
    print(f"{args.root}/{args.course}: outbound, inbound (0711) with {len(students)} student directories, feedback")
    return 0


if __name__ == "__main__":
    sys.exit(main())
