"""convlearn.nn layers: backward vs numerical gradients and vs their functional call, errors, seeding.

Their PyTorch parity lives in ``tests/test_torch_parity.py``, dtype and purity in ``tests/test_contract.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from _layer_cases import LAYER_CASES

import convlearn
from convlearn import nn
from convlearn.gradcheck import check_gradient
from convlearn.nn import functional as F


def _away_from_kinks(x: np.ndarray) -> np.ndarray:
    """Keep entries away from 0 (ReLU's kink) and distinct (no ties inside a max-pool window)."""
    return x + 0.1 * np.sign(x)


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_backward_matches_numerical_gradient(case, rng):
    factory, shape = LAYER_CASES[case]
    layer = factory()
    x = _away_from_kinks(rng.standard_normal(shape))
    y = layer.forward(x)
    g = rng.standard_normal(y.shape)
    grad_x = layer.backward(g)
    assert grad_x.shape == x.shape
    param_grads = {p.name: p.grad.copy() for p in layer.parameters()}

    result = check_gradient(lambda xx: float(np.sum(layer.forward(xx) * g)), x, grad_x)
    assert result, result
    for p in layer.parameters():
        original = p.value.copy()

        def f(v, p=p):
            p.value[...] = v
            return float(np.sum(layer.forward(x) * g))

        result = check_gradient(f, original, param_grads[p.name])
        p.value[...] = original
        assert result, (p.name, result)


def test_dropout_train_and_eval(rng):
    x = rng.standard_normal((200, 50))
    drop = nn.Dropout(0.3, rng=0)
    y = drop.forward(x)
    kept = y != 0
    assert 0.65 < kept.mean() < 0.75
    np.testing.assert_allclose(y[kept], x[kept] / 0.7)
    g = rng.standard_normal(x.shape)
    np.testing.assert_allclose(drop.backward(g), np.where(kept, g / 0.7, 0.0))
    # the same seed gives the same mask
    np.testing.assert_array_equal(nn.Dropout(0.3, rng=0).forward(x), y)
    drop.eval()
    np.testing.assert_array_equal(drop.forward(x), x)
    np.testing.assert_array_equal(drop.backward(g), g)
    np.testing.assert_array_equal(nn.Dropout(1.0).forward(x), 0)


def test_convolution_mode_is_flipped_correlation(rng):
    corr = nn.Conv2d(2, 3, (3, 2), padding=1, rng=1)
    conv = nn.Conv2d(2, 3, (3, 2), padding=1, mode="convolution", rng=1)
    conv.weight.value[...] = np.flip(corr.weight.value, axis=(2, 3))
    x = rng.standard_normal((2, 2, 6, 5))
    np.testing.assert_array_equal(corr.forward(x), conv.forward(x))
    g = rng.standard_normal(corr.forward(x).shape)
    np.testing.assert_array_equal(corr.backward(g), conv.backward(g))
    np.testing.assert_array_equal(conv.weight.grad, np.flip(corr.weight.grad, axis=(2, 3)))


def test_convolution_mode_matches_scipy_convolve2d(rng):
    from scipy.signal import convolve2d

    layer = nn.Conv2d(1, 1, 3, bias=False, mode="convolution", rng=0)
    image = rng.standard_normal((6, 7))
    out = layer.forward(image[None, None])[0, 0]
    np.testing.assert_allclose(out, convolve2d(image, layer.weight.value[0, 0], mode="valid"), rtol=1e-12)


def test_parameters_names_shapes_and_state():
    net = nn.Sequential(nn.Conv2d(1, 4, 3, rng=0), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 3, bias=False))
    params = net.parameters()
    assert [p.name for p in params] == ["0.weight", "0.bias", "3.weight"]
    assert [p.value.shape for p in params] == [(4, 1, 3, 3), (4,), (3, 144)]
    assert net.num_parameters() == 36 + 4 + 432
    # listed arrays are the layer's own arrays: an in-place update reaches the layer
    params[0].value[...] = 1.0
    assert np.all(net[0].weight.value == 1.0)
    state = net.state_dict()
    params[0].value[...] = 2.0
    net.load_state_dict(state)
    assert np.all(net[0].weight.value == 1.0)
    with pytest.raises(ValueError, match="shape"):
        net.load_state_dict({**state, "3.weight": np.zeros((2, 2))})
    with pytest.raises(ValueError, match="missing"):
        net.load_state_dict({"0.weight": state["0.weight"]})


