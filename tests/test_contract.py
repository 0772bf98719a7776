"""An independent audit of the public API against its contract, stated in ``book/appendix/api.md`` ("The contract").

Every test here is derived from the contract text alone, not from the implementation:

1. signatures: parameter names, order and defaults transcribed from the contract;
2. dtype rules: float32 -> float32, float64 -> float64, ints/bools -> float64, mixed -> float64;
3. error rules: ``ValueError``/``TypeError`` naming the offending argument and the shapes involved;
4. inputs are never modified (read-only arrays, compared with copies afterwards);
5. numerics against oracles independent of convlearn: NumPy/SciPy for ``convlearn.signal`` and closed forms
   for ``convlearn.continuous``; PyTorch parity of ``convlearn.nn.functional`` and ``convlearn.nn`` has its
   one home in ``tests/test_torch_parity.py``.
"""

from __future__ import annotations

import inspect
import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pytest
import scipy.signal

import convlearn.continuous as C
import convlearn.nn.functional as F
import convlearn.signal as S

E = inspect.Parameter.empty
SEED = 20261124


def gen(*key: int) -> np.random.Generator:
    return np.random.default_rng([SEED, 7, *key])


# ------------------------------------------------------------------------------------------------------------
# 1. Signatures, transcribed from the contract (book/appendix/api.md)
# ------------------------------------------------------------------------------------------------------------
_CONV = [("x", E), ("weight", E), ("bias", None), ("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1)]
_2D = [("image", E), ("kernel", E), ("mode", "full"), ("boundary", "fill"), ("fillvalue", 0)]

CONTRACT_SIGNATURES = {
    (C, "convolve"): [("f", E), ("g", E), ("t", E), ("support", E)],
    (S, "convolve1d"): [("x", E), ("k", E), ("mode", "full")],
    (S, "correlate1d"): [("x", E), ("k", E), ("mode", "valid")],
    (S, "convolve2d"): _2D,
    (S, "correlate2d"): _2D,
    (S, "fftconvolve"): [("a", E), ("b", E), ("mode", "full")],
    (F, "conv1d"): _CONV,
    (F, "conv2d"): _CONV,
    (F, "conv3d"): _CONV,
    (F, "conv2d_backward"): [
        ("grad_out", E), ("x", E), ("weight", E), ("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1),
    ],
    (F, "conv_transpose2d"): [
        ("x", E), ("weight", E), ("bias", None), ("stride", 1), ("padding", 0), ("output_padding", 0),
        ("groups", 1), ("dilation", 1),
    ],
    (F, "max_pool2d"): [
        ("x", E), ("kernel_size", E), ("stride", None), ("padding", 0), ("dilation", 1), ("ceil_mode", False),
    ],
    (F, "avg_pool2d"): [
        ("x", E), ("kernel_size", E), ("stride", None), ("padding", 0), ("ceil_mode", False),
        ("count_include_pad", True),
    ],
    (F, "max_pool2d_backward"): [
        ("grad_out", E), ("x", E), ("kernel_size", E), ("stride", None), ("padding", 0), ("dilation", 1),
        ("ceil_mode", False),
    ],
    (F, "avg_pool2d_backward"): [
        ("grad_out", E), ("x", E), ("kernel_size", E), ("stride", None), ("padding", 0), ("ceil_mode", False),
        ("count_include_pad", True),
    ],
    (F, "conv_output_size"): [("size", E), ("kernel_size", E), ("stride", 1), ("padding", 0), ("dilation", 1)],
    (F, "conv_transpose_output_size"): [
        ("size", E), ("kernel_size", E), ("stride", 1), ("padding", 0), ("output_padding", 0), ("dilation", 1),
    ],
}


def _sig_id(key):
    return f"{key[0].__name__.split('.')[-1]}.{key[1]}"


@pytest.mark.parametrize("key", list(CONTRACT_SIGNATURES), ids=_sig_id)
def test_signature_matches_contract(key):
    module, name = key
    assert name in module.__all__, f"{module.__name__}.{name} is not exported in __all__"
    fn = getattr(module, name)
    params = list(inspect.signature(fn).parameters.values())
    expected = CONTRACT_SIGNATURES[key]
    head, extra = params[: len(expected)], params[len(expected):]
    assert [p.name for p in head] == [n for n, _ in expected]
    for p, (pname, default) in zip(head, expected, strict=True):
        assert p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD, f"{name}: {pname} must be positional-or-keyword"
        # Same value and same type (0 is not 0.0, False is not 0, None is None).
        assert type(p.default) is type(default) and p.default == default, (
            f"{name}: default of {pname} is {p.default!r}, the contract says {default!r}"
        )
    for p in extra:
        assert p.kind == inspect.Parameter.KEYWORD_ONLY, f"{name}: extra parameter {p.name} must be keyword-only"
        assert p.default is not E, f"{name}: extra parameter {p.name} must have a default"


# ------------------------------------------------------------------------------------------------------------
# Call cases shared by the dtype and the read-only tests: arrays (positional) + hyper-parameters
# ------------------------------------------------------------------------------------------------------------
@dataclass
class Case:
    id: str
    fn: object
    shapes: tuple  # shapes of the leading positional array arguments
    kwargs: dict = field(default_factory=dict)
    trailing: tuple = ()  # positional non-array arguments after the arrays (kernel_size of pooling)


def _gauss(t):
    return np.exp(-0.5 * np.asarray(t) ** 2)


CASES = [
    Case("convolve1d", S.convolve1d, ((9,), (4,))),
    Case("convolve1d-same-long-kernel", S.convolve1d, ((5,), (8,)), {"mode": "same"}),
    Case("correlate1d", S.correlate1d, ((9,), (4,))),
    Case("correlate1d-full", S.correlate1d, ((4,), (9,)), {"mode": "full"}),
    Case("convolve2d", S.convolve2d, ((6, 7), (3, 2))),
    Case("convolve2d-symm-same", S.convolve2d, ((6, 7), (3, 4)), {"mode": "same", "boundary": "symm"}),
    Case("convolve2d-fill", S.convolve2d, ((6, 7), (3, 4)), {"mode": "same", "fillvalue": 2.5}),
    Case("correlate2d-wrap", S.correlate2d, ((6, 7), (4, 3)), {"boundary": "wrap"}),
    Case("correlate2d-valid", S.correlate2d, ((6, 7), (4, 3)), {"mode": "valid"}),
    Case("fftconvolve-1d", S.fftconvolve, ((11,), (4,))),
    Case("fftconvolve-2d-same", S.fftconvolve, ((6, 5), (3, 4)), {"mode": "same"}),
    Case("fftconvolve-3d-valid", S.fftconvolve, ((5, 6, 4), (2, 3, 2)), {"mode": "valid"}),
    Case("conv1d", F.conv1d, ((2, 4, 9), (6, 2, 3), (6,)), {"stride": 2, "padding": 1, "groups": 2}),
    Case("conv2d", F.conv2d, ((2, 3, 7, 6), (4, 3, 3, 2), (4,)), {"padding": "same", "dilation": (1, 2)}),
    Case("conv2d-depthwise", F.conv2d, ((2, 3, 7, 6), (3, 1, 3, 3), (3,)), {"groups": 3, "padding": 1}),
    Case("conv3d", F.conv3d, ((1, 2, 5, 4, 6), (3, 2, 2, 3, 2), (3,)), {"stride": (1, 2, 1), "padding": (1, 0, 1)}),
    Case("conv2d_backward", F.conv2d_backward, ((2, 4, 4, 3), (2, 2, 7, 6), (4, 1, 3, 3)),
         {"stride": 2, "padding": 1, "groups": 2}),
    Case("conv2d_backward-same", F.conv2d_backward, ((1, 3, 6, 5), (1, 2, 6, 5), (3, 2, 2, 4)),
         {"padding": "same"}),
    Case("conv_transpose2d", F.conv_transpose2d, ((2, 4, 3, 4), (4, 3, 3, 2), (6,)),
         {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}),
    Case("max_pool2d", F.max_pool2d, ((2, 3, 7, 6),), {"stride": 2, "padding": 1, "ceil_mode": True}, (3,)),
    Case("max_pool2d-dilated", F.max_pool2d, ((2, 3, 7, 6),), {"stride": 1, "dilation": 2}, ((2, 3),)),
    Case("avg_pool2d", F.avg_pool2d, ((2, 3, 7, 6),), {"padding": 1, "ceil_mode": True,
                                                       "count_include_pad": False}, (3,)),
    Case("max_pool2d_backward", F.max_pool2d_backward, ((2, 3, 4, 4), (2, 3, 7, 6)),
         {"stride": 2, "padding": 1, "ceil_mode": True}, (3,)),
    Case("avg_pool2d_backward", F.avg_pool2d_backward, ((2, 3, 3, 2), (2, 3, 7, 6)), {"stride": 2}, (3,)),
    Case("avg_pool2d_backward-pad", F.avg_pool2d_backward, ((2, 3, 4, 4), (2, 3, 7, 6)),
         {"padding": 1, "ceil_mode": True, "count_include_pad": False}, (2,)),
    # Beyond the contract, the other public operations follow the same package-wide rules:
    Case("conv1d_backward", F.conv1d_backward, ((2, 6, 5), (2, 4, 9), (6, 2, 3)),
         {"stride": 2, "padding": 1, "groups": 2}),
    Case("conv3d_backward", F.conv3d_backward, ((1, 3, 6, 1, 7), (1, 2, 5, 4, 6), (3, 2, 2, 3, 2)),
         {"stride": (1, 2, 1), "padding": (1, 0, 1)}),
    Case("conv_transpose2d_backward", F.conv_transpose2d_backward, ((2, 6, 6, 7), (2, 4, 3, 4), (4, 3, 3, 2)),
         {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}),
    Case("im2col", F.im2col, ((2, 3, 6, 5),), {"padding": 1}, ((3, 2),)),
    Case("im2col-1x1", F.im2col, ((2, 3, 6, 5),), {}, (1,)),
    Case("col2im", F.col2im, ((2, 18, 36),), {"padding": 1}, ((2, 3, 6, 5), (3, 2))),
    Case("separable_convolve2d", S.separable_convolve2d, ((6, 7), (3,), (4,)), {"mode": "same"}),
    Case("convolve1d-fft", S.convolve1d, ((9,), (4,)), {"mode": "same", "method": "fft"}),
    Case("correlate1d-direct", S.correlate1d, ((9,), (4,)), {"mode": "full", "method": "direct"}),
    Case("convolve2d-wrap-fft", S.convolve2d, ((6, 7), (3, 4)), {"mode": "same", "boundary": "wrap", "method": "fft"}),
    Case("correlate2d-symm-fft", S.correlate2d, ((6, 7), (4, 3)), {"boundary": "symm", "fillvalue": 1.0,
                                                                   "method": "fft"}),
    Case("convolution_matrix_1d", S.convolution_matrix_1d, ((4,),), {}, (5,)),
    Case("correlate2d_loops", S.reference.correlate2d_loops, ((5, 5), (2, 2)), {"mode": "same", "boundary": "symm"}),
]


def _make(shape, kind: str, rng) -> np.ndarray:
    if kind == "bool":
        return rng.random(shape) < 0.5
    if kind == "int":
        return rng.integers(-4, 5, size=shape).astype(np.int64)
    if kind == "int32":
        return rng.integers(-4, 5, size=shape).astype(np.int32)
    return rng.standard_normal(shape).astype(kind)


def _call(case: Case, arrays):
    return case.fn(*arrays, *case.trailing, **case.kwargs)


def _outputs(result) -> tuple:
    return result if isinstance(result, tuple) else (result,)


DTYPE_RULES = [
    ("float32", np.float32),
    ("float64", np.float64),
    ("int", np.float64),
    ("int32", np.float64),
    ("bool", np.float64),
    ("mixed32-64", np.float64),
    ("mixed64-32", np.float64),
]


@pytest.mark.parametrize(
    "case, kinds, expected",
    [
        pytest.param(c, k, e, id=f"{c.id}-{k}")
        for c in CASES
        for k, e in DTYPE_RULES
        if len(c.shapes) > 1 or not k.startswith("mixed")  # one array argument: nothing to mix
    ],
)
def test_dtype_rules(case, kinds, expected):
    rng = gen(1)
    n = len(case.shapes)
    if kinds.startswith("mixed"):
        first, rest = ("float32", "float64") if kinds == "mixed32-64" else ("float64", "float32")
        per = [first] + [rest] * (n - 1)
    else:
        per = [kinds] * n
    arrays = [_make(s, k, rng) for s, k in zip(case.shapes, per, strict=True)]
    outs = _outputs(_call(case, arrays))
    ref = _outputs(_call(case, [a.astype(np.float64) for a in arrays]))
    for got, want in zip(outs, ref, strict=True):
        assert isinstance(got, np.ndarray)
        assert got.dtype == expected, f"{case.id} with {kinds} inputs gave {got.dtype}, expected {expected.__name__}"
        assert got.shape == want.shape
        scale = max(1.0, float(np.max(np.abs(want))))
        np.testing.assert_allclose(got, want, rtol=0, atol=(1e-4 if expected == np.float32 else 1e-12) * scale)


@pytest.mark.parametrize(
    "kind, expected", [("float32", np.float32), ("float64", np.float64), ("int", np.float64), ("bool", np.float64)]
)
def test_dtype_rules_continuous(kind, expected):
    t = _make((2, 3), kind, gen(2))
    y = C.convolve(_gauss, _gauss, t, (-10.0, 10.0))
    assert y.dtype == expected and y.shape == (2, 3)
    exact = math.sqrt(math.pi) * np.exp(-np.asarray(t, dtype=np.float64) ** 2 / 4)
    np.testing.assert_allclose(y, exact, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "fn, args",
    [
        (F.conv_output_size, (np.int64(9), np.int32(3), np.int16(2), np.int8(1), np.uint8(1))),
        (F.conv_transpose_output_size, (np.int64(4), np.int32(3), np.int16(2), np.int8(1), np.uint8(1), 1)),
    ],
    ids=["conv_output_size", "conv_transpose_output_size"],
)
def test_size_functions_return_python_int(fn, args):
    out = fn(*args)
    assert type(out) is int
    assert out == fn(*(int(a) for a in args))


# ------------------------------------------------------------------------------------------------------------
# 4. Inputs are never modified
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("kind", ["float64", "float32", "int"])
def test_inputs_not_modified(case, kind):
    rng = gen(3)
    arrays = [_make(s, kind, rng) for s in case.shapes]
    if case.fn in (F.max_pool2d_backward,):  # ties and a NaN-free input: the gradient routing is exercised
        arrays[1][0, 0, :2, :2] = arrays[1][0, 0, 0, 0]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.flags.writeable = False
    out = _outputs(_call(case, arrays))
    for a, c in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, c)
        assert a.dtype == c.dtype
    # The result must not be a view of an input (writing to it would modify the caller's array).
    for o in out:
        assert o.flags.writeable
        for a in arrays:
            assert not np.shares_memory(o, a)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_memory_layout_does_not_matter(case):
    """Fortran-ordered, reversed (negative strides) and strided views give the contiguous result."""
    rng = gen(5)
    arrays = [_make(s, "float64", rng) for s in case.shapes]
    ref = _outputs(_call(case, arrays))
    views = [
        [np.asfortranarray(a) for a in arrays],
        [np.ascontiguousarray(a[::-1])[::-1] for a in arrays],
        [np.repeat(a, 2, axis=-1)[..., ::2] for a in arrays],
    ]
    for arrs in views:
        for a, b in zip(arrs, arrays, strict=True):
            np.testing.assert_array_equal(a, b)
        for got, want in zip(_outputs(_call(case, arrs)), ref, strict=True):
            assert got.shape == want.shape
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_inputs_not_modified_continuous():
    t = np.linspace(-2, 2, 7)
    t.flags.writeable = False
    copy = t.copy()
    seen = []

    def f(tau):
        seen.append(tau)
        return _gauss(tau)

    C.convolve(f, _gauss, t, (-8.0, 8.0))
    C.convolve(C.box, C.box, t, (-0.5, 0.5), method="simpson")
    C.riemann_convolve(f, _gauss, t, (-8.0, 8.0), step=0.1)
    np.testing.assert_array_equal(t, copy)
    assert seen  # f was called


def test_inputs_not_modified_by_separate_kernel_sparse_matrices_and_errors():
    k = gen(6).standard_normal(5)
    kernel = np.outer(k, k)
    kernel.flags.writeable = False  # a write would raise
    S.separate_kernel(kernel)
    S.convolution_matrix_2d(kernel, (4, 4))
    x, w = gen(7).standard_normal((2, 4, 6, 6)), gen(8).standard_normal((6, 2, 3, 3))
    x0 = x.copy()
    with pytest.raises(ValueError):
        F.conv2d(x, w, np.zeros(4), groups=2)  # a bias of the wrong length: the call fails, x stays as it was
    np.testing.assert_array_equal(x, x0)


def test_nested_lists_are_arrays():
    assert F.conv1d([[[1, 2, 3]]], [[[1, 1]]]).tolist() == [[[3.0, 5.0]]]
    assert S.convolve1d([1, 2, 3], (0.5, 1)).dtype == np.float64
    assert C.convolve(_gauss, _gauss, [0.0, 1.0], (-10.0, 10.0)).dtype == np.float64


# ------------------------------------------------------------------------------------------------------------
# 4b. The layers of convlearn.nn follow the same dtype and purity rules
# ------------------------------------------------------------------------------------------------------------
def _layers32():
    from convlearn import nn

    return [
        nn.Conv1d(2, 4, 3, padding=1, rng=0, dtype=np.float32),
        nn.Conv2d(2, 2, 3, padding="same", rng=0, dtype=np.float32),
        nn.Conv3d(2, 2, 2, rng=0, dtype=np.float32),
        nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=1, rng=0, dtype=np.float32),
        nn.MaxPool2d(2),
        nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(5, 3, rng=0, dtype=np.float32),
        nn.Dropout(0.5, rng=0),
    ]


_LAYER_INPUTS = [(2, 2, 7), (2, 2, 6, 5), (1, 2, 3, 4, 3), (1, 2, 3, 4), (2, 3, 6, 6), (2, 3, 7, 6), (2, 3, 4, 4),
                 (2, 3, 2, 2), (4, 5), (3, 4)]


@pytest.mark.parametrize("i", range(len(_LAYER_INPUTS)))
def test_layer_dtype_rules(i):
    layer = _layers32()[i]
    rng = gen(9, i)
    x32 = rng.standard_normal(_LAYER_INPUTS[i]).astype(np.float32)
    y = layer.forward(x32)
    assert y.dtype == np.float32, layer
    grad_x = layer.backward(np.ones_like(y))
    assert grad_x.dtype == np.float32 and grad_x.shape == x32.shape, layer
    for p in layer.parameters():
        assert p.value.dtype == p.grad.dtype == np.float32
    # float64 (or integer) input into float32 parameters: float64 out, as for the functions
    assert layer.forward(x32.astype(np.float64)).dtype == np.float64
    assert layer.forward(np.round(3 * x32).astype(np.int64)).dtype == np.float64


def test_parameters_are_the_layers_own_and_astype_sets_the_dtype():
    from convlearn import nn

    layers = _layers32()
    net = nn.Sequential(*(layers[i] for i in (1, 4, 7)), nn.Linear(12, 3, rng=0))
    own = [layers[1].weight, layers[1].bias, net[3].weight, net[3].bias]
    assert all(p is q for p, q in zip(net.parameters(), own, strict=True))
    assert net.astype(np.float64) is net and {p.value.dtype for p in net.parameters()} == {np.dtype(np.float64)}
    x32 = gen(11).standard_normal((2, 2, 6, 5)).astype(np.float32)
    assert net.forward(x32).dtype == np.float64  # float32 input, float64 parameters
    for p in net.parameters():
        p.value = p.value.astype(np.float32)  # rebinding takes effect
    assert net.forward(x32).dtype == np.float32
    with pytest.raises(ValueError, match=r"'0\.weight'.*\(2, 2, 3, 3\).*\(2, 2\)"):
        net.parameters()[0].value = np.zeros((2, 2), dtype=np.float32)


@pytest.mark.parametrize("i", range(len(_LAYER_INPUTS)))
def test_layers_do_not_modify_their_input(i):
    layer = _layers32()[i]
    rng = gen(10, i)
    x = rng.standard_normal(_LAYER_INPUTS[i])
    x.flags.writeable = False
    x0 = x.copy()
    y = layer.forward(x)
    g = rng.standard_normal(y.shape)
    g.flags.writeable = False
    g0 = g.copy()
    grad_x = layer.backward(g)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(g, g0)
    assert grad_x.shape == x.shape


# ------------------------------------------------------------------------------------------------------------
# 3. Error rules
# ------------------------------------------------------------------------------------------------------------
def _r(*shape):
    return gen(4).standard_normal(shape)


X2 = _r(2, 4, 6, 6)
W2 = _r(6, 2, 3, 3)
X1 = _r(2, 4, 8)
W1 = _r(6, 2, 3)
X3 = _r(1, 4, 4, 4, 4)
W3 = _r(6, 2, 2, 2, 2)
GO2 = _r(2, 6, 4, 4)  # conv2d(X2, W2, groups=2) output
WT = _r(4, 3, 3, 3)  # conv_transpose2d weight (C_in=4, C_out/groups=3)
XP = _r(2, 3, 5, 5)
GP = _r(2, 3, 2, 2)  # max_pool2d(XP, 2) output
NAN = float("nan")


def S_(shape):
    """The text of a shape as it appears in a message."""
    return str(tuple(shape))


@dataclass
class Bad:
    id: str
    call: object
    names: tuple  # every one of these substrings must appear in the message
    exc: tuple = (ValueError, TypeError)


def _conv_bads(nd, fn, x, w, back=None):
    """Error cases common to conv1d/2d/3d (and the backward when ``back`` is given)."""
    pre = f"conv{nd}d"
    sp = x.shape[2:]
    big_k = (6, *w.shape[1:2], *[s + 3 for s in sp])
    out = []

    def call(**kw):
        base = {"x": x, "weight": w, "groups": 2}
        base.update(kw)
        xx, ww = base.pop("x"), base.pop("weight")
        return lambda: fn(xx, ww, **base)

    out += [
        Bad(f"{pre}-x-ndim", call(x=x[0]), ("x", S_(x[0].shape))),
        Bad(f"{pre}-weight-ndim", call(weight=w[0]), ("weight", S_(w[0].shape))),
        Bad(f"{pre}-groups-cin", call(groups=3), ("groups", S_(x.shape))),
        Bad(f"{pre}-groups-cout", call(weight=np.ones((5,) + w.shape[1:]), groups=2),
            ("groups", S_((5,) + w.shape[1:]))),
        Bad(f"{pre}-channel-mismatch", call(weight=np.ones((6, 3) + w.shape[2:])),
            ("weight", S_((6, 3) + w.shape[2:]), S_(x.shape))),
        Bad(f"{pre}-kernel-too-large", call(weight=np.ones(big_k)), (S_(x.shape), S_(big_k))),
        Bad(f"{pre}-dilated-kernel-too-large", call(dilation=4), ("dilation", S_(x.shape))),
        Bad(f"{pre}-dilated-kernel-too-large-padded", call(dilation=6, padding=1), ("dilation", S_(x.shape))),
        Bad(f"{pre}-stride-0", call(stride=0), ("stride",)),
        Bad(f"{pre}-stride-negative", call(stride=-1), ("stride",)),
        Bad(f"{pre}-stride-tuple-0", call(stride=(1,) * (nd - 1) + (0,)), ("stride",)),
        Bad(f"{pre}-stride-nan", call(stride=NAN), ("stride",)),
        Bad(f"{pre}-stride-float", call(stride=1.5), ("stride",)),
        Bad(f"{pre}-stride-str", call(stride="2"), ("stride",)),
        Bad(f"{pre}-stride-wrong-length", call(stride=(1,) * (nd + 1)), ("stride",)),
        Bad(f"{pre}-dilation-0", call(dilation=0), ("dilation",)),
        Bad(f"{pre}-dilation-nan", call(dilation=NAN), ("dilation",)),
        Bad(f"{pre}-padding-negative", call(padding=-1), ("padding",)),
        Bad(f"{pre}-padding-tuple-negative", call(padding=(0,) * (nd - 1) + (-1,)), ("padding",)),
        Bad(f"{pre}-padding-nan", call(padding=NAN), ("padding",)),
        Bad(f"{pre}-padding-unknown", call(padding="full"), ("padding", "full")),
        Bad(f"{pre}-padding-same-strided", call(padding="same", stride=2), ("padding", "same", "stride")),
        Bad(f"{pre}-groups-0", call(groups=0), ("groups",)),
        Bad(f"{pre}-groups-nan", call(groups=NAN), ("groups",)),
        Bad(f"{pre}-x-complex", call(x=x.astype(complex)), ("x", "complex", S_(x.shape))),
        Bad(f"{pre}-weight-complex", call(weight=w.astype(complex)), ("weight", "complex", S_(w.shape))),
        Bad(f"{pre}-x-str", call(x=x.astype(str)), ("x", S_(x.shape))),
        Bad(f"{pre}-x-object", call(x=x.astype(object)), ("x", S_(x.shape))),
        Bad(f"{pre}-x-empty", call(x=x[:0]), ("x", S_(x[:0].shape))),
        Bad(f"{pre}-x-empty-spatial", call(x=x[..., :0]), ("x", S_(x[..., :0].shape))),
        Bad(f"{pre}-weight-empty", call(weight=w[:0]), ("weight", S_(w[:0].shape))),
    ]
    if back is None:
        out += [
            Bad(f"{pre}-bias-shape", call(bias=np.ones(5)), ("bias", "(5,)")),
            Bad(f"{pre}-bias-2d", call(bias=np.ones((6, 1))), ("bias", "(6, 1)")),
            Bad(f"{pre}-bias-complex", call(bias=np.ones(6, complex)), ("bias", "complex", "(6,)")),
        ]
    return out


def _backward(fn, go):
    def wrapped(x, weight, **kw):
        return fn(go, x, weight, **kw)

    return wrapped


def _pool_bads(pre, fn, x, k=2, back=None):
    def call(**kw):
        base = {"x": x, "kernel_size": k}
        base.update(kw)
        xx, kk = base.pop("x"), base.pop("kernel_size")
        if back is not None:
            go = base.pop("grad_out", back)
            return lambda: fn(go, xx, kk, **base)
        return lambda: fn(xx, kk, **base)

    out = [
        Bad(f"{pre}-x-ndim", call(x=x[0]), ("x", S_(x[0].shape))),
        Bad(f"{pre}-x-5d", call(x=x[None]), ("x", S_(x[None].shape))),
        Bad(f"{pre}-kernel-0", call(kernel_size=0), ("kernel_size",)),
        Bad(f"{pre}-kernel-nan", call(kernel_size=NAN), ("kernel_size",)),
        Bad(f"{pre}-kernel-none", call(kernel_size=None), ("kernel_size",)),
        Bad(f"{pre}-kernel-too-large", call(kernel_size=7), ("kernel_size", S_(x.shape))),
        Bad(f"{pre}-stride-0", call(stride=0), ("stride",)),
        Bad(f"{pre}-stride-nan", call(stride=NAN), ("stride",)),
        Bad(f"{pre}-padding-negative", call(padding=-1), ("padding",)),
        Bad(f"{pre}-padding-nan", call(padding=NAN), ("padding",)),
        Bad(f"{pre}-padding-str", call(padding="same"), ("padding",)),
        Bad(f"{pre}-x-complex", call(x=x.astype(complex)), ("x", "complex", S_(x.shape))),
        Bad(f"{pre}-x-str", call(x=x.astype(str)), ("x", S_(x.shape))),
        Bad(f"{pre}-x-empty", call(x=x[:, :0]), ("x", S_(x[:, :0].shape))),
    ]
    if "max" in pre:
        out += [
            Bad(f"{pre}-dilation-0", call(dilation=0), ("dilation",)),
            Bad(f"{pre}-dilation-nan", call(dilation=NAN), ("dilation",)),
            Bad(f"{pre}-dilated-kernel-too-large", call(dilation=5, kernel_size=2, stride=1),
                ("dilation", S_(x.shape))),
        ]
    if back is not None:
        bad_go = np.ones((2, 3, 3, 2))
        out += [
            Bad(f"{pre}-grad_out-shape", call(grad_out=bad_go), ("grad_out", S_(bad_go.shape))),
            Bad(f"{pre}-grad_out-ndim", call(grad_out=back[0]), ("grad_out", S_(back[0].shape))),
            Bad(f"{pre}-grad_out-complex", call(grad_out=back.astype(complex)),
                ("grad_out", "complex", S_(back.shape))),
        ]
    return out


def _signal_bads():
    x, k = _r(7), _r(3)
    img, ker = _r(5, 6), _r(3, 2)
    out = []
    for name, fn in (("convolve1d", S.convolve1d), ("correlate1d", S.correlate1d)):
        out += [
            Bad(f"{name}-x-ndim", lambda fn=fn: fn(img, k), ("x", S_(img.shape))),
            Bad(f"{name}-k-ndim", lambda fn=fn: fn(x, ker), ("k", S_(ker.shape))),
            Bad(f"{name}-x-scalar", lambda fn=fn: fn(3.0, k), ("x", "()")),
            Bad(f"{name}-mode", lambda fn=fn: fn(x, k, mode="circular"), ("mode", "circular")),
            Bad(f"{name}-mode-none", lambda fn=fn: fn(x, k, mode=None), ("mode",)),
            Bad(f"{name}-x-complex", lambda fn=fn: fn(x + 1j, k), ("x", "complex", "(7,)")),
            Bad(f"{name}-k-complex", lambda fn=fn: fn(x, k + 1j), ("k", "complex", "(3,)")),
            Bad(f"{name}-x-str", lambda fn=fn: fn(["a", "b"], k), ("x", "(2,)")),
            Bad(f"{name}-k-object", lambda fn=fn: fn(x, np.array([None, 1], dtype=object)), ("k", "(2,)")),
            Bad(f"{name}-x-empty", lambda fn=fn: fn(x[:0], k), ("x", "(0,)")),
            Bad(f"{name}-k-empty", lambda fn=fn: fn(x, []), ("k", "(0,)")),
        ]
    for name, fn in (("convolve2d", S.convolve2d), ("correlate2d", S.correlate2d)):
        out += [
            Bad(f"{name}-image-ndim", lambda fn=fn: fn(x, ker), ("image", S_(x.shape))),
            Bad(f"{name}-kernel-ndim", lambda fn=fn: fn(img, _r(2, 2, 2)), ("kernel", "(2, 2, 2)")),
            Bad(f"{name}-mode", lambda fn=fn: fn(img, ker, mode="circular"), ("mode", "circular")),
            Bad(f"{name}-boundary", lambda fn=fn: fn(img, ker, boundary="reflect"), ("boundary", "reflect")),
            Bad(f"{name}-boundary-none", lambda fn=fn: fn(img, ker, boundary=None), ("boundary",)),
            Bad(f"{name}-valid-no-fit", lambda fn=fn: fn(img, _r(6, 2), mode="valid"),
                ("kernel", S_(img.shape), "(6, 2)")),
            Bad(f"{name}-image-complex", lambda fn=fn: fn(img + 1j, ker), ("image", "complex", "(5, 6)")),
            Bad(f"{name}-kernel-complex", lambda fn=fn: fn(img, ker + 1j), ("kernel", "complex", "(3, 2)")),
            Bad(f"{name}-fillvalue-complex", lambda fn=fn: fn(img, ker, fillvalue=1j), ("fillvalue",)),
            Bad(f"{name}-fillvalue-str", lambda fn=fn: fn(img, ker, fillvalue="0"), ("fillvalue",)),
            Bad(f"{name}-fillvalue-array", lambda fn=fn: fn(img, ker, fillvalue=np.ones(2)), ("fillvalue",)),
            Bad(f"{name}-image-str", lambda fn=fn: fn(img.astype(str), ker), ("image", "(5, 6)")),
            Bad(f"{name}-image-empty", lambda fn=fn: fn(img[:0], ker), ("image", "(0, 6)")),
            Bad(f"{name}-kernel-empty", lambda fn=fn: fn(img, ker[:, :0]), ("kernel", "(3, 0)")),
        ]
    out += [
        Bad("fftconvolve-a-ndim", lambda: S.fftconvolve(_r(2, 2, 2, 2), _r(2, 2, 2, 2)), ("a", "(2, 2, 2, 2)")),
        Bad("fftconvolve-ndim-mismatch", lambda: S.fftconvolve(img, x), ("b", S_(img.shape), S_(x.shape))),
        Bad("fftconvolve-mode", lambda: S.fftconvolve(x, k, mode="circular"), ("mode", "circular")),
        Bad("fftconvolve-valid-no-fit", lambda: S.fftconvolve(img, _r(6, 2), mode="valid"), (S_(img.shape), "(6, 2)")),
        Bad("fftconvolve-a-complex", lambda: S.fftconvolve(x + 1j, k), ("a", "complex", "(7,)")),
        Bad("fftconvolve-b-complex", lambda: S.fftconvolve(x, k + 1j), ("b", "complex", "(3,)")),
        Bad("fftconvolve-b-str", lambda: S.fftconvolve(x, ["1", "2"]), ("b", "(2,)")),
        Bad("fftconvolve-a-empty", lambda: S.fftconvolve(img[:, :0], ker), ("a", "(5, 0)")),
    ]
    return out


def _continuous_bads():
    t = np.linspace(-1, 1, 5)
    return [
        Bad("convolve-f-not-callable", lambda: C.convolve(1.0, _gauss, t, (-1, 1)), ("f",)),
        Bad("convolve-g-not-callable", lambda: C.convolve(_gauss, "g", t, (-1, 1)), ("g",)),
        Bad("convolve-support-nan", lambda: C.convolve(_gauss, _gauss, t, (NAN, 1.0)), ("support",)),
        Bad("convolve-support-inf", lambda: C.convolve(_gauss, _gauss, t, (-np.inf, 1.0)), ("support",)),
        Bad("convolve-support-reversed", lambda: C.convolve(_gauss, _gauss, t, (1.0, -1.0)), ("support",)),
        Bad("convolve-support-scalar", lambda: C.convolve(_gauss, _gauss, t, 1.0), ("support",)),
        Bad("convolve-support-triple", lambda: C.convolve(_gauss, _gauss, t, (0, 1, 2)), ("support",)),
        Bad("convolve-support-complex", lambda: C.convolve(_gauss, _gauss, t, (0, 1j)), ("support",)),
        Bad("convolve-t-complex", lambda: C.convolve(_gauss, _gauss, t + 1j, (-1, 1)), ("t", "complex", "(5,)")),
        Bad("convolve-t-str", lambda: C.convolve(_gauss, _gauss, "0.5", (-1, 1)), ("t",)),
        Bad("convolve-t-nan", lambda: C.convolve(_gauss, _gauss, np.array([0.0, NAN]), (-1, 1)), ("t", "(2,)")),
        Bad("convolve-f-not-vectorised", lambda: C.convolve(lambda s: 1.0, _gauss, t, (-1, 1)), ("f",)),
        Bad("convolve-g-complex", lambda: C.convolve(_gauss, lambda s: s + 1j, t, (-1, 1)), ("g",)),
    ]


def _arith_bads():
    cos, cts = F.conv_output_size, F.conv_transpose_output_size
    return [
        Bad("conv_output_size-size-nan", lambda: cos(NAN, 3), ("size",)),
        Bad("conv_output_size-size-inf", lambda: cos(math.inf, 3), ("size",)),
        Bad("conv_output_size-size-0", lambda: cos(0, 1), ("size",)),
        Bad("conv_output_size-size-float", lambda: cos(5.5, 3), ("size",)),
        Bad("conv_output_size-size-str", lambda: cos("5", 3), ("size",)),
        Bad("conv_output_size-size-bool", lambda: cos(True, 1), ("size",)),
        Bad("conv_output_size-kernel-nan", lambda: cos(5, NAN), ("kernel_size",)),
        Bad("conv_output_size-kernel-0", lambda: cos(5, 0), ("kernel_size",)),
        Bad("conv_output_size-stride-nan", lambda: cos(5, 3, stride=NAN), ("stride",)),
        Bad("conv_output_size-stride-0", lambda: cos(5, 3, stride=0), ("stride",)),
        Bad("conv_output_size-dilation-0", lambda: cos(5, 3, dilation=0), ("dilation",)),
        Bad("conv_output_size-dilation-nan", lambda: cos(5, 3, dilation=NAN), ("dilation",)),
        Bad("conv_output_size-padding-neg", lambda: cos(5, 3, padding=-1), ("padding",)),
        Bad("conv_output_size-padding-nan", lambda: cos(5, 3, padding=NAN), ("padding",)),
        Bad("conv_output_size-padding-unknown", lambda: cos(5, 3, padding="full"), ("padding",)),
        Bad("conv_output_size-same-strided", lambda: cos(5, 3, stride=2, padding="same"), ("padding", "stride")),
        Bad("conv_output_size-kernel-too-large", lambda: cos(5, 7), ("kernel_size",)),
        Bad("conv_output_size-dilated-too-large", lambda: cos(5, 3, dilation=3), ("dilation",)),
        Bad("conv_transpose_output_size-size-nan", lambda: cts(NAN, 3), ("size",)),
        Bad("conv_transpose_output_size-kernel-nan", lambda: cts(4, NAN), ("kernel_size",)),
        Bad("conv_transpose_output_size-stride-0", lambda: cts(4, 3, stride=0), ("stride",)),
        Bad("conv_transpose_output_size-stride-nan", lambda: cts(4, 3, stride=NAN), ("stride",)),
        Bad("conv_transpose_output_size-padding-neg", lambda: cts(4, 3, padding=-1), ("padding",)),
        Bad("conv_transpose_output_size-output_padding-neg", lambda: cts(4, 3, stride=2, output_padding=-1),
            ("output_padding",)),
        Bad("conv_transpose_output_size-output_padding-big", lambda: cts(4, 3, stride=2, output_padding=2),
            ("output_padding",)),
        Bad("conv_transpose_output_size-dilation-0", lambda: cts(4, 3, dilation=0), ("dilation",)),
        Bad("conv_transpose_output_size-too-much-padding", lambda: cts(1, 1, padding=1), ("padding",)),
    ]


def _transpose_bads():
    x = _r(2, 4, 3, 3)

    def call(**kw):
        base = {"x": x, "weight": WT, "groups": 2}
        base.update(kw)
        xx, ww = base.pop("x"), base.pop("weight")
        return lambda: F.conv_transpose2d(xx, ww, **base)

    return [
        Bad("conv_transpose2d-x-ndim", call(x=x[0]), ("x", S_(x[0].shape))),
        Bad("conv_transpose2d-weight-ndim", call(weight=WT[0]), ("weight", S_(WT[0].shape))),
        Bad("conv_transpose2d-channel-mismatch", call(weight=np.ones((3, 3, 3, 3))),
            ("weight", "(3, 3, 3, 3)", S_(x.shape))),
        Bad("conv_transpose2d-groups-cin", call(groups=3, weight=np.ones((4, 1, 3, 3))), ("groups", S_(x.shape))),
        Bad("conv_transpose2d-groups-0", call(groups=0), ("groups",)),
        Bad("conv_transpose2d-stride-0", call(stride=0), ("stride",)),
        Bad("conv_transpose2d-stride-nan", call(stride=NAN), ("stride",)),
        Bad("conv_transpose2d-dilation-0", call(dilation=0), ("dilation",)),
        Bad("conv_transpose2d-padding-neg", call(padding=-1), ("padding",)),
        Bad("conv_transpose2d-padding-str", call(padding="same"), ("padding",)),
        Bad("conv_transpose2d-padding-too-large", call(padding=4), ("padding", S_(x.shape))),
        Bad("conv_transpose2d-output_padding-big", call(stride=2, output_padding=2), ("output_padding",)),
        Bad("conv_transpose2d-output_padding-neg", call(output_padding=-1), ("output_padding",)),
        Bad("conv_transpose2d-bias-shape", call(bias=np.ones(4)), ("bias", "(4,)")),
        Bad("conv_transpose2d-x-complex", call(x=x + 1j), ("x", "complex", S_(x.shape))),
        Bad("conv_transpose2d-weight-str", call(weight=WT.astype(str)), ("weight", S_(WT.shape))),
        Bad("conv_transpose2d-x-empty", call(x=x[:0]), ("x", S_(x[:0].shape))),
    ]


BADS = (
    _continuous_bads()
    + _signal_bads()
    + _conv_bads(1, F.conv1d, X1, W1)
    + _conv_bads(2, F.conv2d, X2, W2)
    + _conv_bads(3, F.conv3d, X3, W3)
    + [Bad("conv2d_backward-" + b.id, b.call, b.names) for b in _conv_bads(2, _backward(F.conv2d_backward, GO2), X2, W2,
                                                                         back=True)]
    + [
        Bad("conv2d_backward-grad_out-shape", lambda: F.conv2d_backward(GO2[:, :, :3], X2, W2, groups=2),
            ("grad_out", S_(GO2[:, :, :3].shape), "(2, 6, 4, 4)")),
        Bad("conv2d_backward-grad_out-ndim", lambda: F.conv2d_backward(GO2[0], X2, W2, groups=2),
            ("grad_out", S_(GO2[0].shape))),
        Bad("conv2d_backward-grad_out-complex", lambda: F.conv2d_backward(GO2 + 1j, X2, W2, groups=2),
            ("grad_out", "complex", S_(GO2.shape))),
        Bad("conv2d_backward-grad_out-empty", lambda: F.conv2d_backward(GO2[:0], X2, W2, groups=2),
            ("grad_out", S_(GO2[:0].shape))),
    ]
    + _transpose_bads()
    + _pool_bads("max_pool2d", F.max_pool2d, XP)
    + _pool_bads("avg_pool2d", F.avg_pool2d, XP)
    + _pool_bads("max_pool2d_backward", F.max_pool2d_backward, XP, back=GP)
    + _pool_bads("avg_pool2d_backward", F.avg_pool2d_backward, XP, back=GP)
    + _arith_bads()
)


BADS += [
    Bad(f"{name}-count_include_pad-{v!r}", (lambda fn=fn, v=v, args=args: fn(*args, 2, count_include_pad=v)),
        ("count_include_pad",))
    for name, fn, args in (("avg_pool2d", F.avg_pool2d, (XP,)),
                           ("avg_pool2d_backward", F.avg_pool2d_backward, (GP, XP)))
    for v in ("False", None)
] + [
    Bad(f"{name}-ceil_mode-{v!r}", (lambda fn=fn, v=v, args=args: fn(*args, 2, ceil_mode=v)), ("ceil_mode",))
    for name, fn, args in (("max_pool2d", F.max_pool2d, (XP,)), ("avg_pool2d", F.avg_pool2d, (XP,)),
                           ("max_pool2d_backward", F.max_pool2d_backward, (GP, XP)),
                           ("avg_pool2d_backward", F.avg_pool2d_backward, (GP, XP)))
    for v in ("False", None)
]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("bad", BADS, ids=lambda b: b.id)
def test_error_rules(bad):
    try:
        result = bad.call()
    except bad.exc as exc:
        msg = str(exc)
        for name in bad.names:
            assert name in msg, f"the message {msg!r} does not mention {name!r}"
    except Exception as exc:  # noqa: BLE001 -- any other exception type breaks the contract
        pytest.fail(f"raised {type(exc).__name__}: {exc} -- the contract asks for ValueError or TypeError")
    else:
        shape = getattr(result, "shape", result)
        pytest.fail(f"no error; returned {type(result).__name__} {shape}")


def test_error_ids_are_unique():
    ids = [b.id for b in BADS]
    assert len(ids) == len(set(ids))


def test_hyperparameters_accept_numpy_ints_and_sequences():
    x, w = _r(1, 2, 7, 6), _r(3, 2, 3, 2)
    ref = F.conv2d(x, w, stride=(2, 1), padding=(1, 0), dilation=(1, 2))
    got = F.conv2d(x, w, stride=[np.int64(2), 1], padding=np.array([1, 0]), dilation=(np.int32(1), 2.0))
    np.testing.assert_array_equal(got, ref)
    np.testing.assert_array_equal(F.max_pool2d(x, np.int64(2)), F.max_pool2d(x, (2, 2), stride=[2, 2]))


# ------------------------------------------------------------------------------------------------------------
# 5a. Numerics of convlearn.signal against NumPy / SciPy
# ------------------------------------------------------------------------------------------------------------
def assert_close_to_ref(got, ref, tol):
    ref = np.asarray(ref)
    assert got.shape == ref.shape, f"shape {got.shape}, reference {ref.shape}"
    scale = max(float(np.max(np.abs(ref[np.isfinite(ref)]), initial=0.0)), np.finfo(float).tiny)
    np.testing.assert_allclose(got, ref, rtol=0, atol=tol * scale, equal_nan=True)


LENGTHS_1D = [(1, 1), (1, 5), (5, 1), (7, 4), (4, 7), (8, 8), (9, 2), (300, 41), (41, 300), (4000, 700), (60, 3001)]


@pytest.mark.parametrize("m, n", LENGTHS_1D)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_1d_against_numpy(m, n, mode):
    rng = gen(10, m, n)
    x, k = rng.standard_normal(m), rng.standard_normal(n)
    assert_close_to_ref(S.convolve1d(x, k, mode), np.convolve(x, k, mode), 1e-10)
    assert_close_to_ref(S.correlate1d(x, k, mode), np.correlate(x, k, mode), 1e-10)
    assert_close_to_ref(S.fftconvolve(x, k, mode), scipy.signal.fftconvolve(x, k, mode), 1e-8)


def test_1d_defaults_are_numpys():
    x, k = gen(11).standard_normal(9), gen(12).standard_normal(4)
    assert_close_to_ref(S.convolve1d(x, k), np.convolve(x, k), 1e-10)
    assert_close_to_ref(S.correlate1d(x, k), np.correlate(x, k), 1e-10)
    assert S.correlate1d(x, k).shape == (6,)  # numpy.correlate's default is 'valid'


@pytest.mark.parametrize("m, n", [(9, 4), (5000, 900)])
def test_1d_non_finite_values_like_numpy(m, n):
    rng = gen(13, m)
    x, k = rng.standard_normal(m), rng.uniform(0.5, 1.5, n)
    x[3], x[-2] = np.nan, np.inf
    for mode in ("full", "same", "valid"):
        with np.errstate(invalid="ignore"):
            ref = np.convolve(x, k, mode)
        got = S.convolve1d(x, k, mode)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(ref))
        fin = np.isfinite(ref)
        assert_close_to_ref(got[fin], ref[fin], 1e-10)


