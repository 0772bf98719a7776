"""Sandboxed Jupyter kernels for grading: each student kernel in its own namespaces (Linux, bubblewrap).

The course ships a kernel specification, ``convlearn-sandbox`` (:func:`install_kernelspec`, done by the
course's ``nbgrader_config.py``), whose command is this module. Started by Jupyter with the path of a
connection file, it runs ``bwrap`` (Debian package ``bubblewrap``) so that the kernel:

- runs as an unprivileged user: when grading as root, a user of its own that owns no file and that no other
  kernel shares (:func:`sandbox_uid`); otherwise the instructor's own uid in a new user namespace;
- has no network (a namespace with only its own loopback), its own process, IPC and UTS namespaces, and
  disappears with every process it started when it ends (``--unshare-pid``, ``--die-with-parent``);
- sees a read-only view of the system (``/usr``, ``/etc``), of the Python environment and of the
  ``convlearn`` package (only the package directory, not the repository), a read-only copy of the
  assignment directory it grades, and nothing else: not ``source/``, the gradebook, other students' files,
  the course configuration or any home directory;
- writes only in a private ``/tmp`` of limited size (its HOME, scratch and working directory);
- is limited in CPU time, address space, number of processes, file size and open files (``prlimit``).

The kernel talks to the grader over Unix sockets (``--KernelManager.transport=ipc``) in a private directory
that only these sockets live in; the connection file is copied into the sandbox, not shared.

Run ``python -m convlearn.grading.grader.sandbox --check`` to see whether sandboxes can be made on this machine.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..limits import KERNEL_STDERR_BYTES, SANDBOX_CHECK_SECONDS, SOCKET_TMPDIR_MAX_CHARS, SOCKET_WAIT_SECONDS
from . import _inside

__all__ = ["KERNEL_NAME", "LIMITS", "SANDBOX_UID_BASE", "available", "install_kernelspec", "bwrap_command",
           "private_runtime_dir", "owned_tempdir", "remove_orphans",
           "sandbox_uid", "is_sandbox_uid", "MemoryGroup", "stage_files"]

KERNEL_NAME = "convlearn-sandbox"
#: Resource limits of one student kernel.
LIMITS = {
    "cpu_seconds": 900,  # CPU time of the kernel process (RLIMIT_CPU); wall-clock limits are the grader's
    "address_space": 6 << 30,  # RLIMIT_AS: NumPy, IPython and a few large arrays fit; runaway growth does not
    "processes": 256,  # RLIMIT_NPROC (threads count too)
    "file_size": 256 << 20,  # RLIMIT_FSIZE: largest file it may write
    "open_files": 512,  # RLIMIT_NOFILE
    "scratch": 512 << 20,  # size of its private /tmp
    "assignment_copy": 128 << 20,  # at most this much of the assignment directory is copied into /tmp/work
    # all processes of one sandbox together (a memory cgroup: see MemoryGroup); RLIMIT_AS above is per process,
    # so without a cgroup a submission that forks could hold up to `processes` times `address_space`
    "memory_total": 3 << 30,
}
#: Kernels started as root run as a user of their own, ``SANDBOX_UID_BASE`` plus the pid of their launcher
#: (:func:`sandbox_uid`): no two running sandboxes share a user, so the processes of one (a fork bomb) never
#: count against another's process limit (``RLIMIT_NPROC`` counts all the processes of a user), and no kernel
#: can signal another's processes or read its files. The numbers are far above ordinary and system users
#: and below 2**31.
SANDBOX_UID_BASE = 1_500_000_000
#: The environment variable in which the grader that starts a kernel states its process id
#: (:meth:`.channel.KernelChannel.start`), so that the launcher can tell when that grader died while it started.
PARENT_ENV = "CONVLEARN_KERNEL_PARENT"
INSIDE_CONNECTION = _inside.CONNECTION
INSIDE_LIBRARY = "/run/convlearn"
INSIDE_ASSIGNMENT = _inside.ASSIGNMENT
PASS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS", "TZ", "PYDEVD_DISABLE_FILE_VALIDATION")


def sandbox_uid(launcher_pid: int) -> int:
    """The user (and group) id of the kernel whose launcher has process id ``launcher_pid`` (grading as root)."""
    return SANDBOX_UID_BASE + launcher_pid


def is_sandbox_uid(uid: int) -> bool:
    """Whether ``uid`` is one that :func:`sandbox_uid` hands out."""
    return SANDBOX_UID_BASE <= uid < 2**31


@functools.cache
def available() -> tuple[bool, str]:
    """Whether a sandbox can be made here, and if not, why (cached for the process)."""
    if not sys.platform.startswith("linux"):
        return False, f"sandboxed grading needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return False, "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    for tool in ("prlimit", "setpriv"):
        if shutil.which(tool) is None:
            return False, f"{tool} (util-linux) is not installed"
    cmd = bwrap_command([sys.executable, "-c", "import numpy"], sockets=None, connection=None, cwd=None)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=SANDBOX_CHECK_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap could not start a sandbox: {exc}"
    if proc.returncode != 0:
        return False, f"bubblewrap could not start a sandbox: {proc.stderr.strip()[-500:]}"
    return True, "sandboxes work (bubblewrap)"


#: The file in an :func:`owned_tempdir` that names the process it belongs to.
OWNER_FILE = ".owner-pid"
#: Seconds after which a directory of :func:`owned_tempdir` that names no owner counts as left by a killed process.
UNCLAIMED_SECONDS = 60
#: The prefix of :func:`private_runtime_dir`'s directories.
RUNTIME_PREFIX = "convlearn-kernels-"
#: The prefix of the folders a kernel's launcher stages the student's files in.
STAGE_PREFIX = "convlearn-stage-"


def _ended(pid: int) -> bool:
    """Whether no process ``pid`` exists (one that exists but is another user's is not ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def remove_orphans(prefix: str, base: str | None = None) -> None:
    """Remove the directories ``<base>/<prefix>*`` of :func:`owned_tempdir` whose owner process has died.

    Only this user's directories are judged, by whether their owner is alive. One without an owner file is left
    alone while it is new (its owner writes the file just after making it), and removed once it is
    :data:`UNCLAIMED_SECONDS` old (its owner was killed in between).
    """
    for path in Path(base or tempfile.gettempdir()).glob(f"{prefix}*"):
        try:
            if path.lstat().st_uid != os.getuid():
                continue
            owner = path / OWNER_FILE
            if owner.exists():
                orphan = _ended(int(owner.read_text()))
            else:
                orphan = time.time() - path.lstat().st_mtime >= UNCLAIMED_SECONDS
        except (OSError, ValueError):  # gone meanwhile, or not ours to judge
            continue
        if orphan:
            shutil.rmtree(path, ignore_errors=True)


def owned_tempdir(prefix: str, base: str | None = None) -> Path:
    """A new temporary directory ``<base>/<prefix>XXXXXXXX`` that names its owner, this process.

    A process that is killed (a grader its instructor stopped, a lost Dask worker) runs no clean-up and
    leaves its temporary directories behind: before making one, this removes those (:func:`remove_orphans`).
    """
    remove_orphans(prefix, base)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    (path / OWNER_FILE).write_text(str(os.getpid()))
    return path


def private_runtime_dir() -> Path:
    """A new private directory for the kernels' connection files and sockets (removed at exit).

    An :func:`owned_tempdir`: one left by a process that was killed is removed by the next one made.
    """
    import atexit

    # a Unix socket path has at most 107 bytes: under a long $TMPDIR, use /tmp (see SOCKET_TMPDIR_MAX_CHARS)
    short = len(tempfile.gettempdir()) <= SOCKET_TMPDIR_MAX_CHARS
    base = None if short or not os.access("/tmp", os.W_OK) else "/tmp"
    path = owned_tempdir(RUNTIME_PREFIX, base)
    path.chmod(0o711)
    atexit.register(shutil.rmtree, path, True)
    return path


class MemoryGroup:
    """A control group that bounds the memory of all the processes of one sandbox together.

    cgroup v2 (``memory.max``, ``pids.max`` under ``/sys/fs/cgroup/convlearn/``) where the machine has a
    writable unified hierarchy, else cgroup v1's memory controller (``memory.limit_in_bytes`` under
    ``/sys/fs/cgroup/memory/convlearn/``). Where neither can be written (not root, a container without a
    delegated cgroup), :meth:`create` returns None and the sandbox falls back on its per-process limits
    (``RLIMIT_AS`` times ``RLIMIT_NPROC``), which the instructor's guide states.
    """

    V2 = Path("/sys/fs/cgroup")
    V1 = Path("/sys/fs/cgroup/memory")

    def __init__(self, path: Path, version: int):
        self.path = path
        self.version = version

    @classmethod
    def create(cls, name: str, memory: int, pids: int | None = None) -> MemoryGroup | None:
        """A new group ``name`` limited to ``memory`` bytes (and ``pids`` tasks), or None where none can be made.

        ``name`` ends with the pid of the process that will remove the group (``kernel-<pid>``): a group whose
        process was killed before it could is removed by the next :meth:`create` once it is empty.
        """
        for make in (cls._v2, cls._v1):
            try:
                group = make(name, memory, pids)
            except OSError:
                continue
            if group is not None:
                return group
        return None

    @classmethod
    def _v2(cls, name, memory, pids):
        if "memory" not in (cls.V2 / "cgroup.controllers").read_text().split():
            return None
        parent = cls.V2 / "convlearn"
        parent.mkdir(exist_ok=True)
        cls._remove_orphans(parent)
        wanted = ["memory"] + (["pids"] if pids else [])
        (cls.V2 / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
        (parent / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
        path = parent / name
        path.mkdir()
        (path / "memory.max").write_text(str(int(memory)))
        if (path / "memory.swap.max").exists():
            (path / "memory.swap.max").write_text("0")
        if pids:
            (path / "pids.max").write_text(str(int(pids)))
        return cls(path, 2)

    @classmethod
    def _v1(cls, name, memory, pids):
        if not (cls.V1 / "memory.limit_in_bytes").exists():
            return None
        parent = cls.V1 / "convlearn"
        parent.mkdir(exist_ok=True)
        cls._remove_orphans(parent)
        path = parent / name
        path.mkdir()
        (path / "memory.limit_in_bytes").write_text(str(int(memory)))
        if (path / "memory.memsw.limit_in_bytes").exists():
            (path / "memory.memsw.limit_in_bytes").write_text(str(int(memory)))
        return cls(path, 1)

    @staticmethod
    def _remove_orphans(parent: Path) -> None:
        for group in parent.iterdir():
            owner = re.search(r"-(\d+)$", group.name)
            if owner is not None and group.is_dir() and _ended(int(owner.group(1))):
                with contextlib.suppress(OSError):  # a group still holding processes cannot be removed
                    group.rmdir()

    def join(self) -> None:
        """Move the calling process into the group (use as ``preexec_fn``: its children stay in it)."""
        (self.path / "cgroup.procs").write_text("0" if self.version == 2 else str(os.getpid()))

    def peak(self) -> int | None:
        """The most memory the group has used, in bytes (None where the kernel does not say)."""
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.path / name).read_text())
        except (OSError, ValueError):
            return None

    def remove(self) -> None:
        """Stop whatever is left in the group and remove it."""
        for _ in range(50):
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                return
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        with contextlib.suppress(OSError):
            self.path.rmdir()


def install_kernelspec(directory: Path) -> Path:
    """Write the ``convlearn-sandbox`` kernel specification under ``directory/kernels``; return its folder."""
    folder = Path(directory) / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "convlearn.grading.grader.sandbox", "{connection_file}"],
        "display_name": "Python 3 (convlearn grading sandbox)",
        "language": "python",
        # Jupyter interrupts a kernel with killpg(SIGINT), which would stop bwrap itself: use a message.
        "interrupt_mode": "message",
        "metadata": {"debugger": False},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return folder


