"""The book's worked answers run only when asked: the ``%%answer`` first line of an answer cell.

Every code answer of the book (a cell right under its exercise, folded on the website and in JupyterLab)
starts with the line ``%%answer``, followed by ``# Answer to exercise N``. Importing convlearn in IPython
registers :func:`answer_cell` as an input transformer that reads that first line:

* where ``CONVLEARN_RUN_ANSWERS`` is set (the book build sets it in ``book/_ext/convlearn_answers.py``, the
  chapter tests set it), the line is dropped and the answer runs, so that a wrong answer fails the build;
* elsewhere (a reader's JupyterLab) the cell prints how to run it instead of running, so *Run All* does not
  work the exercises for the reader. Deleting the first line runs that one answer;
  ``%env CONVLEARN_RUN_ANSWERS=1`` runs every answer from then on.

Outside IPython (plain Python, the tests of the library) importing this module does nothing.
"""

from __future__ import annotations

import os
import re
import sys

__all__ = ["ANSWERS_VARIABLE", "GUARD", "answer_cell", "answers_enabled", "register"]

#: The first line of every code answer of the book.
GUARD = "%%answer"
#: The environment variable that makes the answers run (any value but "" and "0").
ANSWERS_VARIABLE = "CONVLEARN_RUN_ANSWERS"
_NUMBER = re.compile(r"#\s*Answer to exercise\s+(\d+)")


def answers_enabled() -> bool:
    """True if the ``%%answer`` cells run (``CONVLEARN_RUN_ANSWERS`` is set to anything but "" or "0")."""
    return os.environ.get(ANSWERS_VARIABLE, "") not in ("", "0")


def answer_cell(lines: list[str]) -> list[str]:
    """IPython input transformer: the lines to run for a cell whose first line is ``%%answer``.

    Parameters
    ----------
    lines : list of str
        The cell's source lines, each ending with its newline (IPython's cleanup-transformer protocol).

    Returns
    -------
    list of str
        ``lines`` itself for any other cell; the answer without its first line when answers are enabled;
        otherwise one ``print`` of how to run the answer.
    """
    if not lines or lines[0].strip() != GUARD:
        return lines
    if answers_enabled():
        return lines[1:]
    match = _NUMBER.match(lines[1].strip()) if len(lines) > 1 else None
    which = f"The answer to exercise {match.group(1)}" if match else "This answer"
    message = (f"{which} is not run with the rest of the chapter: try the exercise first. To run it, delete "
               f"the first line ({GUARD}) of this cell; to run every answer, run "
               f"%env {ANSWERS_VARIABLE}=1 first.")
    return [f"print({message!r})\n"]


def register() -> None:
    """Add :func:`answer_cell` to the running IPython shell's input transformers (once); no-op elsewhere."""
    ipython = sys.modules.get("IPython")  # never import IPython just for this
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and answer_cell not in shell.input_transformers_cleanup:
        shell.input_transformers_cleanup.append(answer_cell)
