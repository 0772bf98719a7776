"""``python -m convlearn``: the train subcommand end to end (short run), --out weights, --help, bad flags."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "convlearn", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=timeout)


@pytest.mark.slow
def test_train_short_run_saves_weights(tmp_path):
    out = tmp_path / "weights.npz"
    proc = _run("train", "--epochs", "3", "--seed", "1", "--batch-size", "32", "--lr", "0.005", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    match = re.fullmatch(r"test accuracy: (0\.\d{4}|1\.0000)", lines[-1])
    assert match, lines[-1]
    assert float(match.group(1)) >= 0.8
    assert sum(line.startswith("test accuracy") for line in lines) == 1
    assert sum(line.startswith("epoch") for line in lines) == 3

    from convlearn.data import load_digits_split
    from convlearn.train import digits_cnn, evaluate, load_weights

    model = load_weights(digits_cnn(seed=123), out)
    data = load_digits_split()
    assert f"{evaluate(model, data.x_test, data.y_test).accuracy:.4f}" == match.group(1)
    with np.load(out) as weights:
        assert weights["0.weight"].shape == (16, 1, 3, 3)


def test_help_subprocess():
    top = _run("--help")
    assert top.returncode == 0 and "train" in top.stdout


def test_help(capsys):
    from convlearn.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["train", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--epochs", "--seed", "--lr", "--batch-size", "--out"):
        assert flag in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required"),
        (["train", "--epochs", "0"], "--epochs: expected a positive integer"),
        (["train", "--lr", "-1"], "--lr: expected a positive finite number"),
        (["train", "--seed", "-3"], "--seed: expected an integer >= 0"),
        (["train", "--batch-size", "x"], "--batch-size: expected a positive integer"),
        (["fly"], "invalid choice"),
    ],
)
def test_bad_arguments(argv, message, capsys):
    from convlearn.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