def _library_dir() -> Path:
    import convlearn

    return Path(convlearn.__file__).resolve().parent


def _python_dirs() -> list[Path]:
    """The Python installation: prefixes and site-packages (deduplicated, nested ones dropped)."""
    dirs = [sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix]
    try:
        dirs += site.getsitepackages()
    except AttributeError:
        pass
    found = sorted({Path(d).resolve() for d in dirs if d and Path(d).is_dir()}, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for d in found:
        if d == Path("/usr") or any(d.is_relative_to(k) for k in kept + [Path("/usr")]):
            continue
        kept.append(d)
    return kept


def bwrap_command(inner: list[str], *, sockets: Path | None, connection: int | None, cwd: Path | None) -> list[str]:
    """The ``bwrap`` command line that runs ``inner`` in a sandbox.

    Parameters
    ----------
    inner : list of str
        The command to run inside (absolute paths).
    sockets : Path or None
        Directory of the kernel's Unix sockets, bound read-write at the same path.
    connection : int or None
        A file descriptor from which bwrap copies the connection file to ``/run/kernel/connection.json``.
    cwd : Path or None
        The assignment directory, bound read-only at ``/run/assignment``.
    """
    as_root = os.geteuid() == 0
    cmd = ["bwrap", "--die-with-parent", "--new-session", "--clearenv"]
    if as_root:  # real privileges: mount as root, then run the kernel as its own user (setpriv below)
        cmd += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    else:  # an unprivileged user namespace
        cmd += ["--unshare-user", "--unshare-all", "--disable-userns"]  # bwrap 0.8 wants --unshare-user spelled out
    cmd += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        host = Path("/") / name
        if host.is_symlink():
            cmd += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            cmd += ["--ro-bind", str(host), f"/{name}"]
    # the private /tmp first: a Python environment (or the package) that lives under the temporary directory is
    # bound on top of it, not hidden by it
    cmd += ["--proc", "/proc", "--dev", "/dev", "--size", str(LIMITS["scratch"]), "--tmpfs", "/tmp",
            "--chmod", "1777", "/tmp"]
    created: set[Path] = set()
    binds = [(d, d) for d in _python_dirs()] + [(_library_dir(), Path(INSIDE_LIBRARY) / "convlearn")]
    for host, inside in binds:
        cmd += ["--ro-bind", str(host), str(inside)]
        created.update(p for p in inside.parents if p != Path("/"))
    if sockets is not None:
        cmd += ["--bind", str(sockets), str(sockets)]
        created.update(p for p in sockets.parents if p != Path("/"))
    if cwd is not None:
        cmd += ["--ro-bind", str(cwd), INSIDE_ASSIGNMENT]
    if connection is not None:
        cmd += ["--perms", "0444", "--ro-bind-data", str(connection), INSIDE_CONNECTION]
        created.update(p for p in Path(INSIDE_CONNECTION).parents if p != Path("/"))
    # directories bwrap made on the way to a bind keep the host's mode (e.g. /root is 0700): open them up;
    # this includes those inside the private /tmp (the sockets live under $TMPDIR, which may be below /tmp)
    for d in sorted(created, key=lambda p: len(p.parts)):
        if d != Path("/tmp") and not any(d.is_relative_to(top) for top in (Path("/usr"), Path("/etc"))):
            cmd += ["--chmod", "0755", str(d)]
    pythonpath = INSIDE_LIBRARY
    env = {"HOME": "/tmp/home", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8",
           "PYTHONPATH": pythonpath, "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1",
           "IPYTHONDIR": "/tmp/home/.ipython", "JUPYTER_CONFIG_DIR": "/tmp/home/.jupyter",
           "JUPYTER_DATA_DIR": "/tmp/home/.local/share/jupyter", "JUPYTER_RUNTIME_DIR": "/tmp/home/.runtime",
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": "/tmp/home/.matplotlib", "TMPDIR": "/tmp",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    env.update({k: os.environ[k] for k in PASS_ENV if k in os.environ})
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd += ["--chdir", "/tmp", "--", shutil.which("prlimit") or "/usr/bin/prlimit",
            f"--cpu={LIMITS['cpu_seconds']}", f"--as={LIMITS['address_space']}", f"--nproc={LIMITS['processes']}",
            f"--fsize={LIMITS['file_size']}", f"--nofile={LIMITS['open_files']}", "--core=0"]
    if as_root:
        uid = sandbox_uid(os.getpid())  # this launcher lives as long as the kernel: its pid is not reused meanwhile
        cmd += [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}",
                "--clear-groups", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs"]
    return cmd + list(inner)


def stage_files(directory: Path, into: Path) -> dict[str, str]:
    """Copy what a kernel may see of ``directory`` into ``into``; return what was left out, with reasons.

    A kernel sees the data files that came with its assignment and the submission's own extra files, and
    nothing else: no notebook (the graded notebook holds the test cells, hidden ones included, restored from
    the gradebook), no hidden file, nothing that is not a regular file inside ``directory`` (see
    :func:`convlearn.grading.grader.submission.inspect`), at most ``LIMITS["assignment_copy"]`` bytes in all.
    """
    from .submission import copy_regular, inspect

    accepted, refused = inspect(directory, max_total=LIMITS["assignment_copy"])
    for rel in accepted:
        if rel.endswith(".ipynb") or any(part.startswith(".") for part in Path(rel).parts):
            continue
        target = into / rel
        target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        copy_regular(directory / rel, target)
        target.chmod(0o644)
    return refused


def die_with_parent(signum: int, parent: int | None = None) -> bool:
    """Linux: this process gets ``signum`` when the process (thread) that started it dies (``PR_SET_PDEATHSIG``).

    The request covers only a parent still alive when it is made: a process whose parent died before (between the
    fork and this call, or while it started up) has been adopted by another and would never get the signal.
    ``parent``, the process id of the process that started the caller (known before it could have died), tells
    them apart: the return value is False when the caller's parent is no longer ``parent``, and the caller should
    then end at once. Without ``parent``, True.
    """
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signum))
    return parent is None or os.getppid() == parent


