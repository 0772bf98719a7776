"""Grading a class in parallel on Dask: ``python -m convlearn.grading autograde`` (convlearn.grading.grader.parallel).

Oracles: serial ``nbgrader autograde`` on a copy of the same course (every gradebook row and graded notebook
compared), the variants' own statements (reference full, blank 0, a variant loses its cells), and counts of
rows in the gradebook. Everything runs on loopback: a LocalCluster, a ``dask scheduler``/``dask worker`` pair on
127.0.0.1, a PostgreSQL server started here in a temporary directory.

The hang tests at the end check a rule of the grader (a hang costs its author only, and at most one full limit per
function) on classes of two, graded by nbgrader as each worker of the driver runs it, without a cluster.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from _course_checks import COMPARED, check_graded_class, check_release_and_validate, class_subs, course

from convlearn.grading.limits import CASE_SECONDS

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

CELL_TIMEOUT = course.CELL_TIMEOUT
ASSIGNMENT = COMPARED  # the quickest assignment to grade; its full variant set is compared with serial
SUMMARY = re.compile(r"graded (\d+) submissions \((\d+) graded, (\d+) unchanged and skipped, (\d+) failed\) in")


def _sandbox_or_skip():
    from convlearn.grading.grader import sandbox

    ok, why = sandbox.available()
    if not ok:
        if os.environ.get("CONVLEARN_REQUIRE_SANDBOX"):
            pytest.fail(f"no sandbox: {why}")
        pytest.skip(f"no sandbox: {why}")


def make_course(root: Path, assignment: str, subs: dict, db_url: str | None = None) -> course.Course:
    _sandbox_or_skip()
    c = course.Course(root, timeout=CELL_TIMEOUT, time_scale=course.TIME_SCALE)
    extra = [f"--CourseDirectory.db_url={db_url}"] if db_url else []
    c.nbgrader("generate_assignment", assignment, "--force", *extra)
    for student, sub in subs.items():
        c.submit(student, assignment, c.submission(assignment, sub))
    return c


def grade_cmd(c: course.Course, assignment: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "convlearn.grading", "autograde", assignment, "--no-progress",
            f"--Execute.timeout={CELL_TIMEOUT}", f"--SandboxedGrade.time_scale={course.TIME_SCALE}", *args]


def run_parallel(c: course.Course, assignment: str, *args: str) -> tuple[int, int, int, int]:
    proc = subprocess.run(grade_cmd(c, assignment, *args), cwd=c.root, env=course.environment(),
                          capture_output=True, text=True, timeout=3000)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-5000:]
    m = SUMMARY.search(proc.stdout)
    assert m, proc.stdout
    return tuple(int(x) for x in m.groups())


def gradebook_rows(db_url: str, assignment: str) -> dict:
    """Every row autograde writes for ``assignment``, per student, as plain data."""
    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(db_url) as gb:
        for sub in gb.assignment_submissions(assignment):
            rows[sub.student_id] = {
                "timestamp": sub.timestamp,
                "notebooks": {nb.name: {
                    "late": nb.late_submission_penalty,
                    "grades": {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in nb.grades},
                    "comments": {cm.name: (cm.auto_comment, cm.manual_comment) for cm in nb.comments},
                } for nb in sub.notebooks},
            }
    return rows


def graded_cells(c: course.Course, student: str, assignment: str) -> list[tuple]:
    """The graded notebook's cells: type, source, and for test cells the score line of their report."""
    import nbformat

    nb = nbformat.read(c.root / "autograded" / student / assignment / f"{assignment}.ipynb", 4)
    return [(cell.cell_type, cell.source, [o.get("data", {}).get("text/plain") for o in cell.get("outputs", [])
                                           if o.get("output_type") == "execute_result"]) for cell in nb.cells]


def total(c: course.Course, assignment: str, student: str, db: str | None = None) -> tuple[float, float]:
    scores = c.scores(assignment, student, db=db)
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


