"""One submission graded as a self-contained task: plain data in, plain data out (see :mod:`.parallel`).

A *task* is a dict of plain data: the assignment and student, the submission's files (regular files only,
taken with :func:`convlearn.grading.grader.submission.inspect` /
:func:`~convlearn.grading.grader.submission.copy_regular`),
the assignment's ``source/`` files, the course's ``nbgrader_config.py``, a small SQLite gradebook holding
just the assignment's definition (:func:`definition_gradebook`), the student's extension if any, and extra
nbgrader options. :func:`grade` builds a private temporary course from it, runs the real
``nbgrader autograde <assignment> --student <student> --force`` there (so the sandbox, harness and limits
are exactly the course's), and returns the submission's gradebook rows, the graded files, the log and a
provenance record, as plain data. It never touches the real course or gradebook.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import convlearn

from . import sandbox, submission

__all__ = ["read_files", "files_digest", "definition_gradebook", "grade", "run_nbgrader", "warm", "environment",
           "CONFIG_FILE"]

CONFIG_FILE = "nbgrader_config.py"
#: nbgrader log lines that count what a submission's limits cost (see nbgrader_plugin / harness).
_RUNS = re.compile(r"(\w+): ([\d.]+) of ([\d.]+) points \((\d+) runs?,")
_KERNEL_START = re.compile(r"sandboxed kernel started in ([\d.]+) s")


def read_files(directory, *, ignore=None) -> tuple[dict[str, bytes], dict[str, str]]:
    """The regular files of a folder as ``{relative path: bytes}``, and the refused entries with reasons.

    Entries are sorted and bounded by :func:`convlearn.grading.grader.submission.inspect`, and read with
    :func:`~convlearn.grading.grader.submission.copy_regular` (links are never followed).
    """
    accepted, refused = submission.inspect(directory, ignore=ignore)
    files = {}
    with tempfile.TemporaryDirectory(prefix="convlearn-read-") as tmp:
        target = os.path.join(tmp, "f")
        for rel in accepted:
            try:
                submission.copy_regular(os.path.join(directory, rel), target)
            except submission.SubmissionError as exc:
                refused[rel] = str(exc)
                continue
            with open(target, "rb") as fh:
                files[rel] = fh.read()
    return files, refused


def files_digest(files: dict[str, bytes]) -> str:
    """SHA-256 over the sorted (path, content) pairs of ``files``: what identifies a submission or a source."""
    h = hashlib.sha256()
    for rel in sorted(files):
        data = files[rel]
        h.update(rel.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return h.hexdigest()


def _write_files(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = root / rel
        if ".." in Path(rel).parts or Path(rel).is_absolute():
            raise ValueError(f"file name {rel!r} leaves its folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def definition_gradebook(db_url: str, course_id: str, assignment: str, target: Path) -> None:
    """Write a fresh SQLite gradebook at ``target`` holding only ``assignment``'s definition from ``db_url``.

    Copied through nbgrader's :class:`~nbgrader.api.Gradebook` API (so any ``db_url`` works): the
    assignment (due date), its notebooks and their grade, solution, task and source cells, exactly what
    ``nbgrader generate_assignment`` recorded. Raises ``nbgrader.api.MissingEntry`` when the assignment is
    not in the gradebook.
    """
    from nbgrader.api import Gradebook

    from .nbgrader_plugin import stamp_gradebooks_in_process

    stamp_gradebooks_in_process()
    with Gradebook(db_url, course_id) as src, Gradebook(f"sqlite:///{target}", course_id) as dst:
        a = src.find_assignment(assignment)
        dst.update_or_create_assignment(assignment, duedate=a.duedate)
        for nb in a.notebooks:
            dst.update_or_create_notebook(nb.name, assignment, kernelspec=nb.kernelspec)
            for c in nb.grade_cells:
                dst.update_or_create_grade_cell(c.name, nb.name, assignment, max_score=c.max_score,
                                                cell_type=c.cell_type)
            for c in nb.solution_cells:
                dst.update_or_create_solution_cell(c.name, nb.name, assignment)
            for c in nb.task_cells:
                dst.update_or_create_task_cell(c.name, nb.name, assignment, max_score=c.max_score,
                                               cell_type=c.cell_type)
            for c in nb.source_cells:
                dst.update_or_create_source_cell(c.name, nb.name, assignment, cell_type=c.cell_type,
                                                 locked=c.locked, source=c.source, checksum=c.checksum)


def _die_with(parent: int) -> Callable[[], None]:
    """A ``preexec_fn``: the child gets SIGKILL when the worker process ``parent`` that started it dies (an nbgrader
    process's sandboxes' launchers then get SIGTERM: :func:`.sandbox.die_with_parent`), and ends at once if that
    worker already died."""

    def preexec() -> None:  # pragma: no cover - runs in the child between fork and exec
        if not sandbox.die_with_parent(signal.SIGKILL, parent):
            os._exit(1)

    return preexec


def environment(repo: str | Path | None = None) -> dict:
    """The environment nbgrader runs in: this process's, with this Python's ``bin`` folder first on ``PATH`` (the
    commands nbgrader may start are this environment's), ``repo`` first on ``PYTHONPATH`` (default: the folder of
    the convlearn this process imports) and one BLAS thread unless set."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    repo = str(repo) if repo is not None else str(Path(convlearn.__file__).resolve().parents[1])
    env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


