"""Attacks on the grading, graded end to end through ``nbgrader autograde`` in a throw-away course.

Every file in ``exercises/testing/attacks/<assignment>/`` is a submission that tries to forge its grade or harm
others from its solution cells (patching the grader, replacing modules, IPython hooks, default-argument
library binding, reading the solutions, writing the gradebook or other students' files, startup files in
HOME, daemons, killing the grader, reading hidden tests, the network, floods, exits, resource exhaustion),
and two more forge the notebook's nbgrader metadata. Graded together with an honest class, each must score
exactly what its docstring says, and afterwards:

- every other student's grades are as before, and the honest students graded after the attackers get their
  exact marks (autograde went on);
- the course directory (apart from the attackers' own graded copies), the gradebook (apart from the
  attackers' own grades), the repository and the grader's HOME are byte-for-byte unchanged;
- no process of the sandbox user is left, and the listener the test opened on 127.0.0.1 saw no connection;
- no hidden test code reached a graded notebook or the feedback.
"""

from __future__ import annotations

import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "exercises" / "testing"))
import course  # noqa: E402

from convlearn.grading.grader import sandbox  # noqa: E402

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]
#: The slowest honest cell here sleeps 4 s.
CELL_TIMEOUT = course.CELL_TIMEOUT
#: ``SandboxedGrade.time_scale`` here: a check's 10 s become 5 s, twice the end-to-end tests' (``course.TIME_SCALE``).
#: An attack's honest part must keep its points while the rest of its submission loads the machine (a fork bomb's
#: hundreds of processes, a filled scratch disk, memory hogs) and another class of attacks grades beside it: at
#: 2.5 s an honest check of the ``resources`` attack once ran out of time on CI.
TIME_SCALE = 0.5
#: Seconds an interrupted kernel gets before it is replaced (the course's 5 s): the stubborn hang is replaced
#: once; an interrupt that comes later than this only costs a replacement, never points.
INTERRUPT_GRACE = 2
ASSIGNMENT = "a2_discrete1d"
HIDDEN_MARKERS = ("BEGIN HIDDEN TESTS", "_reference", "default_rng(201)", "default_rng(202)")
#: The attacks are graded in this many classes, one test each, so that xdist spreads them (one class of 32
#: took 415-670 s); every class has the victim graded before and the honest pair after its attackers.
GROUPS = 3
#: The slowest to grade, slowest first (seconds each, graded alone: 40, 35, 27, 16, 10), dealt out first: the
#: stubborn hang replays 8 s of slow cells in new kernels; the flood and the broken builtins wait a cell limit
#: out in full; the kernel that exits and the comm flood are replaced.
SLOW = ("slow_cells_and_stubborn_hang", "flood", "patch_builtins", "exit_kernel", "comm_flood")
FORGED = ("checksums", "metadata")


def _group(index: int) -> list:
    """Class ``index`` of :data:`GROUPS`: ``[(student, attack)]``, the attack a notebook forgery's kind.

    The :data:`SLOW` attacks, then the others by name, are dealt to the classes in turn.
    """
    everyone = [(f"attack_{a.name}", a) for a in course.attacks(ASSIGNMENT)]
    everyone += [(f"attack_forged_{kind}", kind) for kind in FORGED]
    slow = [f"attack_{name}" for name in SLOW]
    everyone.sort(key=lambda pair: (slow.index(pair[0]) if pair[0] in slow else len(slow), pair[0]))
    return everyone[index::GROUPS]


def test_every_attack_is_graded_in_exactly_one_class():
    names = [name for index in range(GROUPS) for name, _ in _group(index)]
    assert len(course.attacks(ASSIGNMENT)) >= 15
    assert sorted(names) == sorted({*(f"attack_{a.name}" for a in course.attacks(ASSIGNMENT)),
                                    *(f"attack_forged_{kind}" for kind in FORGED)})
    assert all(_group(index) for index in range(GROUPS))
    assert {f"attack_{name}" for name in SLOW} <= set(names)