def _launch(connection_file: str, extra: list[str]) -> int:
    """Outside: check the connection file, then run the kernel in a sandbox until it ends.

    The launcher runs in a session of its own (jupyter_client starts kernels so), out of reach of a signal to the
    grader's process group: when the grader dies (killed with its whole group, say), the launcher gets SIGTERM,
    which it passes on to the sandbox before it cleans up; without it the sandboxed kernel would run on. A grader
    that died while the launcher was starting (before it asked for that signal) is seen through ``PARENT_ENV``:
    the launcher then ends without starting a sandbox.
    """
    stated = os.environ.get(PARENT_ENV, "")  # the grader's pid, set by the grader: it may have died already
    if not die_with_parent(signal.SIGTERM, int(stated) if stated.isdigit() else os.getppid()):
        return 1
    info = json.loads(Path(connection_file).read_text(encoding="utf-8"))
    if info.get("transport") != "ipc":
        print("convlearn-sandbox: the kernel must use Unix sockets, not TCP (set KernelManager.transport='ipc'; "
              "the course's nbgrader_config.py does)", file=sys.stderr)
        return 2
    sockets = Path(info["ip"]).parent.resolve()
    if sockets != Path(connection_file).resolve().parent:
        print("convlearn-sandbox: the sockets must live next to the connection file", file=sys.stderr)
        return 2
    as_root = os.geteuid() == 0
    if as_root:  # the kernel's user creates its sockets here; nothing else can be read or written
        sockets.chmod(0o1733)
    read_fd, write_fd = os.pipe()
    os.write(write_fd, json.dumps(info).encode("utf-8"))
    os.close(write_fd)
    # the sandbox's first process runs a file of the package by its path: no package import (see _inside.py)
    inside = Path(INSIDE_LIBRARY, "convlearn", *Path(_inside.__file__).resolve().relative_to(_library_dir()).parts)
    inner = [sys.executable, "-s", "-P", str(inside), "--", *extra]
    # a launcher killed before its clean-up leaves this folder: the next one removes it. The kernel is shown the
    # subfolder, which holds the student's files only (not the folder's owner file)
    owned = owned_tempdir(STAGE_PREFIX)
    owned.chmod(0o755)
    staged = owned / "files"
    staged.mkdir()
    staged.chmod(0o755)
    try:
        cwd = Path.cwd()
        if cwd != Path("/"):
            stage_files(cwd, staged)
        cmd = bwrap_command(inner, sockets=sockets, connection=read_fd, cwd=staged)
        return _run_sandbox(cmd, read_fd, sockets, info, as_root)
    finally:
        shutil.rmtree(owned, ignore_errors=True)


