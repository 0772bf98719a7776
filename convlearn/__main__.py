"""Command line: ``python -m convlearn train`` trains the book's default CNN on the 8×8 digits.

The run is deterministic for a given ``--seed``: the same initial weights, the same batches, the same
test accuracy. Progress goes to stderr (a tqdm bar) and one summary line per epoch to stdout; the last
line printed is ``test accuracy: 0.XXXX`` on the held-out split. With ``--validation FRACTION`` that
fraction of all images is held out of the training set, each epoch's line adds the validation loss and
accuracy, and the weights of the epoch with the lowest validation loss are restored before testing.
"""

from __future__ import annotations

import argparse
import sys
import time


def _number(kind, ok, expected: str):
    """An argparse ``type``: ``kind(text)``, refused with "expected <expected>" unless ``ok(value)``."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value

    return parse


_positive_int = _number(int, lambda v: v >= 1, "a positive integer")
_nonnegative_int = _number(int, lambda v: v >= 0, "an integer >= 0")
_positive_float = _number(float, lambda v: 0 < v < float("inf"), "a positive finite number")
_TEST_SIZE = 0.25  # the fixed test fraction of the book's split (load_digits_split's default)
_validation_fraction = _number(float, lambda v: 0 <= v < 1 - _TEST_SIZE, f"a fraction in [0, {1 - _TEST_SIZE:g})")


def build_parser() -> argparse.ArgumentParser:
    from convlearn.train import DEFAULTS

    parser = argparse.ArgumentParser(
        prog="python -m convlearn",
        description="convlearn: from the convolution integral to the layers of a CNN.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    tr = sub.add_parser(
        "train",
        help="train the book's default CNN on the 8x8 digits and report the test accuracy",
        description=(
            "Train conv3x3(16)-ReLU-maxpool2-conv3x3(32)-ReLU-maxpool2-linear on scikit-learn's 8x8 digits "
            "(stratified 75/25 split, fixed) with Adam and a cosine learning-rate schedule, then print "
            "'test accuracy: 0.XXXX' as the last line."
        ),
    )
    tr.add_argument("--epochs", type=_positive_int, default=DEFAULTS["epochs"],
                    help="passes over the training set (default: %(default)s)")
    tr.add_argument("--seed", type=_nonnegative_int, default=DEFAULTS["seed"],
                    help="seed of the initial weights and of the batch order (default: %(default)s)")
    tr.add_argument("--lr", type=_positive_float, default=DEFAULTS["lr"],
                    help="initial Adam learning rate (default: %(default)s)")
    tr.add_argument("--batch-size", type=_positive_int, default=DEFAULTS["batch_size"],
                    help="mini-batch size (default: %(default)s)")
    tr.add_argument("--validation", metavar="FRACTION", type=_validation_fraction, default=0.0,
                    help="hold this fraction of all images out of training as a validation set, report its loss "
                         "after every epoch and keep the weights of the epoch with the lowest one "
                         "(default: %(default)s, no validation set)")
    tr.add_argument("--out", metavar="WEIGHTS.npz", default=None,
                    help="save the trained weights to this .npz file (load with convlearn.train.load_weights)")
    tr.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    return parser


def _train(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from convlearn.data import load_digits_split
    from convlearn.train import digits_cnn, evaluate, fit, save_weights

    start = time.perf_counter()
    data = load_digits_split(test_size=_TEST_SIZE, validation=args.validation)
    validating = data.y_val is not None
    model = digits_cnn(seed=args.seed)
    sizes = f"{len(data.y_train)} training / " + (f"{len(data.y_val)} validation / " if validating else "")
    print(f"digits: {sizes}{len(data.y_test)} test images of 8x8; "
          f"{model.num_parameters()} parameters; seed {args.seed}", flush=True)

    def report(epoch: int, history) -> None:
        val = (f"  validation loss {history.val_loss[-1]:.4f}  validation accuracy {history.val_accuracy[-1]:.4f}"
               if validating else "")
        tqdm.write(
            f"epoch {epoch:3d}/{args.epochs}  loss {history.train_loss[-1]:.4f}  "
            f"train accuracy {history.train_accuracy[-1]:.4f}{val}  ({history.seconds[-1]:.1f} s)",
            file=sys.stdout,
        )
        sys.stdout.flush()

    history = fit(model, data.x_train, data.y_train, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                  x_val=data.x_val, y_val=data.y_val, restore_best=validating, lr_schedule="cosine",
                  seed=args.seed, progress=not args.no_progress, on_epoch_end=report)
    if validating:
        best = history.best_epoch
        print(f"kept the weights of epoch {best} of {args.epochs}, the lowest validation loss "
              f"({history.val_loss[best - 1]:.4f})")
    if args.out:
        save_weights(model, args.out)
        print(f"weights saved to {args.out}")
    result = evaluate(model, data.x_test, data.y_test)
    print(f"total time {time.perf_counter() - start:.1f} s")
    print(f"test accuracy: {result.accuracy:.4f}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m convlearn`` and of the ``convlearn`` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "train":
        return _train(args)
    return 2  # pragma: no cover (argparse rejects unknown commands)


if __name__ == "__main__":
    sys.exit(main())