def test_1d_integer_inputs_like_numpy():
    x, k = np.arange(-3, 6), np.array([2, -1, 3])
    got = S.convolve1d(x, k)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, np.convolve(x, k))
    np.testing.assert_array_equal(S.correlate1d(x, k, "same"), np.correlate(x, k, "same"))


SHAPES_2D = [((1, 1), (1, 1)), ((6, 7), (3, 3)), ((6, 7), (2, 4)), ((5, 6), (4, 1)), ((3, 4), (5, 6)),
             ((4, 3), (2, 5)), ((2, 2), (7, 7)), ((64, 70), (13, 12)), ((120, 110), (3, 3))]


@pytest.mark.parametrize("ishape, kshape", SHAPES_2D)
def test_2d_against_scipy(ishape, kshape):
    rng = gen(20, *ishape, *kshape)
    image, kernel = rng.standard_normal(ishape), rng.standard_normal(kshape)
    fits = all(p >= q for p, q in zip(ishape, kshape, strict=True)) or all(
        p <= q for p, q in zip(ishape, kshape, strict=True)
    )
    for mode, boundary, fill in itertools.product(("full", "same", "valid"), ("fill", "wrap", "symm"), (0, 2.5)):
        if mode == "valid" and not fits:
            continue
        if fill and boundary != "fill":
            continue
        for ours, theirs in ((S.convolve2d, scipy.signal.convolve2d), (S.correlate2d, scipy.signal.correlate2d)):
            ref = theirs(image, kernel, mode, boundary, fill)
            got = ours(image, kernel, mode, boundary, fill)
            assert_close_to_ref(got, ref, 1e-10)
    assert_close_to_ref(S.convolve2d(image, kernel), scipy.signal.convolve2d(image, kernel), 1e-10)
    assert_close_to_ref(S.correlate2d(image, kernel), scipy.signal.correlate2d(image, kernel), 1e-10)


