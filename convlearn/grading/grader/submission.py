"""What grading takes from a submission folder: regular files inside it, of bounded size, and nothing else.

A submission is a folder the student made. Whatever ``nbgrader collect`` copies out of the exchange, whatever
``nbgrader autograde`` copies from ``submitted/`` into ``autograded/`` and whatever the sandbox shows a
kernel passes through :func:`inspect`: a symbolic link (to the instructor's ``source/`` notebook, the
gradebook, a classmate's notebook, a file in a home directory, ``/dev/zero``), a device, a FIFO or a socket,
a file larger than :data:`MAX_FILE_BYTES`, files past :data:`MAX_FILES` or past :data:`MAX_TOTAL_BYTES` in
all are **refused with a reason** and never opened; the rest is copied with :func:`copy_regular`, which
opens without following links and copies at most the size it saw. The class is graded as usual; a
submission whose notebook was refused is graded as if the notebook were missing (0 points), and the reason
is logged.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["MAX_FILE_BYTES", "MAX_TOTAL_BYTES", "MAX_FILES", "inspect", "copy_regular", "SubmissionError"]

#: Largest single file taken from a submission (a notebook with plots is a few MB).
MAX_FILE_BYTES = 64 << 20
#: Most bytes taken from one submission in all.
MAX_TOTAL_BYTES = 256 << 20
#: Most files taken from one submission.
MAX_FILES = 1000
_KINDS = {stat.S_IFLNK: "a symbolic link", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket"}


class SubmissionError(RuntimeError):
    """A submission cannot be taken as it is (the message says why)."""


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def inspect(directory, *, max_file: int = MAX_FILE_BYTES, max_total: int = MAX_TOTAL_BYTES,
            max_files: int = MAX_FILES, ignore=None) -> tuple[list[str], dict[str, str]]:
    """Sort the entries of a submission folder into those grading may take and those it refuses.

    Parameters
    ----------
    directory : path
        The submission folder (itself checked: a link or a non-directory is refused whole).
    max_file, max_total, max_files : int
        Bounds on one file, on all files together, and on their number.
    ignore : callable ``(relative path) -> bool``, optional
        Entries to pass over silently (nbgrader's ``CourseDirectory.ignore`` patterns).

    Returns
    -------
    accepted : list of str
        Relative paths (``/``-separated) of regular files to take, in sorted order.
    refused : dict of str to str
        Relative path -> why it is refused (``"."`` for the folder itself).
    """
    root = Path(directory)
    accepted: list[str] = []
    refused: dict[str, str] = {}
    try:
        st = os.lstat(root)
    except OSError as exc:
        return [], {".": f"cannot be read ({exc.strerror})"}
    if not stat.S_ISDIR(st.st_mode):
        return [], {".": f"the submission folder is {_kind(st.st_mode)}, not a folder"}
    total = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for name in sorted(dirnames):  # a link to a folder is listed here and never walked into
            rel = (here / name).relative_to(root).as_posix()
            mode = os.lstat(here / name).st_mode
            if not stat.S_ISDIR(mode):
                refused[rel] = _kind(mode)
                dirnames.remove(name)
            elif ignore is not None and ignore(rel):
                dirnames.remove(name)
        dirnames.sort()
        for name in sorted(filenames):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if ignore is not None and ignore(rel):
                continue
            try:
                st = os.lstat(path)
            except OSError as exc:
                refused[rel] = f"cannot be read ({exc.strerror})"
                continue
            if not stat.S_ISREG(st.st_mode):
                refused[rel] = _kind(st.st_mode)
            elif st.st_size > max_file:
                refused[rel] = f"{st.st_size} bytes, more than the {max_file} a file may have"
            elif len(accepted) >= max_files:
                refused[rel] = f"more than {max_files} files"
            elif total + st.st_size > max_total:
                refused[rel] = f"the submission's files would exceed {max_total} bytes in all"
            else:
                total += st.st_size
                accepted.append(rel)
    return sorted(accepted), refused


def copy_regular(source, target, *, limit: int = MAX_FILE_BYTES) -> int:
    """Copy one regular file without following links, at most ``limit`` bytes; return the bytes copied.

    Raises :class:`SubmissionError` when ``source`` is not a regular file or is larger than ``limit`` (it may
    have changed since :func:`inspect` looked).
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(source, flags)
    except OSError as exc:
        raise SubmissionError(f"{source}: cannot be opened as a regular file ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as src:
        st = os.fstat(src.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise SubmissionError(f"{source}: {_kind(st.st_mode)}, not a regular file")
        if st.st_size > limit:
            raise SubmissionError(f"{source}: {st.st_size} bytes, more than {limit}")
        copied = 0
        with open(target, "wb") as dst:
            while copied <= limit:
                chunk = src.read(min(1 << 20, limit + 1 - copied))
                if not chunk:
                    break
                dst.write(chunk)
                copied += len(chunk)
        if copied > limit:
            os.unlink(target)
            raise SubmissionError(f"{source}: grew past {limit} bytes while being copied")
    return copied