def _small_net(dtype=np.float64):
    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1, rng=0, dtype=dtype), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(3 * 4 * 4, 5, rng=1, dtype=dtype), nn.Dropout(0.0))


def test_parameters_are_the_layers_own_objects():
    net = _small_net()
    params = net.parameters()
    own = [net[0].weight, net[0].bias, net[4].weight, net[4].bias]
    assert all(p is q for p, q in zip(params, own, strict=True))
    # rebinding p.value (what PyTorch users write as p.data = ...) replaces the layer's weight
    params[2].value = np.full((5, 48), 0.5)
    assert np.all(net[4].weight.value == 0.5)
    assert net.state_dict()["4.weight"][0, 0] == 0.5


def test_rebinding_a_parameter_checks_shape_and_dtype():
    net = _small_net()
    p = net.parameters()[0]
    with pytest.raises(ValueError, match=r"'0\.weight'.*\(3, 1, 3, 3\).*\(3, 3\)"):
        p.value = np.zeros((3, 3))
    for bad in (np.zeros((3, 1, 3, 3), dtype=np.int64), np.zeros((3, 1, 3, 3), dtype=complex)):
        with pytest.raises(TypeError, match=r"'0\.weight'.*float32 or float64"):
            p.value = bad
    assert net[0].weight.value.dtype == np.float64 and net[0].weight.value.shape == (3, 1, 3, 3)


def test_rebinding_every_parameter_to_float32_gives_a_float32_network(rng):
    # the idiom of a PyTorch user; the oracle is the same network built in float32 from the start
    x = rng.standard_normal((2, 1, 8, 8)).astype(np.float32)
    net, ref = _small_net(), _small_net(np.float32)
    for p in net.parameters():
        p.value = p.value.astype(np.float32)
    y, y_ref = net.forward(x), ref.forward(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, y_ref)
    net.backward(np.ones_like(y))
    ref.backward(np.ones_like(y_ref))
    for p, q in zip(net.parameters(), ref.parameters(), strict=True):
        assert p.grad.dtype == np.float32
        np.testing.assert_array_equal(p.grad, q.grad)


def test_astype_converts_the_whole_network_and_returns_it(rng):
    x = rng.standard_normal((2, 1, 8, 8))
    net, ref = _small_net(), _small_net(np.float32)
    y64 = net.forward(x)
    assert net.astype(np.float32) is net
    assert all(p.value.dtype == p.grad.dtype == np.float32 for p in net.parameters())
    # the input cached by the last forward is converted too, so backward is all float32
    assert net.backward(np.ones((2, 5), dtype=np.float32)).dtype == np.float32
    y32 = net.forward(x.astype(np.float32))
    assert y32.dtype == np.float32
    np.testing.assert_array_equal(y32, ref.forward(x.astype(np.float32)))
    np.testing.assert_allclose(y32, y64, rtol=1e-5, atol=1e-5)
    assert net.astype("float64").forward(x).dtype == np.float64
    np.testing.assert_allclose(net.forward(x), y64, rtol=1e-6, atol=1e-6)
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        net.astype(np.int32)


def test_optimiser_on_rebound_parameters_trains_the_layer(rng):
    net = _small_net()
    for p in net.parameters():
        p.value = p.value.astype(np.float32)
    before = net[0].weight.value.copy()
    opt = nn.optim.SGD(net.parameters(), lr=0.1)
    net.backward(np.ones_like(net.forward(rng.standard_normal((2, 1, 8, 8)).astype(np.float32))))
    opt.step()
    assert net[0].weight.value.dtype == np.float32 and not np.array_equal(net[0].weight.value, before)