def test_2d_nan_propagates_like_scipy():
    rng = gen(21)
    image, kernel = rng.standard_normal((70, 80)), rng.uniform(0.5, 1.5, (9, 9))
    image[10, 20] = np.nan
    for mode in ("full", "same", "valid"):
        ref = scipy.signal.convolve2d(image, kernel, mode)
        got = S.convolve2d(image, kernel, mode)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        assert_close_to_ref(got[~np.isnan(ref)], ref[~np.isnan(ref)], 1e-10)


def test_every_small_shape_against_numpy_and_scipy():
    """Exhaustive over small sizes: every mode (and boundary) of the five signal functions, odd and even."""
    rng = gen(23)
    for m, n in itertools.product(range(1, 8), repeat=2):
        x, k = rng.standard_normal(m), rng.standard_normal(n)
        for mode in ("full", "same", "valid"):
            assert_close_to_ref(S.convolve1d(x, k, mode), np.convolve(x, k, mode), 1e-10)
            assert_close_to_ref(S.correlate1d(x, k, mode), np.correlate(x, k, mode), 1e-10)
            assert_close_to_ref(S.fftconvolve(x, k, mode), scipy.signal.fftconvolve(x, k, mode), 1e-8)
    for ishape, kshape in itertools.product(itertools.product(range(1, 4), repeat=2), repeat=2):
        image, kernel = rng.standard_normal(ishape), rng.standard_normal(kshape)
        for mode, boundary in itertools.product(("full", "same", "valid"), ("fill", "wrap", "symm")):
            try:
                ref = scipy.signal.convolve2d(image, kernel, mode, boundary, 1.5)
            except ValueError:  # 'valid' with neither array inside the other
                with pytest.raises(ValueError):
                    S.convolve2d(image, kernel, mode, boundary, 1.5)
                continue
            assert_close_to_ref(S.convolve2d(image, kernel, mode, boundary, 1.5), ref, 1e-10)
            assert_close_to_ref(S.correlate2d(image, kernel, mode, boundary, 1.5),
                                scipy.signal.correlate2d(image, kernel, mode, boundary, 1.5), 1e-10)
        for mode in ("full", "same", "valid"):
            try:
                ref = scipy.signal.fftconvolve(image, kernel, mode)
            except ValueError:
                with pytest.raises(ValueError):
                    S.fftconvolve(image, kernel, mode)
                continue
            assert_close_to_ref(S.fftconvolve(image, kernel, mode), ref, 1e-8)