def _tree_hash(root: Path, skip=lambda rel: False) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if "__pycache__" in rel or skip(rel):
            continue
        if path.is_symlink():  # an attacker's link (to the gradebook, /dev/zero): the link itself, not its target
            out[rel] = "link -> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _gradebook_rows(db: Path, attackers: set[str]) -> dict[str, list]:
    """Every row of every table, leaving out the rows that belong to the attackers' own submissions."""
    con = sqlite3.connect(db)
    try:
        marks = ",".join("?" * len(attackers))
        ids = {r[0] for r in con.execute(f"SELECT id FROM submitted_assignment WHERE student_id IN ({marks})",
                                         sorted(attackers))}
        nb_ids = {r[0] for r in con.execute("SELECT id, assignment_id FROM submitted_notebook") if r[1] in ids}
        rows = {}
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            cols = [c[1] for c in con.execute(f"PRAGMA table_info({table})")]
            kept = []
            for row in con.execute(f"SELECT * FROM {table}"):
                rec = dict(zip(cols, row, strict=True))
                if table == "student" and rec.get("id") in attackers:
                    continue
                if table == "submitted_assignment" and rec.get("id") in ids:
                    continue
                if table == "submitted_notebook" and rec.get("id") in nb_ids:
                    continue
                if table in ("grade", "comment") and rec.get("notebook_id") in nb_ids:
                    continue
                kept.append(tuple(sorted(rec.items(), key=lambda kv: kv[0])))
            rows[table] = sorted(kept, key=repr)
        return rows
    finally:
        con.close()