def test_zero_grad_train_eval_and_repr(rng):
    net = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, rng=0), nn.Dropout(0.5), nn.Flatten(), nn.Linear(32, 2))
    y = net.forward(rng.standard_normal((2, 1, 4, 4)))
    net.backward(np.ones_like(y))
    assert any(np.any(p.grad != 0) for p in net.parameters())
    net.zero_grad()
    assert all(np.all(p.grad == 0) for p in net.parameters())
    net.eval()
    assert not net.training and not net[1].training
    net.train()
    assert net[1].training
    text = repr(net)
    assert "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in text
    assert "Dropout(p=0.5)" in text and "Linear(in_features=32, out_features=2, bias=True)" in text
    assert "mode='convolution'" in repr(nn.Conv2d(1, 1, 3, mode="convolution"))


def test_initialisation_is_seeded_and_he_scaled():
    a, b = nn.Conv2d(8, 16, 3, rng=5), nn.Conv2d(8, 16, 3, rng=5)
    np.testing.assert_array_equal(a.weight.value, b.weight.value)
    assert not np.array_equal(a.weight.value, nn.Conv2d(8, 16, 3, rng=6).weight.value)
    big = nn.Conv2d(64, 256, 3, rng=0)
    assert big.weight.value.std() == pytest.approx(np.sqrt(2 / (64 * 9)), rel=0.02)
    np.testing.assert_array_equal(big.bias.value, 0)


# ------------------------------------------------------------------------------------------------
# Bad input -> clear errors
# ------------------------------------------------------------------------------------------------
def test_wrong_input_shape_names_layer_and_shapes():
    with pytest.raises(ValueError, match=r"Conv2d\(3, 4.*\(N, 3, H, W\).*\(2, 1, 8, 8\)"):
        nn.Conv2d(3, 4, 3).forward(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"Conv2d.*3-D array of shape \(1, 8, 8\).*x\[None\]"):
        nn.Conv2d(1, 4, 3).forward(np.zeros((1, 8, 8)))
    with pytest.raises(ValueError, match=r"Linear\(in_features=10.*\(N, 10\).*\(2, 4, 3\).*Flatten"):
        nn.Linear(10, 2).forward(np.zeros((2, 4, 3)))
    with pytest.raises(ValueError, match=r"MaxPool2d.*\(N, C, H, W\)"):
        nn.MaxPool2d(2).forward(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"Conv2d\(1, 1, kernel_size=\(5, 5\).*\(1, 1, 3, 3\)"):
        nn.Conv2d(1, 1, 5).forward(np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"MaxPool2d\(kernel_size=\(4, 4\).*\(1, 1, 3, 3\)"):
        nn.MaxPool2d(4).forward(np.zeros((1, 1, 3, 3)))
    with pytest.raises(ValueError, match=r"AvgPool2d\(kernel_size=\(2, 2\).*padding"):
        nn.AvgPool2d(2, padding=2).forward(np.zeros((1, 1, 6, 6)))
    with pytest.raises(ValueError, match=r"Conv1d.*\(N, 2, L\)"):
        nn.Conv1d(2, 2, 3).forward(np.zeros((1, 3, 9)))
    with pytest.raises(ValueError, match=r"grad_out.*\(1, 1, 4, 4\)"):
        layer = nn.Conv2d(1, 1, 3)
        layer.forward(np.zeros((1, 1, 6, 6)))
        layer.backward(np.zeros((1, 1, 5, 5)))


