"""The first process in a grading sandbox: make HOME and the working directory, copy the staged files, become the
kernel.

:mod:`convlearn.grading.grader.sandbox` runs this file by its path (``python -s -P <this file>``), not as a module
of the package: it imports the standard library only, so the sandbox's first process costs no more than starting
Python (imported as ``-m convlearn.grading.grader.sandbox``, it paid for convlearn's and NumPy's imports, about a
tenth of a second for every kernel, only to replace itself by the kernel). The sandbox module imports the paths
below from here.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

#: The kernel: ipykernel's, started as ``python -m ipykernel_launcher`` would, without what a graded kernel never
#: uses. ``debugpy`` (the debugger, which no one attaches to a sandbox) and ``jedi`` (tab completion) are imported
#: when the kernel starts, when installed; marked absent, they are skipped as ipykernel and IPython skip them where
#: they are not installed (measured: 40-60 ms of CPU less per kernel). ``import IPython`` also loads the terminal
#: front end (``IPython.terminal.embed``: the terminal shell, its debugger and prompt_toolkit) for ``IPython.embed``,
#: which a kernel has no terminal for; it is replaced by a module whose ``embed`` says so (measured: about 0.2 s of
#: CPU less per kernel, started and stopped).
KERNEL = """\
import sys, types
sys.modules.update(dict.fromkeys(("debugpy", "jedi")))
terminal = sys.modules["IPython.terminal.embed"] = types.ModuleType("IPython.terminal.embed")
def embed(*args, **kwargs):
    raise RuntimeError("IPython.embed() needs a terminal: a grading sandbox has none")
terminal.embed = embed
del terminal, embed
from ipykernel.kernelapp import launch_new_instance
launch_new_instance()
"""
#: Where bubblewrap puts the connection file and the read-only copy of the assignment directory.
CONNECTION = "/run/kernel/connection.json"
ASSIGNMENT = "/run/assignment"


def main(args: list[str]) -> int:
    """Prepare the working directory, then replace this process by the kernel (``args``: its extra options)."""
    home, work = Path("/tmp/home"), Path("/tmp/work")
    home.mkdir(mode=0o700, exist_ok=True)
    work.mkdir(mode=0o700, exist_ok=True)
    source = Path(ASSIGNMENT)
    if source.is_dir():  # staged by the launcher: regular files only, no notebooks (see sandbox.stage_files)
        shutil.copytree(source, work, symlinks=True, dirs_exist_ok=True)
    os.chdir(work)
    history = [] if any(a.startswith("--HistoryManager.hist_file") for a in args) else [
        "--HistoryManager.hist_file=:memory:"]
    # -P and ignore_cwd: the working directory is not on sys.path, so a module the submission writes there
    # cannot be imported by name (its code would never be scanned)
    argv = [sys.executable, "-s", "-P", "-c", KERNEL, "-f", CONNECTION, "--IPKernelApp.ignore_cwd=True", *history,
            *args]
    os.execv(sys.executable, argv)
    return 1  # pragma: no cover - execv does not return


if __name__ == "__main__":
    sys.exit(main(sys.argv[2:] if sys.argv[1:2] == ["--"] else sys.argv[1:]))
