"""The course on a JupyterHub for a class (exercises/hub/), with real Unix accounts, tested end to end.

One module-scoped hub on 127.0.0.1 (free ports, its own database, cookie secret, proxy token and exchange in a
temporary directory), started as root from ``exercises/hub/jupyterhub_config.py`` with configurable-http-proxy;
Unix accounts made here with ``useradd`` (an instructor, a teaching assistant, the course account that owns the
course and runs the Formgrader service, three students) and removed afterwards, with their processes and files,
also when a test fails. Students log in with their Unix passwords (PAM), fetch and submit through the hub; the
course account collects, autogrades (in the bubblewrap sandbox) and releases feedback; a student attacks the
exchange. Skipped when not root or without useradd/configurable-http-proxy, unless CONVLEARN_REQUIRE_HUB=1.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest

REPO = Path(__file__).resolve().parents[1]
HUB_CONFIG = REPO / "exercises" / "hub" / "jupyterhub_config.py"
GLOBAL_CONFIG_DIR = REPO / "exercises" / "hub" / "jupyter"
ASSIGNMENT = "a2_discrete1d"
COURSE_ID = "convlearn"

sys.path.insert(0, str(REPO / "exercises" / "testing"))
from course import Course, variants  # noqa: E402

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def _required() -> bool:
    return os.environ.get("CONVLEARN_REQUIRE_HUB", "") not in ("", "0")


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "the hub test makes Unix accounts and runs JupyterHub as root: run it as root"
    for tool in ("useradd", "userdel", "chpasswd", "runuser", "configurable-http-proxy", "bwrap"):
        if shutil.which(tool) is None:
            hint = "npm install -g configurable-http-proxy" if tool == "configurable-http-proxy" else tool
            return f"{tool} is missing ({hint})"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "jupyterhub is not installed (pip install -r requirements.txt)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    """The running hub, its accounts and helpers to act as one of them."""

    def __init__(self, base: Path):
        self.base = base
        tag = secrets.token_hex(2)
        self.instructor, self.ta, self.course_user = f"clh{tag}i", f"clh{tag}t", f"clh{tag}c"
        self.students = [f"clh{tag}s{i}" for i in (1, 2, 3)]
        self.users = [self.instructor, self.ta, self.course_user, *self.students]
        self.passwords = {u: secrets.token_urlsafe(12) for u in self.users}
        self.exchange = base / "exchange"
        self.state = base / "state"
        self.home = base / "home"
        self.course_dir = self.home / self.course_user / COURSE_ID
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = base / "jupyterhub.log"
        self._chmods: list[tuple[Path, int]] = []

    # --- acting as a Unix user -------------------------------------------------------------------
    def env(self, user: str) -> dict:
        home = self.home / user
        return {"HOME": str(home), "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
                "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
                "PYTHONPATH": str(REPO), "JUPYTER_CONFIG_PATH": str(GLOBAL_CONFIG_DIR),
                "CONVLEARN_EXCHANGE": str(self.exchange), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                "PYDEVD_DISABLE_FILE_VALIDATION": "1"}

    def run(self, user: str, *cmd: str, cwd: Path | None = None, check: bool = True,
            timeout: float = 600) -> subprocess.CompletedProcess:
        proc = subprocess.run([shutil.which("runuser"), "-u", user, "--", *cmd], cwd=cwd or self.home / user,
                              env=self.env(user), capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"as {user}: {' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n"
                                 f"{proc.stderr}")
        return proc

    def nbgrader(self, user: str, *args: str, cwd: Path | None = None, check: bool = True):
        return self.run(user, sys.executable, "-m", "nbgrader", *args, cwd=cwd, check=check)

    def sh(self, user: str, script: str) -> subprocess.CompletedProcess:
        """A shell command as ``user`` (an attack); returns the finished process, failing or not."""
        return self.run(user, "/bin/sh", "-c", script, check=False, timeout=120)

    # --- set-up and tear-down ----------------------------------------------------------------------
    def _open_path_to(self, path: Path) -> None:
        """Let other users traverse to ``path`` (e.g. a Python under /root), until teardown."""
        for d in [*reversed(path.resolve().parents), path.resolve()]:
            mode = d.stat().st_mode
            if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
                self._chmods.append((d, stat.S_IMODE(mode)))
                d.chmod(stat.S_IMODE(mode) | stat.S_IXOTH)

    def make_accounts(self) -> None:
        self.home.mkdir(mode=0o755)
        for user in self.users:
            subprocess.run(["useradd", "--create-home", "--home-dir", str(self.home / user), "--user-group",
                            "--shell", "/bin/sh", user], check=True, capture_output=True)
            (self.home / user).chmod(0o700)
        subprocess.run(["chpasswd"], input="".join(f"{u}:{p}\n" for u, p in self.passwords.items()), text=True,
                       check=True, capture_output=True)

    def start(self) -> None:
        self.state.mkdir(mode=0o700)
        env = {"PATH": f"{os.path.dirname(sys.executable)}:{os.environ.get('PATH', '/usr/bin:/bin')}",
               "LANG": "C.UTF-8", "HOME": str(self.state), "PYTHONPATH": str(REPO),
               "CONVLEARN_HUB_STATE": str(self.state), "CONVLEARN_HUB_PORT": str(self.port),
               "CONVLEARN_HUB_API_PORT": str(_free_port()), "CONVLEARN_PROXY_API_PORT": str(_free_port()),
               "CONVLEARN_FORMGRADER_PORT": str(_free_port()), "CONVLEARN_COURSE_USER": self.course_user,
               "CONVLEARN_COURSE_DIR": str(self.course_dir), "CONVLEARN_INSTRUCTORS": self.instructor,
               "CONVLEARN_GRADERS": self.ta, "CONVLEARN_STUDENTS": ",".join(self.students),
               "CONVLEARN_EXCHANGE": str(self.exchange), "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32)}
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(["jupyterhub", "-f", str(HUB_CONFIG)], cwd=self.state, env=env,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        import requests
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited ({self.proc.returncode}):\n{self.log.read_text()[-4000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/hub/api/", timeout=5).status_code == 200:
                    return
            time.sleep(1)
        raise RuntimeError(f"jupyterhub did not answer in 120 s:\n{self.log.read_text()[-4000:]}")

    def _pids_of_users(self) -> list[int]:
        uids = set()
        for u in self.users:
            with contextlib.suppress(KeyError):
                uids.add(pwd.getpwnam(u).pw_uid)
        pids = []
        for p in Path("/proc").iterdir():
            if p.name.isdigit():
                with contextlib.suppress(OSError):
                    if p.stat().st_uid in uids:
                        pids.append(int(p.name))
        return pids

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)       # the hub stops the users' servers, the service, the proxy
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        with contextlib.suppress(OSError, ValueError):  # the proxy, should the hub have left it running
            os.kill(int((self.state / "proxy.pid").read_text()), signal.SIGTERM)
        for _ in range(2):                                # processes of the test's own accounts, by pid
            for pid in self._pids_of_users():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        for user in self.users:
            subprocess.run(["userdel", "--remove", user], capture_output=True)
            subprocess.run(["groupdel", user], capture_output=True)
        for path, mode in reversed(self._chmods):
            with contextlib.suppress(OSError):
                path.chmod(mode)
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module")
def hub():
    reason = _why_not()
    if reason:
        if _required():
            pytest.fail(f"CONVLEARN_REQUIRE_HUB is set but {reason}")
        pytest.skip(reason)
    base = Path(tempfile.mkdtemp(prefix="convlearn-hub-"))
    base.chmod(0o755)
    h = Hub(base)
    try:
        h._open_path_to(Path(sys.prefix))
        h._open_path_to(Path(sys.executable).resolve().parent)
        h._open_path_to(REPO)
        h.make_accounts()
        # the course: a copy of exercises/ owned by the course account, the assignment generated and released
        Course(h.course_dir)
        subprocess.run(["chown", "-R", f"{h.course_user}:{h.course_user}", str(h.course_dir)], check=True)
        from convlearn.grading.grader.exchange import prepare
        prepare(h.exchange, COURSE_ID, h.course_user, h.students)
        h.nbgrader(h.course_user, "generate_assignment", ASSIGNMENT, "--force", cwd=h.course_dir)
        h.nbgrader(h.course_user, "release_assignment", ASSIGNMENT, cwd=h.course_dir)
        h.start()
        yield h
    finally:
        h.close()


# --- helpers --------------------------------------------------------------------------------------------------

def _login(context, hub: Hub, user: str, next_path: str = ""):
    """A new page of ``context``, logged in at the hub's login page with the user's Unix password."""
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login" + (f"?next={quote(next_path)}" if next_path else ""))
    page.fill("input#username_input", user)
    page.fill("input#password_input", hub.passwords[user])
    page.click("#login_submit")
    return page


def _fill_in(hub: Hub, student: str, variant) -> None:
    """Write a filled-in notebook into the student's fetched assignment (as the student would, by editing)."""
    import nbformat
    course = Course(hub.course_dir, copy=False)
    path = hub.home / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nbformat.write(course.submission(ASSIGNMENT, variant), path)
    os.chown(path, pwd.getpwnam(student).pw_uid, pwd.getpwnam(student).pw_gid)