def _run_sandbox(cmd: list[str], read_fd: int, sockets: Path, info: dict, as_root: bool) -> int:
    group = MemoryGroup.create(f"kernel-{os.getpid()}", LIMITS["memory_total"], LIMITS["processes"])
    try:
        return _run_in(group, cmd, read_fd, sockets, info, as_root)
    finally:
        if group is not None:
            group.remove()


def _bwrap_preexec(group: MemoryGroup | None, launcher: int):
    """What bubblewrap's process does before it starts (a ``preexec_fn``): ask for SIGKILL when the launcher
    ``launcher`` dies, or end at once if it already has, then join the sandbox's memory group.

    bubblewrap's own ``--die-with-parent`` is asked for only once bubblewrap runs: a launcher killed before that
    (its grader killed just as a kernel starts) would leave a sandbox with a kernel running and no grader (seen
    once in a rehearsal: a kernel of a dead launcher, adopted by init, 7 minutes after its test).
    """

    def preexec() -> None:  # pragma: no cover - runs in the child between fork and exec
        if not die_with_parent(signal.SIGKILL, launcher):
            os._exit(1)
        if group is not None:
            group.join()

    return preexec


def _run_in(group: MemoryGroup | None, cmd: list[str], read_fd: int, sockets: Path, info: dict,
            as_root: bool) -> int:
    # the kernel's own stdout/stderr never reach the grader's terminal beyond a small budget
    proc = subprocess.Popen(cmd, pass_fds=(read_fd,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=_bwrap_preexec(group, os.getpid()))
    os.close(read_fd)

    def forward(signum, frame):
        proc.send_signal(signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    if as_root:
        expected = [Path(f"{info['ip']}-{info[key]}") for key in
                    ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
        deadline = time.monotonic() + SOCKET_WAIT_SECONDS
        while proc.poll() is None and time.monotonic() < deadline and not all(p.exists() for p in expected):
            time.sleep(0.02)
        sockets.chmod(0o711)
    budget = KERNEL_STDERR_BYTES
    assert proc.stderr is not None
    for chunk in iter(lambda: proc.stderr.read(4096), b""):
        if budget > 0:
            sys.stderr.buffer.write(chunk[:budget])
            sys.stderr.flush()
            budget -= len(chunk)
    return proc.wait()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "--check":
        ok, why = available()
        print(why)
        return 0 if ok else 1
    if not args:
        print(__doc__)
        return 2
    return _launch(args[0], args[1:])


if __name__ == "__main__":
    sys.exit(main())
