"""A locked cell as the student received it: the gradebook's source with the hidden tests taken out.

nbgrader records a test cell's source and checksum in the gradebook *with* its hidden tests, and releases it
*without* them. When autograding, ``OverwriteCells`` compares each locked cell of the submission with the
gradebook and warns "Attribute 'checksum' … has changed!" for every test cell that has hidden tests, although
the student never touched it (nbgrader#1961). This course hides tests in every test cell, so every honest
submission would read as tampered with. :func:`is_as_released` tells an untouched cell from an edited one, so
that :class:`convlearn.grading.grader.nbgrader_plugin.RestoreMetadata` puts the gradebook's source back into untouched
cells before ``OverwriteCells`` runs: the warning is left for cells a student really changed.
"""

from __future__ import annotations

import nbformat
from nbgrader.preprocessors import ClearHiddenTests

__all__ = ["released_source", "is_as_released"]


def released_source(source: str, parent=None) -> str:
    """``source`` with its hidden-test regions removed, as ``nbgrader generate_assignment`` releases it."""
    cell = nbformat.v4.new_code_cell(source)
    ClearHiddenTests(parent=parent)._remove_hidden_test_region(cell)
    return cell.source


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").split("\n")]


def is_as_released(submitted: str, gradebook_source: str, parent=None) -> bool:
    """Whether a submitted cell's source is the released form of the gradebook's (trailing blanks aside)."""
    try:
        return _lines(submitted) == _lines(released_source(gradebook_source, parent))
    except RuntimeError:  # unbalanced hidden-test markers in the gradebook: no released form to compare with
        return False