def _escaped_sandbox_processes() -> list[str]:
    """Processes of sandbox users (``sandbox.is_sandbox_uid``) that no bubblewrap sandbox holds any more.

    Other tests may be grading in parallel, so a process of a sandbox user is fine while its first ancestor of
    another user is a ``bwrap``; a process that escaped its sandbox would hang from init or from a subreaper
    instead.
    """
    escaped = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            pid = int(entry.name)
            if not sandbox.is_sandbox_uid(_uid_and_parent(pid)[0]):
                continue
            start = pid
            while sandbox.is_sandbox_uid(_uid_and_parent(pid)[0]):
                pid = _uid_and_parent(pid)[1]
            if Path(f"/proc/{pid}/comm").read_text().strip() != "bwrap":
                args = Path(f"/proc/{start}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                escaped.append(f"{start} {args}")
        except (OSError, ValueError, KeyError):  # the process ended while we looked
            continue
    return escaped


def _uid_and_parent(pid: int) -> tuple[int, int]:
    fields = dict(row.split(":", 1) for row in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in row)
    return int(fields["Uid"].split()[0]), int(fields["PPid"])


class _Listener:
    """A TCP listener on 127.0.0.1 that counts connections (the only address this test ever uses)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def _forged(c: course.Course, kind: str) -> nbformat.NotebookNode:
    """Notebook-level forgeries of a blank submission: checksums and nbgrader metadata."""
    from nbgrader.utils import compute_checksum

    nb = c.release_notebook(ASSIGNMENT)
    if kind == "checksums":  # every test cell claims full marks, with a checksum that matches the edit
        for cell in nb.cells:
            if course.is_test(cell):
                cell.source = f"{cell.metadata['nbgrader']['points']}"
                cell.metadata["nbgrader"]["checksum"] = compute_checksum(cell)
    else:  # a solution cell becomes a 50-point test, test cells become solutions, a duplicate test cell first
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if course.is_solution(cell) and meta.get("grade_id") == "conv_full":
                meta.update(grade=True, solution=False, points=50, grade_id="test_bonus")
                cell.source = "50.0"
            elif course.is_test(cell):
                meta.update(solution=True, locked=False)
        fake = nbformat.v4.new_code_cell("10.0", metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "points": 10, "grade_id": "test_full",
            "schema_version": 3}})
        nb.cells.insert(0, fake)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


#: Run nbgrader (argv[2:]) and write its peak resident memory (KiB) to argv[1] when it exits.
_PEAK_RSS = """
import atexit, resource, runpy, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
sys.argv = ["nbgrader", *sys.argv[2:]]
runpy.run_module("nbgrader", run_name="__main__")
"""


@pytest.mark.parametrize("group", range(GROUPS), ids=lambda i: f"class{i + 1}of{GROUPS}")
def test_attacks_score_their_honest_part_and_harm_nobody(tmp_path, sandboxed, group):
    home = tmp_path / "home"
    (home / ".ipython" / "profile_default").mkdir(parents=True)
    (home / "notes.txt").write_text("the instructor's own file\n")
    listener = _Listener()
    try:
        env_home = {"HOME": str(home)}  # the grader's HOME: every nbgrader command of this test uses it
        c = course.Course(tmp_path / "course", timeout=CELL_TIMEOUT, time_scale=TIME_SCALE)
        c.nbgrader("generate_assignment", ASSIGNMENT, "--force", env=env_home)
        c.submit("victim", ASSIGNMENT, c.submission(ASSIGNMENT, "reference"))
        c.nbgrader("autograde", ASSIGNMENT, "--student", "victim", "--force", env=env_home)
        victim_before = c.scores(ASSIGNMENT, "victim")

        subs = {}
        for student, attack in _group(group):
            if isinstance(attack, str):  # a notebook forgery
                c.submit(student, ASSIGNMENT, _forged(c, attack))
                subs[student] = None
                continue
            subs[student] = attack
            concrete = attack.substituted(COURSE=c.root, REPO=REPO, HOME=home, PORT=listener.port)
            c.submit(student, ASSIGNMENT, c.submission(ASSIGNMENT, concrete))
            c.link(student, ASSIGNMENT, concrete.links)
        c.submit("zz_reference", ASSIGNMENT, c.submission(ASSIGNMENT, "reference"))
        c.submit("zz_blank", ASSIGNMENT, c.submission(ASSIGNMENT, "blank"))
        attackers = set(subs) | {"zz_reference", "zz_blank"}

        db = c.root / "gradebook.db"
        gradebook_before = _gradebook_rows(db, attackers)
        course_before = _tree_hash(c.root, skip=lambda rel: rel == "gradebook.db" or rel.startswith("autograded/"))
        autograded_victim = _tree_hash(c.root / "autograded" / "victim")
        repo_before = _tree_hash(REPO / "convlearn") | _tree_hash(REPO / "exercises", skip=lambda rel: rel.startswith(
            ("release/", "submitted/", "autograded/", "feedback/")))
        home_before = _tree_hash(home)

        peak = tmp_path / "peak_rss_kib"
        proc = subprocess.run([sys.executable, "-c", _PEAK_RSS, str(peak), "autograde", ASSIGNMENT, "--student",
                               "[az]*", "--force", f"--Execute.timeout={CELL_TIMEOUT}",
                               f"--SandboxedGrade.interrupt_grace={INTERRUPT_GRACE}",
                               f"--SandboxedGrade.time_scale={TIME_SCALE}"],
                              cwd=c.root, env={**course.environment(), **env_home}, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-6000:]
        # the grader's own memory stays bounded however much the kernels send (an honest class needs ~200 MB)
        assert int(peak.read_text()) < 1_000_000, f"the grader grew to {int(peak.read_text()) >> 10} MiB"
        time.sleep(5)  # a daemon that survived would now edit the gradebook

        assert _escaped_sandbox_processes() == [], "processes of the sandbox user outlived their sandbox"
        assert listener.connections == 0, "a submission reached a listener on the grader's loopback"
        for student, attack in subs.items():
            expect = attack.expect if attack is not None else {}
            got = c.scores(ASSIGNMENT, student)
            want = {gid: expect.get(gid, 0.0) for gid in got}
            assert {g: s for g, (s, _) in got.items()} == pytest.approx(want), f"{student}: {got}"
        full = sum(m for _, m in victim_before.values())
        assert sum(s for s, _ in c.scores(ASSIGNMENT, "zz_reference").values()) == pytest.approx(full)
        assert sum(s for s, _ in c.scores(ASSIGNMENT, "zz_blank").values()) == 0
        assert c.scores(ASSIGNMENT, "victim") == victim_before
        assert _gradebook_rows(db, attackers) == gradebook_before
        assert _tree_hash(c.root, skip=lambda rel: rel == "gradebook.db" or rel.startswith("autograded/")) \
            == course_before
        assert _tree_hash(c.root / "autograded" / "victim") == autograded_victim
        assert _tree_hash(REPO / "convlearn") | _tree_hash(REPO / "exercises", skip=lambda rel: rel.startswith(
            ("release/", "submitted/", "autograded/", "feedback/"))) == repo_before
        assert _tree_hash(home) == home_before

        # what an attack prints when it finds nothing to use (it cannot see the tests or the links' targets)
        for student, attack in subs.items():
            graded = nbformat.read(c.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4) \
                if (c.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists() else None
            outputs = "" if graded is None else "".join(
                str(o.get("text", "")) + str((o.get("data") or {}).get("text/plain", ""))
                for cell in graded.cells for o in cell.get("outputs", ()))
            for text in (attack.shows if attack is not None else ()):
                assert text in outputs, f"{student}: {text!r} not in its outputs: {outputs[-2000:]}"
            assert "the instructor's own file" not in outputs
        # nothing but regular files of the submissions was copied: no link, no /dev/zero, no gradebook
        for path in (c.root / "autograded").rglob("*"):
            assert not path.is_symlink(), path
            assert path.name not in ("zero.bin", "gradebook.db", "notes.txt", "classmate.ipynb"), path
        if "attack_symlink_source_notebook" in subs:
            assert not (c.root / "autograded" / "attack_symlink_source_notebook" / ASSIGNMENT
                        / f"{ASSIGNMENT}.ipynb").exists()
            assert "refused a2_discrete1d.ipynb: a symbolic link" in proc.stderr, proc.stderr[-3000:]

        # hidden tests reach neither the kernel's outputs nor the feedback
        c.nbgrader("generate_feedback", ASSIGNMENT, "--student", "attack_*", "--force", env=env_home)
        for student in subs:
            graded = (c.root / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
            if not graded.exists():  # its notebook was refused: nothing graded, no feedback
                continue
            nb = nbformat.read(graded, 4)
            outputs = "".join(str(cell.get("outputs", "")) for cell in nb.cells if not course.is_test(cell))
            html = (c.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
            for marker in HIDDEN_MARKERS:
                assert marker not in outputs, f"{student}: hidden test code in the kernel's outputs"
                assert marker not in html, f"{student}: hidden test code in the feedback"
    finally:
        listener.close()


_LAUNCH = """
import subprocess, sys
from convlearn.grading.grader import sandbox
sys.exit(subprocess.call(sandbox.bwrap_command([sys.executable, "-c", sys.argv[1]], sockets=None, connection=None,
                                               cwd=None)))
"""
_FORK_BOMB = """
import os, time
n = 0
try:
    while True:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        n += 1
except OSError:
    pass
print("full", n, flush=True)
time.sleep(60)
"""
_THREADS = """
import threading, time
threads = [threading.Thread(target=time.sleep, args=(0.2,)) for _ in range(32)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads ok")
"""


def test_a_fork_bomb_does_not_starve_a_kernel_graded_beside_it(sandboxed):
    """Each sandbox has a user of its own (grading as root), so one kernel that uses up its process limit
    leaves another, graded at the same time, able to start the threads a Jupyter kernel needs."""
    if os.geteuid() != 0:
        pytest.skip("sandbox users of their own are made when grading as root")
    bomb = subprocess.Popen([sys.executable, "-c", _LAUNCH, _FORK_BOMB], stdout=subprocess.PIPE, text=True)
    try:
        line = bomb.stdout.readline()
        assert line.startswith("full"), line
        assert int(line.split()[1]) >= sandbox.LIMITS["processes"] - 8  # it really did fill its quota
        other = subprocess.run([sys.executable, "-c", _LAUNCH, _THREADS], capture_output=True, text=True, timeout=120)
        assert other.stdout.strip() == "threads ok", other.stdout + other.stderr
    finally:
        bomb.kill()
        bomb.wait()
