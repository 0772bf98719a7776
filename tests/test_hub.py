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
import json
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
from pathlib import Path

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
        proc = subprocess.run([shutil.which("runuser"), "-u", user, "--", *cmd], cwd=cwd or self.home / user, env=self.env(user),
                              capture_output=True, text=True, timeout=timeout)
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
        from convlearn.grading.exchange import prepare
        prepare(h.exchange, COURSE_ID, h.course_user, h.students)
        h.nbgrader(h.course_user, "generate_assignment", ASSIGNMENT, "--force", cwd=h.course_dir)
        h.nbgrader(h.course_user, "release_assignment", ASSIGNMENT, cwd=h.course_dir)
        h.start()
        yield h
    finally:
        h.close()


# --- logging in and fetching/submitting as a browser does ----------------------------------------------------

def _login(page, hub: Hub, user: str) -> None:
    page.goto(f"{hub.url}/hub/login")
    page.fill("input#username_input", user)
    page.fill("input#password_input", hub.passwords[user])
    page.click("#login_submit")


def _solution_into(hub: Hub, student: str, variant) -> None:
    """Write a filled-in notebook into the student's fetched assignment (as a student would, by editing)."""
    import nbformat
    course = Course(hub.course_dir, copy=False)
    path = hub.home / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nbformat.write(course.submission(ASSIGNMENT, variant), path)
    os.chown(path, pwd.getpwnam(student).pw_uid, pwd.getpwnam(student).pw_gid)


@pytest.mark.browser
def test_student_fetches_and_submits_in_the_browser(hub, chromium, tmp_path):
    student = hub.students[0]
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    try:
        _login(page, hub, student)
        page.wait_for_url(re.compile(rf"/user/{student}/lab"), timeout=180_000)
        page.wait_for_selector(".jp-LabShell", timeout=120_000)
        page.get_by_text("Nbgrader", exact=True).click()
        page.get_by_text("Assignment List", exact=True).click()
        row = page.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
        row.wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "assignment_list.png"))
        row.get_by_role("button", name="Fetch").click()
        page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)
        assert (hub.home / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").stat().st_uid == pwd.getpwnam(student).pw_uid
        _solution_into(hub, student, "reference")
        page.locator("#fetched_assignments_list .list_item", has_text=ASSIGNMENT).first.get_by_role(
            "button", name="Submit").click()
        page.locator("#submitted_assignments_list .list_item", has_text=ASSIGNMENT).first.wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "submitted.png"))
    finally:
        shutil.copytree(tmp_path, hub.base.parent / "convlearn-hub-shots", dirs_exist_ok=True)
        page.close()
    inbound = hub.exchange / COURSE_ID / "inbound" / student
    subs = list(inbound.iterdir())
    assert len(subs) == 1 and subs[0].name.startswith(f"{student}+{ASSIGNMENT}+")
