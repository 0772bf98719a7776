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


@pytest.mark.slow
def test_train_with_validation_restores_the_best_epoch(tmp_path):
    out = tmp_path / "weights.npz"
    args = dict(epochs=6, seed=2, lr=0.03, batch_size=16, validation=0.15)
    proc = _run("train", "--epochs", "6", "--seed", "2", "--lr", "0.03", "--batch-size", "16",
                "--validation", "0.15", "--no-progress", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("digits: 1077 training / 270 validation / 450 test images"), lines[0]
    printed = [float(m.group(1)) for line in lines if (m := re.search(r"validation loss (\d+\.\d{4})", line))
               and line.startswith("epoch")]
    assert len(printed) == args["epochs"]
    kept_line = next(line for line in lines if line.startswith("kept"))
    kept = re.fullmatch(r"kept the weights of epoch (\d+) of 6, the lowest validation loss \((\d+\.\d{4})\)",
                        kept_line)
    assert kept, kept_line
    assert int(kept.group(1)) == int(np.argmin(printed)) + 1 and float(kept.group(2)) == min(printed)

    # oracle: the same run in-process, the weights of every epoch copied by a callback
    from convlearn.data import load_digits_split
    from convlearn.train import digits_cnn, evaluate, fit, load_weights

    data = load_digits_split(validation=args["validation"])
    model, states = digits_cnn(seed=args["seed"]), {}
    history = fit(model, data.x_train, data.y_train, epochs=args["epochs"], batch_size=args["batch_size"],
                  lr=args["lr"], lr_schedule="cosine", x_val=data.x_val, y_val=data.y_val, seed=args["seed"],
                  progress=False, on_epoch_end=lambda e, h: states.update({e: model.state_dict()}))
    assert [f"{v:.4f}" for v in history.val_loss] == [f"{v:.4f}" for v in printed]
    saved = load_weights(digits_cnn(seed=99), out)
    for name, value in saved.state_dict().items():
        np.testing.assert_array_equal(value, states[int(kept.group(1))][name])
    assert lines[-1] == f"test accuracy: {evaluate(saved, data.x_test, data.y_test).accuracy:.4f}"


def test_help_subprocess():
    top = _run("--help")
    assert top.returncode == 0 and "train" in top.stdout


def test_help(capsys):
    from convlearn.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["train", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for flag in ("--epochs", "--seed", "--lr", "--batch-size", "--validation", "--out"):
        assert flag in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required"),
        (["train", "--epochs", "0"], "--epochs: expected a positive integer"),
        (["train", "--lr", "-1"], "--lr: expected a positive finite number"),
        (["train", "--seed", "-3"], "--seed: expected an integer >= 0"),
        (["train", "--batch-size", "x"], "--batch-size: expected a positive integer"),
        (["train", "--validation", "0.8"], "--validation: expected a fraction in [0, 0.75)"),
        (["train", "--validation", "-0.1"], "--validation: expected a fraction in [0, 0.75)"),
        (["fly"], "invalid choice"),
    ],
)
def test_bad_arguments(argv, message, capsys):
    from convlearn.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