def test_bad_constructor_arguments_and_order():
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="stride"):
        nn.Conv2d(1, 1, 3, stride=0)
    with pytest.raises(ValueError, match="padding"):
        nn.Conv2d(1, 1, 3, padding=-1)
    with pytest.raises(ValueError, match="same"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="mode"):
        nn.Conv2d(1, 1, 3, mode="fft")
    with pytest.raises(ValueError, match="p must be"):
        nn.Dropout(1.5)
    with pytest.raises(TypeError, match="layer 1"):
        nn.Sequential(nn.ReLU(), "relu")
    with pytest.raises(TypeError, match="complex"):
        nn.ReLU().forward(np.zeros((2, 2), dtype=complex))
    with pytest.raises(RuntimeError, match="before forward"):
        nn.Linear(2, 2).backward(np.zeros((1, 2)))


# ------------------------------------------------------------------------------------------------
# Flags are validated like the functions validate them (no truthiness of strings)
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: nn.MaxPool2d(2, ceil_mode="False"),
    lambda: nn.AvgPool2d(2, ceil_mode="False"),
    lambda: nn.AvgPool2d(2, count_include_pad="False"),
    lambda: nn.AvgPool2d(2, count_include_pad=0),
    lambda: nn.Conv2d(1, 1, 3, bias="False"),
    lambda: nn.Linear(2, 2, bias=None),
], ids=["max-ceil", "avg-ceil", "avg-count", "avg-count-int", "conv-bias", "linear-bias"])
def test_flags_must_be_bools(make):
    with pytest.raises(TypeError, match="must be a bool"):
        make()


def test_layer_flag_errors_are_the_functions_errors():
    x = np.zeros((1, 1, 4, 4))
    for layer_call, fn_call in [
        (lambda: nn.MaxPool2d(2, ceil_mode="False"), lambda: F.max_pool2d(x, 2, ceil_mode="False")),
        (lambda: nn.AvgPool2d(2, count_include_pad="False"), lambda: F.avg_pool2d(x, 2, count_include_pad="False")),
    ]:
        with pytest.raises(TypeError) as from_layer:
            layer_call()
        with pytest.raises(TypeError) as from_fn:
            fn_call()
        assert str(from_layer.value) == str(from_fn.value)


def test_numpy_bools_are_accepted():
    assert nn.MaxPool2d(2, ceil_mode=np.True_).ceil_mode is True
    assert nn.AvgPool2d(2, count_include_pad=np.False_).count_include_pad is False


# ------------------------------------------------------------------------------------------------
# Random initialisation: one default generator, restarted by convlearn.manual_seed
# ------------------------------------------------------------------------------------------------
def test_layers_without_rng_get_different_weights():
    a, b = nn.Conv2d(4, 4, 3), nn.Conv2d(4, 4, 3)
    assert not np.array_equal(a.weight.value, b.weight.value)
    assert not np.array_equal(nn.Linear(5, 5).weight.value, nn.Linear(5, 5).weight.value)


def test_manual_seed_makes_default_draws_reproducible():
    convlearn.manual_seed(7)
    first = [nn.Conv2d(2, 3, 3).weight.value, nn.Linear(4, 2).weight.value, nn.Dropout(0.5).forward(np.ones(50))]
    convlearn.manual_seed(7)
    again = [nn.Conv2d(2, 3, 3).weight.value, nn.Linear(4, 2).weight.value, nn.Dropout(0.5).forward(np.ones(50))]
    for u, v in zip(first, again, strict=True):
        np.testing.assert_array_equal(u, v)
    # the default generator is numpy's default_rng(seed): the first layer's weights are its first draws
    convlearn.manual_seed(11)
    w = nn.Conv2d(2, 3, 3).weight.value
    expected = np.random.default_rng(11).standard_normal((3, 2, 3, 3)) * np.sqrt(2 / (2 * 9))
    np.testing.assert_allclose(w, expected, rtol=1e-15)


def test_dropout_follows_a_later_manual_seed():
    drop = nn.Dropout(0.5)  # built before seeding: still draws from the (re-seeded) default generator
    convlearn.manual_seed(3)
    m1 = drop.forward(np.ones(100))
    convlearn.manual_seed(3)
    np.testing.assert_array_equal(drop.forward(np.ones(100)), m1)


