"""CrossEntropyLoss, SGD, Adam and the initialisers: hand-computed values, numerical gradients.

Their PyTorch parity lives in ``tests/test_torch_parity.py``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from convlearn import nn
from convlearn.gradcheck import check_gradient
from convlearn.nn import init
from convlearn.nn.optim import SGD, Adam


# ------------------------------------------------------------------------------------------------
# Loss
# ------------------------------------------------------------------------------------------------
def test_cross_entropy_by_hand():
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    targets = np.array([0, 2])
    loss_fn = nn.CrossEntropyLoss()
    expected = 0.5 * (-(2 - math.log(math.e**2 + math.e + 1)) + math.log(3))
    assert loss_fn(logits, targets) == pytest.approx(expected, rel=1e-14)
    p0 = np.exp([2.0, 1.0, 0.0]) / np.exp([2.0, 1.0, 0.0]).sum()
    expected_grad = np.array([p0 - [1, 0, 0], [1 / 3, 1 / 3, 1 / 3 - 1]]) / 2
    np.testing.assert_allclose(loss_fn.backward(), expected_grad, rtol=1e-14)


def test_cross_entropy_gradient_and_stability(rng):
    logits = rng.standard_normal((5, 4))
    targets = rng.integers(0, 4, size=5)
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(logits, targets)
    assert check_gradient(lambda z: nn.CrossEntropyLoss()(z, targets), logits, loss_fn.backward())
    # shifting every logit of a row leaves the loss unchanged; huge logits do not overflow
    big = logits + 1e4
    assert nn.CrossEntropyLoss()(big, targets) == pytest.approx(nn.CrossEntropyLoss()(logits, targets), rel=1e-9)
    assert np.isfinite(nn.CrossEntropyLoss()(np.array([[1000.0, -1000.0]]), np.array([1])))


def test_cross_entropy_bad_input():
    loss_fn = nn.CrossEntropyLoss()
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 2\].*\[3\]"):
        loss_fn(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="targets must lie"):
        loss_fn(np.zeros((2, 3)), np.array([-1, 0]))
    with pytest.raises(ValueError, match=r"targets must have shape \(2,\)"):
        loss_fn(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"logits of shape \(N, K\)"):
        loss_fn(np.zeros(3), np.array([0]))
    with pytest.raises(ValueError, match="non-finite"):
        loss_fn(np.array([[np.nan, 0.0]]), np.array([0]))
    with pytest.raises(TypeError, match="integer"):
        loss_fn(np.zeros((1, 2)), np.array([0.5]))
    with pytest.raises(RuntimeError):
        nn.CrossEntropyLoss().backward()


# ------------------------------------------------------------------------------------------------
# Optimisers
# ------------------------------------------------------------------------------------------------
def _param(value, grad):
    return nn.Parameter("w", np.array(value, dtype=float), np.array(grad, dtype=float))


def test_sgd_steps_by_hand():
    p = _param([1.0, -2.0], [0.5, 1.0])
    SGD([p], lr=0.1).step()
    np.testing.assert_allclose(p.value, [0.95, -2.1])

    p = _param([1.0], [1.0])
    opt = SGD([p], lr=0.1, momentum=0.9, weight_decay=0.5)
    opt.step()  # g = 1 + 0.5*1 = 1.5, b = 1.5, w = 1 - 0.15 = 0.85
    np.testing.assert_allclose(p.value, [0.85])
    opt.step()  # g = 1 + 0.425 = 1.425, b = 0.9*1.5 + 1.425 = 2.775, w = 0.85 - 0.2775
    np.testing.assert_allclose(p.value, [0.85 - 0.2775])


def test_adam_steps_by_hand():
    p = _param([1.0], [0.5])
    opt = Adam([p], lr=0.1)
    opt.step()  # m̂ = g, v̂ = g²: the first step moves by lr * g / (|g| + eps), i.e. lr * sign(g) up to eps
    w1 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8)
    np.testing.assert_allclose(p.value, [w1], rtol=1e-14)
    p.grad[...] = -1.0
    opt.step()
    m = 0.9 * 0.05 + 0.1 * -1.0
    v = 0.999 * 0.00025 + 0.001 * 1.0
    mhat, vhat = m / (1 - 0.9**2), v / (1 - 0.999**2)
    np.testing.assert_allclose(p.value, [w1 - 0.1 * mhat / (math.sqrt(vhat) + 1e-8)], rtol=1e-12)


def test_optimiser_bad_arguments():
    p = _param([1.0], [1.0])
    with pytest.raises(ValueError, match="lr"):
        SGD([p], lr=0)
    with pytest.raises(ValueError, match="momentum"):
        SGD([p], lr=0.1, momentum=-1)
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="empty"):
        Adam([])
    with pytest.raises(TypeError, match="Parameter"):
        SGD([np.zeros(2)], lr=0.1)


@pytest.mark.parametrize("make_opt", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.02)])
def test_tiny_network_overfits_twenty_samples(make_opt, rng):
    x = rng.standard_normal((20, 1, 6, 6))
    y = np.arange(20) % 4
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                        nn.Linear(36, 4, rng=1))
    opt, loss_fn = make_opt(net.parameters()), nn.CrossEntropyLoss()
    for _ in range(100):
        loss = loss_fn(net.forward(x), y)
        net.backward(loss_fn.backward())
        opt.step()
    assert np.mean(net.forward(x).argmax(axis=1) == y) == 1.0
    assert loss < 0.05


# ------------------------------------------------------------------------------------------------
# Initialisation
# ------------------------------------------------------------------------------------------------
def test_fans_and_init_statistics():
    assert init.fan_in_and_fan_out((16, 8, 3, 3)) == (72, 144)
    assert init.fan_in_and_fan_out((10, 7)) == (7, 10)
    shape = (200, 100, 3, 3)
    np.testing.assert_allclose(init.kaiming_normal(shape, rng=0).std(), math.sqrt(2 / 900), rtol=0.01)
    np.testing.assert_allclose(init.kaiming_uniform(shape, rng=0).std(), math.sqrt(2 / 900), rtol=0.01)
    np.testing.assert_allclose(init.xavier_normal(shape, rng=0).std(), math.sqrt(2 / 2700), rtol=0.01)
    u = init.xavier_uniform(shape, rng=0)
    assert np.abs(u).max() <= math.sqrt(6 / 2700)
    np.testing.assert_allclose(u.std(), math.sqrt(2 / 2700), rtol=0.01)
    np.testing.assert_array_equal(init.kaiming_normal((4, 3), rng=7), init.kaiming_normal((4, 3), rng=7))
    g = np.random.default_rng(1)
    assert not np.array_equal(init.kaiming_normal((4, 3), rng=g), init.kaiming_normal((4, 3), rng=g))
    assert init.kaiming_normal((4, 3), dtype=np.float32).dtype == np.float32


def test_init_bad_arguments():
    with pytest.raises(ValueError, match="shape"):
        init.kaiming_normal((5,))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal((5, 5), mode="fan_avg")
    with pytest.raises(TypeError, match="rng"):
        init.kaiming_normal((5, 5), rng="seed")