FFT_SHAPES = [((11,), (4,)), ((4,), (11,)), ((6, 5), (3, 4)), ((3, 4), (6, 5)), ((5, 1), (1, 4)), ((1, 6), (3, 1)),
              ((7, 6, 5), (2, 3, 4)), ((2, 3, 4), (7, 6, 5)), ((4, 1, 5), (2, 3, 2)), ((40, 33, 20), (5, 4, 3))]


@pytest.mark.parametrize("ashape, bshape", FFT_SHAPES)
@pytest.mark.parametrize("mode", ["full", "same", "valid"])
def test_fftconvolve_against_scipy(ashape, bshape, mode):
    rng = gen(22, len(ashape), *ashape, *bshape)
    a, b = rng.standard_normal(ashape), rng.standard_normal(bshape)
    try:
        ref = scipy.signal.fftconvolve(a, b, mode)
    except ValueError:
        with pytest.raises(ValueError, match="valid"):
            S.fftconvolve(a, b, mode)
        return
    assert_close_to_ref(S.fftconvolve(a, b, mode), ref, 1e-8)
    assert_close_to_ref(S.fftconvolve(a, b, mode).astype(np.float64), ref, 1e-8)


# ------------------------------------------------------------------------------------------------------------
# 5c. convlearn.continuous.convolve against closed forms, default settings, contract tolerances
# ------------------------------------------------------------------------------------------------------------
def _normal(mu, sigma):
    return lambda t: np.exp(-0.5 * ((np.asarray(t) - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def _box(lo, hi):
    return lambda t: np.where((np.asarray(t) >= lo) & (np.asarray(t) <= hi), 1.0, 0.0)


@pytest.mark.parametrize("m1, s1, m2, s2", [(0.0, 1.0, 0.0, 1.0), (1.0, 0.5, -2.0, 2.0), (0.3, 0.2, 0.0, 0.05)])
def test_continuous_gaussians(m1, s1, m2, s2):
    t = np.linspace(-8, 8, 161).reshape(7, 23)
    got = C.convolve(_normal(m1, s1), _normal(m2, s2), t, (m1 - 12 * s1, m1 + 12 * s1))
    exact = _normal(m1 + m2, math.hypot(s1, s2))(t)
    assert got.shape == t.shape
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-6)


def _box_box_exact(a0, a1, b0, b1):
    """∫ 1[a0 <= τ <= a1] 1[b0 <= t - τ <= b1] dτ: the length of [a0, a1] ∩ [t - b1, t - b0]."""
    return lambda t: np.maximum(0.0, np.minimum(a1, t - b0) - np.maximum(a0, t - b1))


@pytest.mark.parametrize("a, b", [((-0.5, 0.5), (-0.5, 0.5)), ((0.0, 2.0), (-0.25, 0.75)), ((-1.0, 0.5), (0.0, 3.0))])
def test_continuous_box_box(a, b):
    t = np.concatenate([np.linspace(-4, 5, 181), [a[0] + b[0], a[1] + b[1], a[0] + b[1], a[1] + b[0], 0.0]])
    got = C.convolve(_box(*a), _box(*b), t, a)
    np.testing.assert_allclose(got, _box_box_exact(*a, *b)(t), rtol=0, atol=1e-3)


def test_continuous_scalar_t():
    g = _normal(0.0, 1.0)
    y = C.convolve(g, g, 0.0, (-12.0, 12.0))
    assert np.shape(y) == ()
    assert abs(float(y) - 1 / math.sqrt(4 * math.pi)) < 1e-6


@pytest.mark.parametrize("fn, args", [(S.convolve1d, ([1.0, 2.0],)), (F.max_pool2d, (2,))],
                         ids=["signal", "functional"])
def test_timedelta_arrays_are_rejected(fn, args):
    x = np.ones((1, 1, 4, 4) if fn is F.max_pool2d else 3, dtype="m8[s]")
    with pytest.raises(TypeError, match="x"):
        fn(x, *args)


def test_big_endian_float32_stays_float32():
    x = np.arange(6, dtype=">f4")
    assert S.convolve1d(x, x[:2]).dtype == np.float32