#: The preloaded nbgrader of :func:`run_nbgrader`: a small process that imports nbgrader and the course's
#: grading modules once, then forks a fresh child for each submission (the child runs nbgrader's command
#: line as ``python -m nbgrader`` would). It saves each submission the import of nbgrader and its
#: dependencies, which takes longer than starting the sandbox. The server is single-threaded, so forking it
#: is safe; each child is a new process, so no state passes from one submission to the next.
_SERVER = r"""
import atexit, json, os, sys
import nbgrader.apps.nbgraderapp, nbgrader.apps.autogradeapp, nbgrader.converters.autograde  # preload
import nbgrader.preprocessors, nbconvert.exporters, nbclient, jupyter_client.manager, sqlalchemy.dialects.sqlite
import convlearn.grading.grader.nbgrader_plugin, convlearn.grading.grader.sandbox
convlearn.grading.grader.sandbox.available()  # the bubblewrap probe, cached: the children on this machine inherit it
convlearn.grading.grader.nbgrader_plugin.stamp_gradebooks_in_process()  # a new gradebook's revision, read once
import nbgrader.api; nbgrader.api.get_alembic_version()
# what grading a notebook imports on its way (measured: about 1,000 modules): IPython for nbconvert and the
# harness, the course's set-up cells (convlearn, NumPy, SciPy)
import importlib, pkgutil, convlearn
for name in ["IPython", "IPython.core.interactiveshell", "jedi", "pygments", "sqlite3", "pdb", "numpy", "scipy",
             "scipy.optimize", "scipy.ndimage", "scipy.signal", "scipy.sparse", "scipy.stats",
             *(f"convlearn.{m.name}" for m in pkgutil.iter_modules(convlearn.__path__))]:
    try:
        importlib.import_module(name)
    except Exception:
        pass
PDEATHSIG = int(sys.argv[1])
SERVER = os.getpid()
for line in sys.stdin:
    req = json.loads(line)
    pid = os.fork()
    if pid == 0:
        try:
            if not convlearn.grading.grader.sandbox.die_with_parent(PDEATHSIG, SERVER):  # dies with the server
                os._exit(1)
            os.chdir(req["cwd"])
            os.environ.clear()
            os.environ.update(req["env"])
            null = os.open(os.devnull, os.O_RDONLY)
            log = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            err = os.open(req["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(null, 0); os.dup2(log, 1); os.dup2(err, 2)
            sys.stdin = open(os.devnull)
            sys.stdout = open(1, "w", closefd=False, buffering=1)
            sys.stderr = open(2, "w", closefd=False, buffering=1)
            sys.argv = ["nbgrader", *req["argv"]]
            code = 0
            try:
                nbgrader.apps.nbgraderapp.main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:
                import traceback
                traceback.print_exc()
                code = 1
            atexit._run_exitfuncs()  # what nbgrader registered (the kernels' private runtime folder)
            sys.stdout.flush(); sys.stderr.flush()
        finally:
            os._exit(locals().get("code", 1))
    _, status = os.waitpid(pid, 0)
    print(json.dumps(os.waitstatus_to_exitcode(status)), flush=True)
"""
_idle: list[subprocess.Popen] = []  # preloaded servers of this worker process, not in use
_idle_lock = threading.Lock()


def _take_server() -> subprocess.Popen | None:
    with _idle_lock:
        while _idle:
            proc = _idle.pop()
            if proc.poll() is None:
                return proc
    try:
        return subprocess.Popen([sys.executable, "-c", _SERVER, str(int(signal.SIGKILL))], env=environment(),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                preexec_fn=_die_with(os.getpid()))
    except OSError:
        return None


def _give_back(proc: subprocess.Popen) -> None:
    with _idle_lock:
        _idle.append(proc)


def warm() -> None:
    """Start this worker's preloaded nbgrader now (the driver calls it on every worker while it reads the course)."""
    proc = _take_server()
    if proc is not None:
        _give_back(proc)


#: The prefix of the folders in which :func:`run_nbgrader` collects a preloaded nbgrader's output.
OUTPUT_PREFIX = "convlearn-nbgrader-"