def check_expected(c: course.Course, assignment: str, subs: dict) -> None:
    """Each submission scores what the variants say: reference and tampered full, blank 0, a variant less."""
    for student, sub in subs.items():
        got, full = total(c, assignment, student)
        if sub in ("reference", "tampered"):
            assert got == pytest.approx(full), student
        elif sub == "blank":
            assert got == 0, student
        else:
            assert got < full, student


def test_parallel_matches_serial_and_reruns_skip(tmp_path):
    subs = class_subs(ASSIGNMENT)
    par = make_course(tmp_path / "parallel", ASSIGNMENT, subs)
    # one submission is late: due yesterday, submitted today (nbgrader's late penalty rows are compared too)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{par.root / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(ASSIGNMENT, duedate=datetime.datetime(2026, 1, 1, 12, 0))
    (par.root / "submitted" / "reference" / ASSIGNMENT / "timestamp.txt").write_text("2026-01-02 12:00:00.000000 UTC")
    with open(par.root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"  # a late submission scores 0\n')
    check_release_and_validate(par, ASSIGNMENT)
    ser = course.Course(tmp_path / "serial", copy=False, timeout=CELL_TIMEOUT, time_scale=course.TIME_SCALE)
    shutil.copytree(par.root, ser.root)

    # the serial run is this assignment's end-to-end test (tests/test_exercises_nbgrader.py)
    ser.nbgrader("autograde", ASSIGNMENT, "--force")
    check_graded_class(ser, ASSIGNMENT, subs, tmp_path / "serial-grades.csv", on_time="tampered")
    assert run_parallel(par, ASSIGNMENT, "--workers", "2") == (len(subs), len(subs), 0, 0)

    serial = gradebook_rows(f"sqlite:///{ser.root / 'gradebook.db'}", ASSIGNMENT)
    parallel = gradebook_rows(f"sqlite:///{par.root / 'gradebook.db'}", ASSIGNMENT)
    assert set(parallel) == set(subs)
    for student in subs:
        assert parallel[student] == serial[student], student
        files = sorted(p.relative_to(par.root).as_posix() for p in (par.root / "autograded" / student).rglob("*"))
        assert files == sorted(p.relative_to(ser.root).as_posix()
                               for p in (ser.root / "autograded" / student).rglob("*")), student
        assert graded_cells(par, student, ASSIGNMENT) == graded_cells(ser, student, ASSIGNMENT), student
    full = total(par, ASSIGNMENT, "tampered")[1]
    assert parallel["reference"]["notebooks"][ASSIGNMENT]["late"] == pytest.approx(full)  # late: penalty = score
    assert parallel["blank"]["notebooks"][ASSIGNMENT]["late"] is None
    check_expected(par, ASSIGNMENT, subs)

    # the rest of the course works on what the parallel run wrote
    par.nbgrader("generate_feedback", ASSIGNMENT, "--force")
    assert (par.root / "feedback" / "reference" / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    par.nbgrader("export", "--to", str(tmp_path / "grades.csv"))
    assert (tmp_path / "grades.csv").read_text().count(ASSIGNMENT) == len(subs)

    # a manual grade given in between survives a regrade, and marks the grade for review again (as nbgrader)
    with Gradebook(f"sqlite:///{par.root / 'gradebook.db'}") as gb:
        grade = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "blank").grades[0]
        grade.manual_score = 0.5
        gb.db.commit()
        graded_name = grade.name
    # rerun: nothing changed, nothing graded, and no cluster started or reached (its scheduler here is a listener
    # on 127.0.0.1 that counts connections); one submission changed: only it is graded
    from test_grading_attacks import _Listener

    scheduler = _Listener()
    try:
        assert run_parallel(par, ASSIGNMENT, "--scheduler", f"tcp://127.0.0.1:{scheduler.port}") \
            == (len(subs), 0, len(subs), 0)
    finally:
        scheduler.close()
    assert scheduler.connections == 0
    par.submit("blank", ASSIGNMENT, par.submission(ASSIGNMENT, "reference"))
    assert run_parallel(par, ASSIGNMENT, "--workers", "1") == (len(subs), 1, len(subs) - 1, 0)
    got, full = total(par, ASSIGNMENT, "blank")
    with Gradebook(f"sqlite:///{par.root / 'gradebook.db'}") as gb:
        grade = gb.find_grade(graded_name, ASSIGNMENT, ASSIGNMENT, "blank")
        assert grade.manual_score == 0.5 and grade.needs_manual_grade
        assert len(gb.assignment_submissions(ASSIGNMENT)) == len(subs)


def _processes(root_pid: int):
    import psutil

    try:
        return psutil.Process(root_pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _grading_children(root_pid: int):
    """The processes grading one submission (a child of a worker's preloaded nbgrader, or ``python -m
    nbgrader``) under the driver ``root_pid``: ``[(process, the worker process that started it, student)]``."""
    found = []
    for p in _processes(root_pid):
        try:
            cmd, parent = p.cmdline(), p.parent()
            preloaded = len(cmd) > 2 and cmd[1] == "-c" and "nbgrader.apps.nbgraderapp" in cmd[2]
            if preloaded and parent.cmdline() == cmd:  # a forked child of the server, not the server itself
                worker = parent.parent()
            elif "nbgrader" in cmd and "--student" in cmd:
                worker = parent
            else:
                continue
            students = [d.name for d in (Path(p.cwd()) / "submitted").iterdir()]
        except Exception:  # noqa: BLE001 - gone meanwhile, or not yet in its course
            continue
        if len(students) == 1:
            found.append((p, worker, students[0]))
    return found


def _start(c: course.Course, *args: str) -> subprocess.Popen:
    return subprocess.Popen(grade_cmd(c, ASSIGNMENT, *args), cwd=c.root, env=course.environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _wait_for(condition, seconds: float = 900):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("timed out waiting")


def _survivors(processes, seconds: float = 60):
    """Those of ``processes`` (``psutil.Process``) still running after waiting up to ``seconds`` for them to end.

    A process ends asynchronously (a sandbox dies with its parent, a PID namespace is torn down), so the check
    waits; ``is_running`` compares the start time too, so a PID reused by another process is not counted."""
    import psutil

    def alive():
        found = []
        for p in processes:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    found.append(p)
            except psutil.NoSuchProcess:
                pass
        return found

    end = time.monotonic() + seconds
    while (left := alive()) and time.monotonic() < end:
        time.sleep(0.5)
    return [str(p) for p in left]  # psutil.Process(pid=…, name=…, status=…, started=…)


def test_worker_killed_mid_task_is_retried(tmp_path):
    subs = class_subs(ASSIGNMENT, 2)
    c = make_course(tmp_path / "course", ASSIGNMENT, subs)
    proc = _start(c, "--workers", "2")
    try:
        victim, worker, student = _wait_for(lambda: _grading_children(proc.pid))[0]
        scratch = Path(victim.cwd())
        os.kill(worker.pid, signal.SIGKILL)  # the worker process dies mid-task; its nanny starts a new one
        out, err = proc.communicate(timeout=3000)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, out + err[-5000:]
    assert SUMMARY.search(out).groups() == (str(len(subs)), str(len(subs)), "0", "0"), out
    check_expected(c, ASSIGNMENT, subs)
    assert (c.root / ".convlearn" / "graded" / ASSIGNMENT / f"{student}.json").is_file()
    # the killed task's grading process died with its worker, and its temporary course was removed
    assert not _survivors([victim])
    assert not scratch.exists()


def test_driver_killed_then_rerun_loses_and_doubles_nothing(tmp_path):
    import psutil

    subs = class_subs(ASSIGNMENT, 3)
    c = make_course(tmp_path / "course", ASSIGNMENT, subs)
    records = c.root / ".convlearn" / "graded" / ASSIGNMENT
    proc = _start(c, "--workers", "1")
    try:
        _wait_for(lambda: records.is_dir() and list(records.glob("*.json")))
        family = [psutil.Process(proc.pid), *_processes(proc.pid)]
        os.killpg(proc.pid, signal.SIGKILL)  # the driver, its cluster and what they run, at once
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    done_before = len(list(records.glob("*.json")))
    assert 1 <= done_before < len(subs)
    assert not _survivors(family)
    n, graded, skipped, failed = run_parallel(c, ASSIGNMENT, "--workers", "2")
    assert (n, graded + skipped, failed) == (len(subs), len(subs), 0)
    assert skipped >= done_before
    check_expected(c, ASSIGNMENT, subs)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{c.root / 'gradebook.db'}") as gb:
        assert sorted(s.student_id for s in gb.assignment_submissions(ASSIGNMENT)) == sorted(subs)
        assert len(gb.students) == len(subs)


def test_a_killed_grader_takes_its_sandboxed_kernel_with_it(tmp_path):
    """``nbgrader autograde`` killed (with its process group) while a kernel runs: the sandbox's launcher, which
    jupyter_client starts in a session of its own, ends too, and with it bwrap and the kernel."""
    import psutil

    c = make_course(tmp_path / "course", "a2_discrete1d", {})
    slow = next(a for a in course.attacks("a2_discrete1d") if a.name == "slow_cells_and_stubborn_hang")
    c.submit("slow", "a2_discrete1d", c.submission("a2_discrete1d", slow))  # its first cell sleeps 4 s
    log = tmp_path / "autograde.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "nbgrader", "autograde", "a2_discrete1d", "--force"],
                                cwd=c.root, env=course.environment(), stdout=out, stderr=out, start_new_session=True)
    try:
        _wait_for(lambda: "sandboxed kernel started" in log.read_text(), seconds=300)
        family = _processes(proc.pid)
        assert any(p.name() == "bwrap" for p in family), family
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    survivors = _survivors(family)
    for p in family:  # a failed run leaves nothing behind either (psutil refuses a PID reused meanwhile)
        with contextlib.suppress(psutil.Error):
            p.kill()
    assert not survivors


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_scheduler_at_tcp_address_with_separate_workers(tmp_path):
    subs = class_subs(ASSIGNMENT, 1)
    c = make_course(tmp_path / "course", ASSIGNMENT, subs)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = course.environment()
    dask = [sys.executable, "-m", "dask"]  # the `dask scheduler` and `dask worker` commands
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard",
                               "--dashboard-address", "127.0.0.1:0"],  # its HTTP endpoints (health, metrics)
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        time.sleep(3)
        for _ in range(2):
            procs.append(subprocess.Popen(
                [*dask, "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard",
                 "--dashboard-address", "127.0.0.1:0", "--local-directory", str(tmp_path / "dask")], env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            listening = client.scheduler_info()
        assert all(w.startswith("tcp://127.0.0.1:") for w in listening["workers"])
        assert run_parallel(c, ASSIGNMENT, "--scheduler", address) == (len(subs), len(subs), 0, 0)
        check_expected(c, ASSIGNMENT, subs)
        import psutil

        for p in procs:  # the scheduler, the nannies and the workers listen on loopback only
            for conn in [c for q in [psutil.Process(p.pid), *psutil.Process(p.pid).children(recursive=True)]
                         for c in q.net_connections(kind="inet")]:
                if conn.status == psutil.CONN_LISTEN:
                    assert conn.laddr.ip == "127.0.0.1", conn
    finally:
        for p in reversed(procs):
            with __import__("contextlib").suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


# --- PostgreSQL ---------------------------------------------------------------------------------------------

def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


@pytest.fixture
def postgres():
    """A PostgreSQL server on 127.0.0.1 in a temporary directory, run by the ``postgres`` user; yields a URL."""
    import pwd

    bindir = _pg_bin()
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        pw = None
    if bindir is None or pw is None or os.geteuid() != 0:
        if os.environ.get("CONVLEARN_REQUIRE_SANDBOX"):
            pytest.fail("PostgreSQL (Debian's postgresql package, run as root) is needed for this test")
        pytest.skip("no PostgreSQL server binaries, no postgres user, or not root")
    pytest.importorskip("psycopg")
    base = Path(tempfile.mkdtemp(prefix="convlearn-pg-"))
    os.chown(base, pw.pw_uid, pw.pw_gid)
    data = base / "data"
    port = _free_port()

    def as_pg(*cmd):
        return subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True,
                              text=True, cwd=base)

    as_pg(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    as_pg(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
          f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=50", "start")
    try:
        as_pg(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "gradebook")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                        "-w", "stop"], capture_output=True, cwd=base)
        shutil.rmtree(base, ignore_errors=True)


def test_postgresql_gradebook_two_graders_at_once(tmp_path, postgres):
    """Two graders, each with their own copy of the course, autograde two assignments into one PostgreSQL."""
    second = "a2_discrete1d"
    subs = {"reference": "reference", "blank": "blank"}
    first = make_course(tmp_path / "grader1", ASSIGNMENT, subs, db_url=postgres)
    other = make_course(tmp_path / "grader2", second, subs, db_url=postgres)
    procs = [subprocess.Popen(grade_cmd(c, a, "--workers", "1", f"--CourseDirectory.db_url={postgres}"),
                              cwd=c.root, env=course.environment(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for c, a in ((first, ASSIGNMENT), (other, second))]
    outs = [p.communicate(timeout=3000) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, out + err[-5000:]
        assert SUMMARY.search(out).groups() == ("2", "2", "0", "0"), out
    from nbgrader.api import Gradebook

    with Gradebook(postgres) as gb:
        assert sorted(s.id for s in gb.students) == ["blank", "reference"]
        for a in (ASSIGNMENT, second):
            assert len(gb.assignment_submissions(a)) == 2
            ref = gb.find_submission(a, "reference")
            assert ref.score == pytest.approx(ref.max_score) and ref.max_score > 0
            assert gb.find_submission(a, "blank").score == 0
    # the rest of the course reads the shared gradebook
    first.nbgrader("export", "--to", str(tmp_path / "grades.csv"), f"--CourseDirectory.db_url={postgres}")
    text = (tmp_path / "grades.csv").read_text()
    assert text.count(ASSIGNMENT) == 2 and text.count(second) == 2


# --- a hang in the helper most checks call ------------------------------------------------------------------

#: For each assignment: the solution cell and the function in it that most checks reach (directly or through the
#: student's other functions). The hang is placed at its top.
HANG_HELPERS = {
    "a1_integral": ("riemann", "riemann_convolve"),
    "a2_discrete1d": ("conv_full", "convolve_full"),
    "a3_conv2d": ("centred", "centred_sum"),
    "a4_conv_layer": ("output_size", "conv_output_size"),
    "a5_backward": ("conv_backward", "conv2d_backward"),
}
# a6 is not here: its functions are methods (``Conv2d.forward``, which this test's by-name reach cannot follow) and
# ``train``, which one check calls; that check's hang (60-s limit) is the end-to-end test's variant hang_epochs.
_LIMIT = re.compile(r"did not finish within ([\d.]+) s")
#: ``SandboxedGrade.time_scale`` of these tests (every grading here runs with it: :func:`grade_cmd`): a check's
#: 10 s become 2.5 s. The hang spins a core for every full limit it costs.
HANG_TIME_SCALE = course.TIME_SCALE


def _first_statement(code: str, function: str, statement: str) -> str:
    """``code`` with ``statement`` (lines) as the first statement of ``function``."""
    lines = code.splitlines()
    at = next(i for i, line in enumerate(lines) if re.match(rf"\s*def {function}\(", line))
    while not lines[at].rstrip().endswith(":"):  # a signature over several lines
        at += 1
    indent = re.match(r"\s*", lines[at + 1]).group(0)
    return "\n".join(lines[:at + 1] + [indent + line for line in statement.splitlines()] + lines[at + 1:]) + "\n"


def _reaching(source_nb, function: str) -> set[str]:
    """Names of the solution's functions that call ``function``, directly or through each other, and itself."""
    import ast

    calls = {}
    for cell in source_nb.cells:
        if course.is_solution(cell):
            for node in ast.walk(ast.parse(course.reference_code(cell.source))):
                if isinstance(node, ast.FunctionDef):
                    calls[node.name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    reach = {function}
    while True:
        more = {name for name, used in calls.items() if used & reach} - reach
        if not more:
            return reach
        reach |= more


def _solution_functions(source_nb) -> set[str]:
    import ast

    return {node.name for cell in source_nb.cells if course.is_solution(cell)
            for node in ast.walk(ast.parse(course.reference_code(cell.source))) if isinstance(node, ast.FunctionDef)}


@pytest.mark.parametrize("assignment", sorted(HANG_HELPERS))
def test_hang_in_the_most_called_helper_costs_its_author_only(assignment, tmp_path):
    import nbformat

    from convlearn.grading.grader import harness
    from convlearn.grading.grader.gradetask import _budget_report

    cell_id, function = HANG_HELPERS[assignment]
    c = make_course(tmp_path / "course", assignment, {})
    source = c.source_notebook(assignment)
    code = next(course.reference_code(cell.source) for cell in source.cells
                if course.is_solution(cell) and cell.metadata["nbgrader"]["grade_id"] == cell_id)
    for student, statement in (("hang", "while True:\n    pass"), ("unanswered", "raise NotImplementedError()")):
        variant = course.Variant(f"{student}_helper", "hang", f"{student}: {function}", (),
                                 {cell_id: _first_statement(code, function, statement)})
        c.submit(student, assignment, c.submission(assignment, variant))
    # graded by nbgrader, one student at a time, as a worker of the parallel driver grades (a Dask cluster would
    # add about 6 CPU-seconds of start-up to a class of two); what each test cell cost is read from the student's
    # log as the driver's record reads it
    runs = {}
    for student in ("hang", "unanswered"):
        proc = c.nbgrader("autograde", assignment, "--student", student, "--force")
        runs[student] = _budget_report(proc.stdout + proc.stderr)["runs"]

    reach = _reaching(source, function)
    tests = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in source.cells if course.is_test(cell)}
    affected = {gid for gid, text in tests.items() if any(re.search(rf"\b{name}\b", text) for name in reach)}
    assert affected, f"no test cell reaches {function}"
    hang = c.scores(assignment, "hang")
    assert set(hang) == set(tests)
    assert hang == c.scores(assignment, "unanswered")  # a hang costs what leaving the function unanswered costs
    for gid, (score, top) in hang.items():
        if gid in affected:
            assert score < top, (gid, hang)
        else:
            assert score == top, (gid, hang)  # what the hang does not reach keeps its points

    # what it cost: no cell was run again from a new kernel (the interrupt stopped each call), and each of the
    # student's functions the checks call into the loop (the helper itself, or a function that reaches it,
    # or one the checks hand it to) cost at most one full check limit; every later call, a short one
    assert set(runs["hang"]) == set(tests) and set(runs["hang"].values()) == {1}, runs
    graded = nbformat.read(c.root / "autograded" / "hang" / assignment / f"{assignment}.ipynb", 4)
    limits = [float(x) for cell in graded.cells for out in cell.get("outputs", [])
              for x in _LIMIT.findall(out.get("text", ""))]
    full = [t for t in limits if t > harness.AFTER_TIMEOUT_SECONDS * HANG_TIME_SCALE]
    assert all(t <= HANG_TIME_SCALE * CASE_SECONDS for t in full), limits  # the scaled limit applied
    defined = _solution_functions(source)
    entries = {name for name in defined if any(re.search(rf"\b{name}\b", tests[gid]) for gid in affected)}
    assert 1 <= len(full) <= len(entries), (limits, entries)  # the other timed-out calls had the short limit
