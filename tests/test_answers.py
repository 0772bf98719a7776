"""The ``%%answer`` guard of the book's worked answers (convlearn/_answers.py), in a real IPython shell.

A chapter run top to bottom in JupyterLab must not run the answers (it prints how to run them instead);
the build and the chapter tests (CONVLEARN_RUN_ANSWERS=1) run them, so a wrong answer still fails.
"""

from __future__ import annotations

import pytest

ANSWER = "%%answer\n# Answer to exercise 3\nvalue = 6 * 7\nassert value == 42\nvalue\n"


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    import convlearn._answers as answers

    ip = InteractiveShell.instance()
    answers.register()
    answers.register()  # registering twice adds the transformer once
    assert ip.input_transformers_cleanup.count(answers.answer_cell) == 1
    ip.user_ns.pop("value", None)
    yield ip
    ip.input_transformers_cleanup.remove(answers.answer_cell)
    InteractiveShell.clear_instance()


def test_an_answer_is_not_run_unless_asked(shell, monkeypatch, capsys):
    monkeypatch.delenv("CONVLEARN_RUN_ANSWERS", raising=False)
    result = shell.run_cell(ANSWER)
    assert result.success and "value" not in shell.user_ns
    out = capsys.readouterr().out
    assert "answer to exercise 3 is not run" in out and "delete the first line (%%answer)" in out
    monkeypatch.setenv("CONVLEARN_RUN_ANSWERS", "0")
    shell.run_cell(ANSWER)
    assert "value" not in shell.user_ns


def test_an_answer_runs_in_the_build(shell, monkeypatch):
    monkeypatch.setenv("CONVLEARN_RUN_ANSWERS", "1")
    result = shell.run_cell(ANSWER)
    assert result.success and result.result == 42 and shell.user_ns["value"] == 42
    failing = shell.run_cell("%%answer\n# Answer to exercise 1\nassert 1 == 2, 'wrong answer'\n")
    assert isinstance(failing.error_in_exec, AssertionError)  # a wrong answer fails the cell, and so the build


def test_other_cells_are_untouched(shell, monkeypatch):
    monkeypatch.delenv("CONVLEARN_RUN_ANSWERS", raising=False)
    assert shell.run_cell("value = 1\n# %%answer is only a guard on the first line\n").success
    assert shell.user_ns["value"] == 1