def test_explicit_rng_is_independent_of_the_default_generator():
    convlearn.manual_seed(0)
    a = nn.Conv2d(2, 2, 3, rng=5).weight.value
    nn.Conv2d(2, 2, 3)  # advances the default generator only
    np.testing.assert_array_equal(nn.Conv2d(2, 2, 3, rng=5).weight.value, a)
    gen = np.random.default_rng(5)
    np.testing.assert_array_equal(nn.Conv2d(2, 2, 3, rng=gen).weight.value, a)


@pytest.mark.parametrize("seed", [1.5, "0", True, None])
def test_manual_seed_rejects_non_ints(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        convlearn.manual_seed(seed)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        convlearn.manual_seed(-1)


# ------------------------------------------------------------------------------------------------
# The layers compute through nn.functional: identical numbers to the functional call
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["conv1d", "conv1d_groups_dil", "conv2d", "conv2d_all", "conv2d_same_even",
                                  "conv2d_valid_nobias", "conv3d", "conv_transpose2d", "conv_transpose2d_dil"])
def test_conv_layers_equal_their_functional_call(case, rng):
    layer, shape = LAYER_CASES[case][0](), LAYER_CASES[case][1]
    x = rng.standard_normal(shape)
    fn = {nn.Conv1d: "conv1d", nn.Conv2d: "conv2d", nn.Conv3d: "conv3d",
          nn.ConvTranspose2d: "conv_transpose2d"}[type(layer)]
    kw = dict(stride=layer.stride, padding=layer.padding, dilation=layer.dilation, groups=layer.groups)
    if isinstance(layer, nn.ConvTranspose2d):
        kw["output_padding"] = layer.output_padding
    b = None if layer.bias is None else layer.bias.value
    y = getattr(F, fn)(x, layer.weight.value, b, **kw)
    np.testing.assert_array_equal(layer.forward(x), y)
    g = rng.standard_normal(y.shape)
    grads = getattr(F, f"{fn}_backward")(g, x, layer.weight.value, **kw)
    np.testing.assert_array_equal(layer.backward(g), grads[0])
    np.testing.assert_array_equal(layer.weight.grad, grads[1])
    if layer.bias is not None:
        np.testing.assert_array_equal(layer.bias.grad, grads[2])


# ------------------------------------------------------------------------------------------------
# The layers look their functions up at call time: the grader's forbid blocks them too
# ------------------------------------------------------------------------------------------------
_FUNCTIONAL_OF = {nn.Conv1d: "conv1d", nn.Conv2d: "conv2d", nn.Conv3d: "conv3d", nn.ConvTranspose2d: "conv_transpose2d",
                  nn.MaxPool2d: "max_pool2d", nn.AvgPool2d: "avg_pool2d"}


@pytest.mark.parametrize("case", ["conv1d", "conv2d", "conv3d", "conv_transpose2d", "maxpool", "avgpool"])
def test_forbidding_a_function_blocks_the_layers_that_call_it(case, rng):
    from convlearn import grading

    layer, shape = LAYER_CASES[case][0](), LAYER_CASES[case][1]
    x = rng.standard_normal(shape)
    name = _FUNCTIONAL_OF[type(layer)]
    with grading.forbid([f"convlearn.nn.functional.{name}"]):
        with pytest.raises(grading.ForbiddenCallError, match=rf"convlearn\.nn\.functional\.{name}\b"):
            layer.forward(x)
    g = np.ones_like(layer.forward(x))
    with grading.forbid([f"convlearn.nn.functional.{name}_backward"]):
        with pytest.raises(grading.ForbiddenCallError, match=rf"convlearn\.nn\.functional\.{name}_backward"):
            layer.backward(g)
    assert layer.backward(g).shape == x.shape  # and everything works again afterwards