def _shot(page, name: str) -> None:
    """A screenshot into $CONVLEARN_SCREENSHOTS (when set), to look at."""
    folder = os.environ.get("CONVLEARN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"hub_{name}.png"))


def _student_in_browser(browser, hub: Hub, student: str) -> None:
    """Log in, open the Assignment List, fetch, fill in (the reference solutions), submit."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = _login(context, hub, student)
        page.wait_for_url(re.compile(rf"/user/{student}/lab"), timeout=180_000)
        page.wait_for_selector(".jp-LabShell", timeout=120_000)
        page.get_by_text("Nbgrader", exact=True).click()
        page.get_by_text("Assignment List", exact=True).click()
        released = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT).first
        released.wait_for(timeout=60_000)
        _shot(page, "1_assignment_list")
        released.get_by_role("button", name="Fetch").click()
        fetched = page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first
        fetched.wait_for(timeout=60_000)
        _fill_in(hub, student, "reference")
        fetched.get_by_role("button", name="Submit").click()
        page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)
        _shot(page, "2_submitted")
    finally:
        context.close()


def _fetch_feedback_in_browser(browser, hub: Hub, student: str) -> Path:
    """Log in again, open the Assignment List and press *Fetch Feedback*; the fetched page's path."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = _login(context, hub, student, next_path=f"/user/{student}/lab")
        page.wait_for_selector(".jp-LabShell", timeout=180_000)
        page.get_by_text("Nbgrader", exact=True).click()
        page.get_by_text("Assignment List", exact=True).click()
        submitted = page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first
        submitted.wait_for(timeout=60_000)
        submitted.get_by_role("button", name="Fetch Feedback").click()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            pages = list((hub.home / student / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
            if pages:
                page.wait_for_timeout(1000)
                _shot(page, "4_feedback_fetched")
                return pages[0]
            time.sleep(1)
        raise AssertionError(f"{student}: Fetch Feedback fetched nothing")
    finally:
        context.close()


def _open_as(browser, hub: Hub, user: str, path: str, shot: str | None = None) -> tuple[int, str, str]:
    """Log ``user`` in (straight to ``path``: no server of their own is started) and open ``path``.

    Returns the status, the final URL and the Content-Security-Policy of the page.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = _login(context, hub, user, next_path=path)
        page.wait_for_load_state("networkidle", timeout=120_000)
        response = page.goto(f"{hub.url}{path}", timeout=120_000)
        if response.status == 200 and shot:
            page.get_by_text(ASSIGNMENT).first.wait_for(timeout=60_000)
            _shot(page, shot)
        return response.status, page.url, response.headers.get("content-security-policy", "")
    finally:
        context.close()


def _submission_dirs(hub: Hub, student: str) -> list[Path]:
    return sorted((hub.exchange / COURSE_ID / "inbound" / student).iterdir())


# --- the test -------------------------------------------------------------------------------------------------

@pytest.mark.browser
def test_a_class_on_the_hub(hub, chromium):
    s1, s2, s3 = hub.students
    uid = {u: pwd.getpwnam(u).pw_uid for u in hub.users}
    course = Course(hub.course_dir, copy=False)
    ex = hub.exchange / COURSE_ID

    # 1. student 1 in the browser: login page, Assignment List, Fetch, Submit
    _student_in_browser(chromium, hub, s1)
    (sub1,) = _submission_dirs(hub, s1)
    assert sub1.name.startswith(f"{s1}+{ASSIGNMENT}+") and sub1.stat().st_uid == uid[s1]
    s1_notebook = (sub1 / f"{ASSIGNMENT}.ipynb").read_bytes()

    # 2. students 2 and 3 with the same nbgrader commands, as themselves
    buggy = next(v for v in variants(ASSIGNMENT) if v.kind == "buggy")
    for student, variant in ((s2, buggy), (s3, "blank")):
        hub.nbgrader(student, "fetch_assignment", ASSIGNMENT)
        _fill_in(hub, student, variant)
        hub.nbgrader(student, "submit", ASSIGNMENT)

    # 3. student 3 attacks the exchange; every attempt must fail
    attacks = {
        "list another's inbound": f"ls {ex}/inbound/{s1}",
        "read another's submission": f"cat '{sub1}/{ASSIGNMENT}.ipynb'",
        "read another's submission secret": f"cat '{sub1}/submission_secret.txt'",
        "list all submissions": f"ls {ex}/inbound",
        "delete another's submission": f"rm -rf '{sub1}'",
        "rename another's submission": f"mv '{sub1}' {ex}/inbound/{s3}/stolen",
        "write into another's inbound": f"touch {ex}/inbound/{s1}/{s1}+{ASSIGNMENT}+2099-01-01+forged",
        "create a submission in inbound": f"mkdir '{ex}/inbound/{s1}+{ASSIGNMENT}+2099-01-01 00:00:00 UTC'",
        "tamper with the release": f"echo x >> {ex}/outbound/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
        "replace the release": f"rm -rf {ex}/outbound/{ASSIGNMENT}",
        "add to the release": f"touch {ex}/outbound/{ASSIGNMENT}/extra.py",
        "release an assignment": f"mkdir {ex}/outbound/fake",
        "fill the exchange root": f"dd if=/dev/zero of={hub.exchange}/fill bs=1M count=1",
        "fill the course": f"dd if=/dev/zero of={ex}/fill bs=1M count=1",
        "fill the feedback": f"dd if=/dev/zero of={ex}/feedback/fill bs=1M count=1",
        "rename the course": f"mv {ex} {hub.exchange}/gone",
        "open the course's files": f"ls {hub.course_dir}",
    }
    for name, script in attacks.items():
        r = hub.sh(s3, script)
        assert r.returncode != 0 and "Permission denied" in r.stderr, f"{name}: {script} -> {r.returncode} {r.stderr}"
    r = hub.nbgrader(s3, "submit", ASSIGNMENT, f"--student={s1}", check=False)
    assert r.returncode != 0 and f"cannot submit as {s1}" in (r.stdout + r.stderr)
    r = hub.nbgrader(s3, "release_assignment", ASSIGNMENT, "--force", check=False)
    assert r.returncode != 0
    # ... and what it can do in its own inbound directory, which collect must refuse
    own = ex / "inbound" / s3
    later = "2099-01-01 00:00:00.000000 UTC"
    forged = {
        "names another student": f"cp -r '{_submission_dirs(hub, s3)[0]}' '{own}/{s1}+{ASSIGNMENT}+{later}+a'",
        "a link to the solutions": f"ln -s {hub.course_dir}/source/{ASSIGNMENT} '{own}/{s3}+{ASSIGNMENT}+{later}+b'",
        "holds a link": f"mkdir '{own}/{s3}+{ASSIGNMENT}+{later}+c' && ln -s "
                        f"{hub.course_dir}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb '{own}/{s3}+{ASSIGNMENT}+{later}+c/'",
        "too many files": f"mkdir '{own}/{s3}+{ASSIGNMENT}+{later}+d' && cd '{own}/{s3}+{ASSIGNMENT}+{later}+d' && "
                          "for i in $(seq 150); do : > f$i; done",
        "too large": f"mkdir '{own}/{s3}+{ASSIGNMENT}+{later}+e' && "
                     f"truncate -s 200M '{own}/{s3}+{ASSIGNMENT}+{later}+e/{ASSIGNMENT}.ipynb'",
    }
    for name, script in forged.items():
        r = hub.sh(s3, script)
        assert r.returncode == 0, f"setting up '{name}' failed: {r.stderr}"

    # 4. the course account (the Formgrader's user) collects, autogrades in the sandbox, releases feedback
    listed = hub.nbgrader(hub.course_user, "list", "--inbound", ASSIGNMENT, cwd=hub.course_dir)
    for student in hub.students:  # the instructor's view of the inbound directories (forged entries included)
        assert f"{COURSE_ID} {student} {ASSIGNMENT}" in listed.stdout + listed.stderr
    r = hub.nbgrader(hub.course_user, "collect", ASSIGNMENT, cwd=hub.course_dir)
    log = r.stdout + r.stderr
    assert log.count("Not collecting") == len(forged), log
    for student in hub.students:
        assert (hub.course_dir / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert not (hub.course_dir / "submitted" / s1 / ASSIGNMENT / "timestamp.txt").read_text().startswith("2099")
    assert (hub.course_dir / "submitted" / s1 / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes() == s1_notebook
    assert sub1.is_dir() and (sub1 / f"{ASSIGNMENT}.ipynb").read_bytes() == s1_notebook  # intact in the exchange
    if hub.run(hub.course_user, sys.executable, "-m", "convlearn.grading.grader.sandbox", "--check",
               check=False).returncode:
        # bubblewrap cannot make an unprivileged sandbox with convlearn.grading.grader.sandbox's options here (bwrap 0.8
        # wants --unshare-user beside --disable-userns): grade as root, as the rest of the suite does, and give
        # the course's files back to the course account
        warnings.warn("autograde as root: the course account cannot make a sandbox (see the hub guide)", stacklevel=1)
        course.nbgrader("autograde", ASSIGNMENT)
        subprocess.run(["chown", "-R", f"{hub.course_user}:{hub.course_user}", str(hub.course_dir)], check=True)
    else:
        hub.nbgrader(hub.course_user, "autograde", ASSIGNMENT, cwd=hub.course_dir)
    totals = {s: sum(score for score, _ in course.scores(ASSIGNMENT, s).values()) for s in hub.students}
    maxima = sum(m for _, m in course.scores(ASSIGNMENT, s1).values())
    assert totals[s1] == maxima == 10 and 0 < totals[s2] < maxima and totals[s3] == 0, totals
    hub.nbgrader(hub.course_user, "generate_feedback", ASSIGNMENT, cwd=hub.course_dir)
    hub.nbgrader(hub.course_user, "release_feedback", ASSIGNMENT, cwd=hub.course_dir)
    released = sorted(p.name for p in (ex / "feedback").iterdir())
    assert len(released) == 3
    r = hub.sh(s3, f"ls {ex}/feedback")
    assert r.returncode != 0 and "Permission denied" in r.stderr
    for name in released:  # even knowing the names (which it cannot learn), it cannot replace them
        r = hub.sh(s3, f"echo forged > {ex}/feedback/{name}; rm -f {ex}/feedback/{name}")
        assert "Permission denied" in r.stderr
    assert sorted(p.name for p in (ex / "feedback").iterdir()) == released

    # 5. each student fetches feedback (student 1 in the browser): their own, and only theirs
    feedback = {}
    for student in hub.students:
        if student == s1:  # in the browser, the others with the command
            _fetch_feedback_in_browser(chromium, hub, s1)
        else:
            hub.nbgrader(student, "fetch_feedback", ASSIGNMENT, *([f"--student={s1}"] if student == s3 else []))
        (page,) = (hub.home / student / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html")
        assert page.stat().st_uid == uid[student]
        feedback[student] = page.read_text()
    for student in hub.students:
        score = re.search(r"Score:\s*([0-9.]+)\s*/\s*([0-9.]+)", feedback[student]) or re.search(
            r"([0-9.]+)\s*/\s*10\.0", feedback[student])
        assert score and float(score.group(1)) == totals[student], (student, totals[student])

    # 6. the Formgrader: instructor and teaching assistant open it (a top-level page; the hub's CSP, which forbids
    # framing, is left in place), a student is refused
    service = f"/services/{COURSE_ID}/"
    status, url, csp = _open_as(chromium, hub, hub.instructor, service, shot="3_formgrader_instructor")
    assert status == 200 and "/formgrader" in url and "frame-ancestors 'none'" in csp, (status, url, csp)
    assert _open_as(chromium, hub, hub.ta, service)[0] == 200
    assert _open_as(chromium, hub, s2, service)[0] == 403
    assert _open_as(chromium, hub, s2, f"/user/{s1}/lab")[0] == 403   # nor another student's JupyterLab

    # 7. grades for the LMS, in Canvas's gradebook-import layout
    out = hub.course_dir / "canvas.csv"
    hub.nbgrader(hub.course_user, "export", "--exporter=convlearn.grading.grader.export.CanvasCsvExportPlugin",
                 f"--to={out}", cwd=hub.course_dir)
    import csv
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == 10
    assert {r[3]: float(r[5]) for r in rows[2:]} == totals


# --- the pieces that need no hub ------------------------------------------------------------------------------

def test_global_config_selects_the_safer_exchange(monkeypatch, tmp_path):
    """exercises/hub/jupyter/nbgrader_config.py: course id, exchange root from CONVLEARN_EXCHANGE, our classes."""
    from traitlets.config.loader import PyFileConfigLoader

    from convlearn.grading.grader import exchange
    monkeypatch.setenv("CONVLEARN_EXCHANGE", str(tmp_path))
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(GLOBAL_CONFIG_DIR)).load_config()
    assert cfg.CourseDirectory.course_id == COURSE_ID and cfg.Exchange.root == str(tmp_path)
    for step, cls in exchange.EXCHANGE_CLASSES.items():
        assert cfg.ExchangeFactory[step] == f"convlearn.grading.grader.exchange.{cls.__name__}"


def test_collect_refuses_links_special_files_and_bulk(tmp_path):
    from convlearn.grading.grader.exchange import _tree_problem
    sub = tmp_path / "sub"
    (sub / "d").mkdir(parents=True)
    (sub / "a.ipynb").write_text("{}")
    (sub / "d" / "b.txt").write_text("x" * 100)
    assert _tree_problem(str(sub), max_files=2, max_bytes=1000) is None
    (sub / "c").write_text("")
    assert "3 files" in _tree_problem(str(sub), max_files=2, max_bytes=10**6)
    assert "bytes" in _tree_problem(str(sub), max_files=10, max_bytes=50)
    (sub / "d" / "link").symlink_to("/etc/passwd")
    assert "symbolic link" in _tree_problem(str(sub), max_files=10, max_bytes=10**6)
    (sub / "d" / "link").unlink()
    os.mkfifo(sub / "fifo")
    assert "special file" in _tree_problem(str(sub), max_files=10, max_bytes=10**6)
