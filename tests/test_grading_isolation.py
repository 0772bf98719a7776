"""What a submission can reach: the files grading takes from it, what its kernel sees, the memory it may hold.

Unit-level tests of :mod:`convlearn.grading.grader.submission`,
:func:`convlearn.grading.grader.sandbox.stage_files`, the
``nbgrader collect`` that takes regular files only, and the sandbox's memory group; the whole path, through
``nbgrader autograde``, is in ``test_grading_attacks.py`` (the ``symlink_*`` and ``read_graded_notebook``
attacks).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from convlearn.grading.grader import sandbox, submission


@pytest.fixture
def folder(tmp_path):
    """A submission folder with one of everything: regular files, links to files and folders, a FIFO."""
    root = tmp_path / "sub"
    (root / "data").mkdir(parents=True)
    (root / "a.ipynb").write_text("{}")
    (root / "data" / "x.csv").write_text("1,2\n")
    (root / ".hidden").write_text("h")
    secret = tmp_path / "secret.txt"
    secret.write_text("the instructor's file")
    os.symlink(secret, root / "notes.txt")
    os.symlink("/dev/zero", root / "zero.bin")
    os.symlink(tmp_path, root / "up")
    os.mkfifo(root / "pipe")
    return root


def test_inspect_takes_regular_files_and_refuses_everything_else(folder):
    accepted, refused = submission.inspect(folder)
    assert accepted == [".hidden", "a.ipynb", "data/x.csv"]
    assert refused == {"notes.txt": "a symbolic link", "zero.bin": "a symbolic link", "up": "a symbolic link",
                       "pipe": "a named pipe (FIFO)"}


def test_inspect_bounds_sizes_and_counts(tmp_path):
    root = tmp_path / "sub"
    root.mkdir()
    for i in range(5):
        (root / f"f{i}.txt").write_bytes(b"x" * 100)
    (root / "big.bin").write_bytes(b"y" * 1000)
    accepted, refused = submission.inspect(root, max_file=500, max_total=250, max_files=10)
    assert accepted == ["f0.txt", "f1.txt"]
    assert "more than the 500" in refused["big.bin"] and "in all" in refused["f2.txt"]
    accepted, refused = submission.inspect(root, max_files=3)
    assert len(accepted) == 3 and sum("more than 3 files" in why for why in refused.values()) == 3


def test_a_folder_that_is_a_link_is_refused_whole(tmp_path, folder):
    os.symlink(folder, tmp_path / "link")
    assert submission.inspect(tmp_path / "link") == ([], {".": "the submission folder is a symbolic link, not a "
                                                              "folder"})


def test_copy_regular_never_follows_links(folder, tmp_path):
    assert submission.copy_regular(folder / "data" / "x.csv", tmp_path / "copy.csv") == 4
    for name in ("notes.txt", "zero.bin", "pipe"):
        with pytest.raises(submission.SubmissionError):
            submission.copy_regular(folder / name, tmp_path / "bad")
    with pytest.raises(submission.SubmissionError, match="more than"):
        submission.copy_regular(folder / "data" / "x.csv", tmp_path / "small", limit=2)


def test_a_kernel_is_shown_data_files_only(folder, tmp_path):
    """No notebook (the graded one holds the hidden tests), no hidden file, nothing a link points at."""
    into = tmp_path / "staged"
    into.mkdir()
    refused = sandbox.stage_files(folder, into)
    shown = sorted(p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file())
    assert shown == ["data/x.csv"]
    assert set(refused) == {"notes.txt", "zero.bin", "up", "pipe"}
    assert not any(p.is_symlink() for p in into.rglob("*"))


def test_collect_takes_regular_files_only(folder, tmp_path):
    from nbgrader.coursedir import CourseDirectory

    from convlearn.grading.grader.nbgrader_plugin import SafeCollect

    collect = SafeCollect(coursedir=CourseDirectory(root=str(tmp_path / "course")))
    collect.do_copy(str(folder), str(tmp_path / "collected"))
    got = sorted(p.relative_to(tmp_path / "collected").as_posix() for p in (tmp_path / "collected").rglob("*")
                 if p.is_file() or p.is_symlink())
    assert got == [".hidden", "a.ipynb", "data/x.csv"]  # nbgrader's own ignore list is applied on top
    # a submission folder that is itself a link (to a classmate's) is not collected at all
    os.symlink(folder, tmp_path / "student+a1+2026-01-01 00:00:00.000000 UTC")
    collect.do_copy(str(tmp_path / "student+a1+2026-01-01 00:00:00.000000 UTC"), str(tmp_path / "nothing"))
    assert not (tmp_path / "nothing").exists()


_FORK_HOARD = """
import os, sys, time
import numpy as np
for _ in range(4):
    if os.fork() == 0:
        try:
            hoard = [np.ones(100 << 20, dtype=np.uint8) for _ in range(4)]
            print("child held", len(hoard) * 100, "MB", flush=True)
        finally:
            os._exit(0)
