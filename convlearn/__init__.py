"""convlearn: from the convolution integral to the layers of a convolutional network.

Layers, from the bottom up (each imports only the ones above it in this list):

``convlearn.continuous``      the integral (f * g)(t) = ∫ f(τ) g(t − τ) dτ, numerically and analytically
``convlearn.signal``          discrete 1-D/2-D/3-D convolution and correlation (NumPy/SciPy numbers)
``convlearn.nn.functional``   CNN operations (PyTorch numbers): conv1d/2d/3d, backward, pooling, ...
``convlearn.nn``              layers with explicit forward/backward, losses, optimisers
``convlearn.data`` / ``convlearn.train``   the digits data set and the training loop
``convlearn.experiments`` / ``convlearn.inspect``   the book's experiments; filters, feature maps, mistakes
``convlearn.gradcheck``       numerical gradients, used by tests, the book and the exercises
``convlearn.viz``             plots, animations and the live explorers (anywidget; kept apart from the maths)

Beside them, ``convlearn.grading`` (the course's checks, and sandboxed grading in ``convlearn.grading.grader``)
imports none of them: it names the library's routines as strings.

:func:`manual_seed` restarts the default random generator that every ``rng=None`` draws from (layer
weights, dropout masks, shuffling), as ``torch.manual_seed`` does.

In IPython, importing convlearn also lets the book's worked answers (cells that start with ``%%answer``) run
only when asked (see ``convlearn._answers``).
"""

from convlearn._answers import register as _register_answers

_register_answers()

__all__ = ["manual_seed", "default_generator"]

__version__ = "0.1.0"


def __getattr__(name: str):
    """``manual_seed`` and ``default_generator``, from :mod:`convlearn._random`, imported when first asked for.

    That module imports NumPy; importing only ``convlearn`` does not, so that a process that needs no NumPy (the
    grading sandbox's launcher, started for every graded kernel) does not pay for it.
    """
    if name in __all__:
        from convlearn import _random

        return getattr(_random, name)
    raise AttributeError(f"module 'convlearn' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
