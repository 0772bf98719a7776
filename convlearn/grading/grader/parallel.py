"""Grade a whole class in parallel on Dask: ``python -m convlearn.grading autograde <assignment>``.

The driver (this module, run in the course directory) finds every submission in ``submitted/*/<assignment>``,
reads its regular files and hashes them, and skips those whose provenance record says they were graded from
the same files against the same source (unless ``force``). Each other submission becomes one
self-contained task (:mod:`.gradetask`) sent to a Dask cluster: a ``LocalCluster`` of worker processes on
this machine, or an existing scheduler (``tcp://host:port``). Workers never touch the real course.

The driver is the only writer. As each result arrives it is applied to the gradebook (through nbgrader's
:class:`~nbgrader.api.Gradebook`, so any ``db_url`` works: SQLite, PostgreSQL) exactly as
``nbgrader autograde`` would have written it — student, submission and timestamp, each grade's
``auto_score``/``needs_manual_grade``, comments, late penalties — then the graded files replace
``autograded/<student>/<assignment>/``, and last the provenance record is written to
``.convlearn/graded/<assignment>/<student>.json``. Applying sets values (never adds), keyed by
(assignment, student, submission hash): a result applied twice changes nothing, and a result whose record
already exists is not applied again. So an interrupted run loses nothing and doubles nothing: run the
command again and it grades only what has no record yet (or changed). A worker that dies mid-task has its
task run again on another worker by the Dask scheduler.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime
import json
import os
import shutil
import sys
import time
import warnings
from pathlib import Path

from . import gradetask

__all__ = ["Course", "CourseError", "Outcome", "apply_result", "autograde", "RECORD_DIR"]

#: Provenance records, one per graded submission, relative to the course root.
RECORD_DIR = Path(".convlearn") / "graded"
#: How often applying one result is tried when another grader holds the database (SQLite lock, a
#: PostgreSQL unique-key race on a new student).
_APPLY_ATTEMPTS = 8


class CourseError(RuntimeError):
    """The course itself cannot be graded (no config, assignment unknown, no source)."""


@dataclasses.dataclass
class Outcome:
    """What one run did: how many submissions were graded, skipped as unchanged, or failed, and in what time."""

    graded: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: dict = dataclasses.field(default_factory=dict)  # student -> last lines of the log

    @property
    def total(self) -> int:
        return self.graded + self.skipped + self.failed

    def summary(self) -> str:
        return (f"graded {self.total} submissions ({self.graded} graded, {self.skipped} unchanged and skipped, "
                f"{self.failed} failed) in {self.seconds:.1f} s")


class Course:
    """The course directory as nbgrader sees it (its ``nbgrader_config.py``, command-line options on top)."""

    def __init__(self, root, options=()):
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config
        from traitlets.config.loader import KVArgParseConfigLoader, PyFileConfigLoader

        self.root = Path(root).resolve()
        config_file = self.root / gradetask.CONFIG_FILE
        if not config_file.is_file():
            raise CourseError(f"no {gradetask.CONFIG_FILE} in {self.root}: run this in the course directory")
        self.config_text = config_file.read_text(encoding="utf-8")
        cwd = os.getcwd()
        try:
            os.chdir(self.root)  # the config may use relative paths or __file__
            config = PyFileConfigLoader(gradetask.CONFIG_FILE, path=str(self.root)).load_config()
        finally:
            os.chdir(cwd)
        merged = Config()
        merged.merge(config)
        if options:
            merged.merge(KVArgParseConfigLoader(list(options)).load_config())
        self.options = list(options)
        #: what the workers' nbgrader gets: not the course paths or the gradebook (theirs are private)
        self.worker_options = [o for o in self.options if not o.startswith("--CourseDirectory.")]
        self.dir = CourseDirectory(config=merged)
        if "root" not in merged.get("CourseDirectory", {}):
            self.dir.root = str(self.root)
        self.db_url = self.dir.db_url
        self.course_id = self.dir.course_id

    def students(self, assignment: str) -> list[str]:
        """Students with a submitted folder for ``assignment`` (nbgrader's ``submitted`` layout)."""
        base = Path(self.dir.format_path(self.dir.submitted_directory, ".", ".")).resolve()
        return sorted(p.name for p in base.iterdir()
                      if not p.name.startswith(".") and (p / assignment).is_dir()) if base.is_dir() else []

    def submitted(self, student: str, assignment: str) -> Path:
        return Path(self.dir.format_path(self.dir.submitted_directory, student, assignment))

    def autograded(self, student: str, assignment: str) -> Path:
        return Path(self.dir.format_path(self.dir.autograded_directory, student, assignment))

    def source(self, assignment: str) -> Path:
        return Path(self.dir.format_path(self.dir.source_directory, ".", assignment))

    def record_path(self, assignment: str, student: str) -> Path:
        return self.root / RECORD_DIR / assignment / f"{student}.json"

    def record(self, assignment: str, student: str) -> dict | None:
        try:
            return json.loads(self.record_path(assignment, student).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def ignore(self, folder: Path):
        from nbgrader.utils import is_ignored

        return lambda rel: is_ignored(os.path.join(folder, rel), self.dir.ignore)


def _extension(course: Course, assignment: str, student: str) -> float | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            ext = gb.find_submission(assignment, student).extension
        except MissingEntry:
            return None
    return ext.total_seconds() if ext else None


def _graded_already(course: Course, assignment: str, student: str, sub_hash: str, src_hash: str) -> bool:
    rec = course.record(assignment, student)
    return bool(rec and rec.get("submission_hash") == sub_hash and rec.get("source_hash") == src_hash
                and course.autograded(student, assignment).is_dir())


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _apply_rows(course: Course, assignment: str, student: str, rows: dict) -> None:
    """Write one submission's rows into the real gradebook, as ``nbgrader autograde`` would (idempotent)."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_student(student)
        if rows.get("timestamp"):
            gb.update_or_create_submission(assignment, student,
                                           timestamp=datetime.datetime.fromisoformat(rows["timestamp"]))
        else:
            gb.update_or_create_submission(assignment, student)
        for nb_name, nb in rows["notebooks"].items():
            snb = gb.find_submission_notebook(nb_name, assignment, student)
            snb.late_submission_penalty = nb["late_submission_penalty"]
            for name, g in nb["grades"].items():
                grade = gb.find_grade(name, nb_name, assignment, student)
                grade.auto_score = g["auto_score"]
                # nbgrader: a grade with a manual score (kept from an earlier round) needs review again
                grade.needs_manual_grade = g["needs_manual_grade"] or grade.manual_score is not None
            for name, c in nb["comments"].items():
                gb.find_comment(name, nb_name, assignment, student).auto_comment = c["auto_comment"]
        gb.db.commit()


def _apply_files(course: Course, assignment: str, student: str, files: dict) -> None:
    """Replace ``autograded/<student>/<assignment>/`` by the graded files (what ``--force`` does)."""
    target = course.autograded(student, assignment)
    staging = target.with_name(f".{target.name}.convlearn-new")
    shutil.rmtree(staging, ignore_errors=True)
    gradetask._write_files(staging, files)
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, target)


def apply_result(course: Course, result: dict) -> bool:
    """Apply one task result to the course (the driver only); return whether the submission was graded."""
    import sqlalchemy.exc

    prov = result["provenance"]
    a, s = prov["assignment"], prov["student"]
    rec = course.record(a, s)
    if rec and rec.get("submission_hash") == prov["submission_hash"] and rec.get("source_hash") == prov[
            "source_hash"] and rec.get("start") == prov["start"]:
        return True  # this very result was applied already
    if result["rows"] is not None:
        for attempt in range(_APPLY_ATTEMPTS):
            try:
                with warnings.catch_warnings():  # nbgrader's update_or_create_submission warns on SQLAlchemy 2
                    warnings.simplefilter("ignore", sqlalchemy.exc.SAWarning)
                    _apply_rows(course, a, s, result["rows"])
                break
            except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.OperationalError):
                if attempt == _APPLY_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
    if not result["ok"]:
        shutil.rmtree(course.autograded(s, a), ignore_errors=True)  # nbgrader removes a failed submission's
        return False
    _apply_files(course, a, s, result["files"])
    _write_atomic(course.record_path(a, s), json.dumps(prov, indent=1, sort_keys=True).encode())
    return True


def _tasks(course: Course, assignment: str, force: bool, outcome: Outcome, on_first=None) -> list[dict]:
    """Tasks for the submissions to grade; unchanged ones are counted as skipped. ``on_first()`` is called when the
    first submission to grade is found."""
    source_files, _ = gradetask.read_files(course.source(assignment), ignore=course.ignore(course.source(assignment)))
    src_hash = gradetask.files_digest(source_files)
    pending = []
    for student in course.students(assignment):
        folder = course.submitted(student, assignment)
        files, refused = gradetask.read_files(folder, ignore=course.ignore(folder))
        for rel, why in refused.items():
            print(f"{student}/{assignment}: refused {rel}: {why} (only regular files inside the submission are "
                  "graded)", file=sys.stderr)
        sub_hash = gradetask.files_digest(files)
        if not force and _graded_already(course, assignment, student, sub_hash, src_hash):
            outcome.skipped += 1
            continue
        if not pending and on_first is not None:
            on_first()
        pending.append({"assignment": assignment, "student": student, "course_id": course.course_id,
                        "config": course.config_text, "source": source_files, "submission": files,
                        "extension": _extension(course, assignment, student), "options": course.worker_options,
                        "submission_hash": sub_hash, "source_hash": src_hash})
    return pending


def _client(workers: int | None, scheduler: str | None):
    from distributed import Client, LocalCluster

    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    client.run(gradetask.warm)  # each worker preloads nbgrader now, while the driver reads the course
    return client, cluster


def autograde(root, assignment: str, *, workers: int | None = None, scheduler: str | None = None,
              force: bool = False, options=(), progress: bool = True) -> Outcome:
    """Grade every submission of ``assignment`` in the course at ``root`` on Dask (see the module docstring).

    Raises :class:`CourseError` when the course cannot be graded at all.
    """
    start = time.monotonic()
    # the cluster starts when the first submission to grade is found, while the rest of the course is read (both
    # take seconds); a course with nothing to grade starts no cluster and reaches no scheduler
    starter = concurrent.futures.ThreadPoolExecutor(1)
    started: list[concurrent.futures.Future] = []

    def start_cluster() -> concurrent.futures.Future:
        if not started:
            started.append(starter.submit(_client, workers, scheduler))
        return started[0]

    try:
        return _autograde(root, assignment, start_cluster, force=force, options=options, progress=progress, start=start)
    finally:
        try:
            client, cluster = started[0].result() if started else (None, None)
        except Exception:  # noqa: BLE001 - reported by _autograde when it was needed
            client = cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        starter.shutdown()


def _autograde(root, assignment: str, start_cluster, *, force: bool, options, progress: bool,
               start: float) -> Outcome:
    """:func:`autograde`'s work; ``start_cluster()`` starts the cluster (once) and returns the future of its client
    and cluster."""
    from distributed import as_completed
    from nbgrader.api import MissingEntry
    from tqdm import tqdm

    course = Course(root, options)
    if not course.source(assignment).is_dir():
        raise CourseError(f"no source folder for {assignment!r}: {course.source(assignment)}")
    outcome = Outcome()
    tasks = _tasks(course, assignment, force, outcome, on_first=start_cluster)
    if tasks:
        definition = course.root / RECORD_DIR / f".definition-{assignment}-{os.getpid()}.db"
        definition.parent.mkdir(parents=True, exist_ok=True)
        try:
            definition.unlink(missing_ok=True)
            gradetask.definition_gradebook(course.db_url, course.course_id, assignment, definition)
            gradebook = definition.read_bytes()
        except MissingEntry:
            raise CourseError(f"{assignment!r} is not in the gradebook: run nbgrader generate_assignment "
                              f"{assignment} first") from None
        finally:
            definition.unlink(missing_ok=True)
        try:
            client, _ = start_cluster().result()
        except Exception as exc:  # noqa: BLE001 - whatever stopped it, said in words
            raise CourseError(f"cannot start or reach the Dask cluster: {type(exc).__name__}: {exc}") from None
        futures = [client.submit(gradetask.grade, dict(t, gradebook=gradebook), pure=False,
                                 key=f"grade-{assignment}-{t['student']}-{t['submission_hash'][:12]}")
                   for t in tasks]
        student_of = {f.key: t["student"] for f, t in zip(futures, tasks, strict=True)}
        bar = tqdm(total=len(tasks), desc=f"grading {assignment}", unit="submission", disable=not progress,
                   file=sys.stderr)
        for future in as_completed(futures):
            student = student_of[future.key]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: the task killed every worker it ran on
                outcome.failed += 1
                outcome.failures[student] = f"{type(exc).__name__}: {exc}"
            else:
                if apply_result(course, result):
                    outcome.graded += 1
                else:
                    outcome.failed += 1
                    outcome.failures[student] = "\n".join(result["log"].splitlines()[-15:])
            future.release()
            bar.update()
        bar.close()
    outcome.seconds = time.monotonic() - start
    return outcome