for _ in range(4):
    os.wait()
print("parent done", flush=True)
"""


def test_a_sandbox_that_forks_is_bounded_in_memory_in_all():
    """The processes of one sandbox share one memory limit (a cgroup), not one each (RLIMIT_AS)."""
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(why)
    group = sandbox.MemoryGroup.create(f"test-{os.getpid()}", 300 << 20)
    if group is None:
        pytest.skip("no writable memory cgroup here: the sandbox falls back on its per-process limits")
    try:
        cmd = sandbox.bwrap_command([sys.executable, "-c", _FORK_HOARD], sockets=None, connection=None, cwd=None)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, preexec_fn=group.join)
        assert "parent done" in proc.stdout, proc.stdout + proc.stderr
        assert "child held 400 MB" not in proc.stdout  # no child got all it asked for: 4 x 400 MB > 300 MB
        assert group.peak() is None or group.peak() <= 300 << 20
    finally:
        group.remove()
    assert not Path(group.path).exists()


def test_a_python_environment_under_the_temporary_directory_is_not_hidden(monkeypatch, tmp_path):
    """The private /tmp is mounted before the Python directories are bound, so a venv in /tmp stays visible."""
    venv = Path("/tmp") / tmp_path.name / "venv"
    monkeypatch.setattr(sandbox, "_python_dirs", lambda: [venv])
    cmd = sandbox.bwrap_command(["/bin/true"], sockets=None, connection=None, cwd=None)
    assert cmd.index("--tmpfs") < cmd.index(str(venv))
    assert cmd[cmd.index(str(venv)) - 1] == "--ro-bind"


def test_every_forbidden_routine_still_exists():
    """A renamed library routine would silently stop being blocked: every listed name must resolve."""
    from convlearn import grading
    from convlearn.grading.names import resolve

    lists = {name: getattr(grading, name) for name in ("INTEGRALS", "CONV_1D", "CONV_2D", "CONV_LAYER",
                                                        "CONV_BACKWARD", "CNN_LAYERS")}
    missing = sorted({dotted for names in lists.values() for dotted in names
                      if dotted.split(".")[0] in ("numpy", "scipy", "convlearn")
                      and resolve(dotted, may_import=("numpy", "scipy", "convlearn")) is None})
    assert missing == []


def test_an_ordinary_user_gets_a_user_namespace_of_its_own(monkeypatch):
    """bwrap 0.8 refuses --disable-userns unless --unshare-user is spelled out (--unshare-all only tries it)."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    cmd = sandbox.bwrap_command(["/bin/true"], sockets=None, connection=None, cwd=None)
    assert cmd.index("--unshare-user") < cmd.index("--disable-userns")
    assert "setpriv" not in " ".join(cmd)