def run_nbgrader(argv: list[str], cwd: Path, env: dict | None = None) -> tuple[int, str, str]:
    """Run ``nbgrader <argv>`` in ``cwd``; return its exit status, its standard output and its standard error.

    Through the preloaded server (see ``_SERVER``) where it runs, else as a new ``python -m nbgrader``
    process. Either way the nbgrader process dies with the worker that started it. ``env`` is its whole
    environment (default: this process's, with this Python and this convlearn first on the paths).
    """
    env = environment() if env is None else env
    server = _take_server()
    if server is not None:
        logs = sandbox.owned_tempdir(OUTPUT_PREFIX)  # a worker killed meanwhile: the next one removes it
        out, err = str(logs / "out"), str(logs / "err")
        try:
            request = {"argv": argv, "cwd": str(cwd), "env": env, "log": out, "err": err}
            server.stdin.write(json.dumps(request) + "\n")
            server.stdin.flush()
            answer = server.stdout.readline()
            if answer:
                status = int(json.loads(answer))
                _give_back(server)
                return status, *(Path(f).read_text(encoding="utf-8", errors="replace") for f in (out, err))
        except (OSError, ValueError):
            pass
        finally:
            shutil.rmtree(logs, ignore_errors=True)
        server.kill()  # it died or answered nonsense: run this one without it
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *argv], cwd=cwd, env=env, capture_output=True,
                          text=True, preexec_fn=_die_with(os.getpid()), stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


def _rows(db_url: str, course_id: str, assignment: str, student: str) -> dict | None:
    """The submission's rows in the temporary gradebook, as plain data (None if nbgrader made none)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return None
        notebooks = {}
        for nb in sub.notebooks:
            notebooks[nb.name] = {
                "late_submission_penalty": nb.late_submission_penalty,
                "grades": {g.name: {"auto_score": g.auto_score, "needs_manual_grade": bool(g.needs_manual_grade)}
                           for g in nb.grades},
                "comments": {c.name: {"auto_comment": c.auto_comment} for c in nb.comments},
            }
        return {"timestamp": sub.timestamp.isoformat() if sub.timestamp else None, "notebooks": notebooks}


def _budget_report(log: str) -> dict:
    """What the log says each test cell cost: ``{grade_id: runs}``, and the sandbox's start-up times."""
    runs = {m.group(1): int(m.group(4)) for m in _RUNS.finditer(log)}
    starts = [float(m.group(1)) for m in _KERNEL_START.finditer(log)]
    return {"runs": runs, "kernel_start_s": starts}


#: The prefix of :func:`grade`'s temporary courses.
GRADE_PREFIX = "convlearn-grade-"


def grade(task: dict) -> dict:
    """Grade one submission in a private temporary course; return its result as plain data.

    Parameters
    ----------
    task : dict
        ``assignment``, ``student``, ``course_id``, ``config`` (text of ``nbgrader_config.py``), ``source``
        and ``submission`` (``{relative path: bytes}``), ``gradebook`` (bytes of a definition gradebook),
        ``extension`` (seconds or None), ``options`` (extra ``--Class.trait=value`` arguments), and the
        provenance fields ``submission_hash`` and ``source_hash``.

    Returns
    -------
    dict
        ``ok`` (nbgrader succeeded and wrote a graded notebook), ``rows`` (:func:`_rows`), ``files``
        (``{relative path: bytes}`` of ``autograded/<student>/<assignment>/``), ``log`` (nbgrader's output)
        and ``provenance``.
    """
    from nbgrader.api import Gradebook

    a, s = task["assignment"], task["student"]
    started = datetime.datetime.now(datetime.UTC)
    t0 = time.monotonic()
    root = sandbox.owned_tempdir(GRADE_PREFIX)  # and removes those of workers killed mid-task
    try:
        (root / CONFIG_FILE).write_text(task["config"], encoding="utf-8")
        _write_files(root / "source" / a, task["source"])
        folder = root / "submitted" / s / a
        folder.mkdir(parents=True)
        _write_files(folder, task["submission"])
        db = root / "gradebook.db"
        db.write_bytes(task["gradebook"])
        db_url = f"sqlite:///{db}"
        with Gradebook(db_url, task["course_id"]) as gb:
            gb.update_or_create_student(s)
            if task.get("extension") is not None:
                gb.update_or_create_submission(a, s, extension=datetime.timedelta(seconds=task["extension"]))
        argv = ["autograde", a, "--student", s, "--force", f"--CourseDirectory.root={root}",
                f"--CourseDirectory.db_url={db_url}", f"--CourseDirectory.course_id={task['course_id']}",
                *task.get("options", ())]
        returncode, out, err = run_nbgrader(argv, root)
        log = out + err
        rows = _rows(db_url, task["course_id"], a, s)
        graded = root / "autograded" / s / a
        files = {}
        if graded.is_dir():
            for path in sorted(graded.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    files[path.relative_to(graded).as_posix()] = path.read_bytes()
        ok = returncode == 0 and rows is not None and any(rel.endswith(".ipynb") for rel in files)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ended = datetime.datetime.now(datetime.UTC)
    provenance = {
        "assignment": a, "student": s,
        "submission_hash": task["submission_hash"], "source_hash": task["source_hash"],
        "convlearn_version": convlearn.__version__,
        "sandbox": {"options": list(task.get("options", ())),
                    "config_hash": files_digest({CONFIG_FILE: task["config"].encode()}), **_budget_report(log)},
        "worker": f"{platform.node()}:{os.getpid()}",
        "start": started.isoformat(), "end": ended.isoformat(), "seconds": round(time.monotonic() - t0, 3),
        "exit_status": returncode,
    }
    return {"ok": ok, "rows": rows, "files": files, "log": log, "provenance": provenance}