def test_a_launcher_whose_grader_died_while_it_started_starts_no_sandbox(tmp_path):
    """The grader (its pid in ``PARENT_ENV``) died before the launcher asked to die with it: the launcher has been
    adopted by another process, no signal would ever end it, so it must end at once instead of starting a kernel
    (before the check, such a launcher started its sandbox and waited for it forever)."""
    runtime = tmp_path / "run"
    runtime.mkdir()
    connection = runtime / "kernel.json"
    connection.write_text('{"transport": "ipc", "ip": "%s", "shell_port": 1, "iopub_port": 2, "stdin_port": 3, '
                          '"control_port": 4, "hb_port": 5, "key": "k", "signature_scheme": "hmac-sha256"}'
                          % (runtime / "kernel-ipc"))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that is no longer this test's (nor, while the test runs, the launcher's) parent
    env = {**os.environ, sandbox.PARENT_ENV: str(gone.pid)}
    proc = subprocess.Popen([sys.executable, "-m", "convlearn.grading.grader.sandbox", str(connection)], env=env,
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.wait()
    assert proc.returncode == 1 and not out and not err, (proc.returncode, out, err)
    assert sorted(p.name for p in runtime.iterdir()) == ["kernel.json"]  # no socket: no kernel ever started
    # with the grader it names alive (this test), the same check lets a launcher go on
    assert sandbox.die_with_parent(0, os.getppid()) and not sandbox.die_with_parent(0, gone.pid)


_MAKE_AND_HANG = ("import sys, time\nfrom convlearn.grading.grader import sandbox\n"
                  "print(sandbox.owned_tempdir(sys.argv[1], sys.argv[2] or None) if sys.argv[1] else "
                  "sandbox.private_runtime_dir(), flush=True)\ntime.sleep(120)\n")


def _made_by_a_killed_process(prefix: str, base: str) -> Path:
    """What ``owned_tempdir(prefix, base)`` (``private_runtime_dir()`` if no prefix) made in a process then killed."""
    proc = subprocess.Popen([sys.executable, "-c", _MAKE_AND_HANG, prefix, base], stdout=subprocess.PIPE, text=True)
    try:
        path = Path(proc.stdout.readline().strip())
    finally:
        proc.kill()
        proc.wait()
    assert path.is_dir()  # SIGKILL: no clean-up ran
    return path


def test_a_killed_process_temporary_folder_is_removed_by_the_next(tmp_path):
    left = _made_by_a_killed_process("t-", str(tmp_path))
    unclaimed = tmp_path / "t-unclaimed"  # its owner file not written yet: left alone
    unclaimed.mkdir()
    abandoned = tmp_path / "t-abandoned"  # no owner file a minute on: its owner was killed before writing it
    abandoned.mkdir()
    old = time.time() - sandbox.UNCLAIMED_SECONDS - 1
    os.utime(abandoned, (old, old))
    other = _made_by_a_killed_process("u-", str(tmp_path))  # another prefix: not this call's business
    mine = sandbox.owned_tempdir("t-", str(tmp_path))
    assert not left.exists() and not abandoned.exists()
    assert unclaimed.is_dir() and other.is_dir()
    assert (mine / sandbox.OWNER_FILE).read_text() == str(os.getpid())
    again = sandbox.owned_tempdir("t-", str(tmp_path))  # a living owner's folder is kept
    assert mine.is_dir() and again.is_dir() and again != mine
    sandbox.remove_orphans("u-", str(tmp_path))
    assert not other.exists()


def test_a_killed_grader_kernel_folder_is_removed_by_the_next_grader():
    left = _made_by_a_killed_process("", "")
    assert left.name.startswith(sandbox.RUNTIME_PREFIX)
    made = sandbox.private_runtime_dir()  # removed when this process ends
    assert not left.exists() and made.is_dir()


def test_a_killed_launcher_memory_group_is_removed_by_the_next():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid now names no process
    left = sandbox.MemoryGroup.create(f"test-left-{dead.pid}", 300 << 20)
    if left is None:
        pytest.skip("no writable memory cgroup here: the sandbox falls back on its per-process limits")
    group = sandbox.MemoryGroup.create(f"test-{os.getpid()}", 300 << 20)
    try:
        assert not left.path.exists()
        assert group.path.is_dir()  # its process (this one) is alive
    finally:
        group.remove()
        left.remove()


_START_AND_DIE = ("import subprocess, sys\nfrom convlearn.grading.grader import sandbox\n"
                  "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], "
                  "preexec_fn=sandbox._bwrap_preexec(None, __import__('os').getpid()))\n"
                  "print(child.pid, flush=True)\n__import__('time').sleep(120)\n")


def test_bubblewrap_dies_with_a_launcher_killed_as_it_starts():
    """The process the launcher starts for bubblewrap is set to die with the launcher before it runs anything."""
    import signal
    import time

    launcher = subprocess.Popen([sys.executable, "-c", _START_AND_DIE], stdout=subprocess.PIPE, text=True)
    try:
        child = int(launcher.stdout.readline())
    finally:
        launcher.kill()
        launcher.wait()
    end = time.monotonic() + 10
    while time.monotonic() < end:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the launcher's child outlived it")


def test_a_sandboxed_kernel_runs_without_the_debugger_completion_and_terminal(monkeypatch):
    """The graded kernel (``_inside.KERNEL``) is ipykernel without debugpy, jedi and IPython's terminal front end: it
    starts and runs code with IPython; neither package is loaded or can be imported in it, prompt_toolkit is not
    loaded, and ``IPython.embed()`` says that it needs a terminal."""
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(why)
    from jupyter_client import KernelManager

    runtime = sandbox.private_runtime_dir()
    sandbox.install_kernelspec(runtime)  # as the course's configure() does
    monkeypatch.setenv("JUPYTER_PATH", str(runtime))
    (runtime / "runtime").mkdir(mode=0o711)
    km = KernelManager(kernel_name=sandbox.KERNEL_NAME, transport="ipc",
                       connection_file=str(runtime / "runtime" / "kernel.json"))
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        code = ("import sys\n"
                "print(get_ipython().__class__.__name__, [m for m in ('debugpy', 'jedi') if sys.modules.get(m)])\n"
                "for m in ('debugpy', 'jedi'):\n"
                "    try:\n"
                "        __import__(m)\n"
                "    except ImportError:\n"
                "        print(m, 'absent')\n"
                "print('prompt_toolkit' in sys.modules, 'IPython.terminal.interactiveshell' in sys.modules)\n"
                "import IPython\n"
                "try:\n"
                "    IPython.embed()\n"
                "except RuntimeError as e:\n"
                "    print(e)\n")
        out = []
        reply = kc.execute_interactive(code, timeout=60, output_hook=lambda msg: out.append(
            msg["content"].get("text", "")) if msg["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok", reply["content"]
        assert "".join(out).split("\n")[:5] == ["ZMQInteractiveShell []", "debugpy absent", "jedi absent",
                                                 "False False",
                                                 "IPython.embed() needs a terminal: a grading sandbox has none"], out
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
