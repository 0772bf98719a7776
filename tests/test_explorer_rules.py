"""The explorers' maths in JavaScript (convlearn/viz/widgets/_rules.js) gives convlearn's numbers.

Every function of ``_rules.js`` is evaluated in headless Chromium (one page, the file as the explorers ship it)
on a grid of cases and compared with the convlearn (or NumPy) function it mirrors: output sizes, the
convolution-arithmetic layout and its taps, the relationship's formula, receptive fields and their dependency
masks, the book's continuous functions and the midpoint rule, full 1-D convolution and correlation, the
centred sum and the "same" 2-D filtering with the symmetric boundary. Invalid settings must be refused by both.
"""

from __future__ import annotations

import dataclasses
import itertools
import re

import numpy as np
import pytest

from convlearn import continuous, signal
from convlearn.nn.functional import LayerGeometry, conv_output_size, conv_transpose_output_size, receptive_field
from convlearn.signal.reference import centred_sum
from convlearn.viz.arithmetic import conv_layout, receptive_field_units
from convlearn.viz.widgets import _HERE, CONTINUOUS_FUNCTIONS

RULES = _HERE / "_rules.js"


@pytest.fixture(scope="module")
def js(chromium):
    """Evaluate JavaScript (an expression or arrow function, with one JSON argument) where _rules.js is loaded."""
    page = chromium.new_page()
    page.set_content("<!doctype html><title>rules</title>")
    page.add_script_tag(content=RULES.read_text(encoding="utf-8"))
    yield page.evaluate
    page.close()


def _python_or_none(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValueError:
        return None


def test_output_sizes(js):
    cases = [c for c in itertools.product(range(1, 9), range(1, 5), range(4), range(1, 4), range(1, 4))]
    conv = js("cases => cases.map(([n, k, p, s, d]) => convOutputSize(n, k, p, s, d))", cases)
    transposed_cases = [(*c, a) for c in cases for a in range(max(c[3], c[4]))]
    transposed = js("cases => cases.map(([n, k, p, s, d, a]) => transposeOutputSize(n, k, p, s, d, a))",
                    transposed_cases)
    checked = 0
    for (n, k, p, s, d), got in zip(cases, conv, strict=True):
        expected = _python_or_none(conv_output_size, n, k, stride=s, padding=p, dilation=d)
        if expected is not None:
            assert got == expected, (n, k, p, s, d)
            checked += 1
    for (n, k, p, s, d, a), got in zip(transposed_cases, transposed, strict=True):
        expected = _python_or_none(conv_transpose_output_size, n, k, stride=s, padding=p, output_padding=a,
                                   dilation=d)
        if expected is not None:
            assert got == expected, (n, k, p, s, d, a)
    assert checked > 500


_LAYOUT_JS = """cases => cases.map(([i, k, p, s, d, t, a]) => {
  try {
    const geo = layout({ i, k, p, s, d, t, a });
    const last = geo.o - 1, cells = {};
    for (const [row, col] of [[0, 0], [last, 0], [0, last], [last, last]]) {
      cells[`${row},${col}`] = { taps: layoutTaps(geo, k, d, row, col).map(([r, c]) => [r, c]),
        inputs: inputCells(geo, layoutTaps(geo, k, d, row, col)) };
    }
    return { o: geo.o, kinds: geo.kinds, step: geo.step, cells, relationship: relationship({ i, k, p, s, d, t, a }) };
  } catch (error) {
    return { error: String(error.message) };
  }
})"""


def _formula_value(text: str, *, i, k, p, s, d, a) -> int:
    """Evaluate the output-size formula a relationship states (``... : H_out = H − k + 1``)."""
    rhs = text.rsplit(": ", 1)[1].split(" = ", 1)[1]
    expr = rhs.replace("H'", "H").replace("−", "-").replace("⌊", "(").replace("⌋", ")").replace("/", "//")
    expr = re.sub(r"(\d|\bs)\s*([A-Za-z(])", r"\1*\2", expr)
    # relationship 15: with dilation, k stands for the dilated extent d(k − 1) + 1
    return eval(expr, {"__builtins__": {}}, {"H": i, "k": d * (k - 1) + 1, "p": p, "s": s, "q": a})  # noqa: S307


def test_arithmetic_layout_taps_and_relationship(js):
    cases = [(i, k, p, s, d, False, 0) for i, k, p, s, d in itertools.product(range(1, 7), range(1, 5), range(4),
                                                                               range(1, 4), range(1, 3))]
    cases += [(i, k, p, s, d, True, a) for i, k, p, s, d, a in itertools.product(range(1, 6), range(1, 5), range(4),
                                                                                  range(1, 4), range(1, 3), range(3))]
    results = js(_LAYOUT_JS, cases)
    drawn = 0
    for (i, k, p, s, d, t, a), got in zip(cases, results, strict=True):
        expected = _python_or_none(conv_layout, i, k, stride=s, padding=p, dilation=d, output_padding=a, transposed=t)
        if expected is None:
            assert "error" in got and got["error"].startswith("invalid"), (i, k, p, s, d, t, a, got)
            continue
        assert "error" not in got, (i, k, p, s, d, t, a, got)
        drawn += 1
        assert got["o"] == expected.output_size
        assert got["step"] == expected.step
        np.testing.assert_array_equal(np.array(got["kinds"]), expected.kinds)
        for key, cell in got["cells"].items():
            row, col = (int(v) for v in key.split(","))
            assert [tuple(c) for c in cell["taps"]] == expected.taps(row, col)
            assert [tuple(c) for c in cell["inputs"]] == expected.input_cells(row, col)
        assert _formula_value(got["relationship"], i=i, k=k, p=p, s=s, d=d, a=a) == expected.output_size, got
    assert drawn > 300


def _stacks(rng, count):
    for _ in range(count):
        layers = [LayerGeometry(int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(0, 3)),
                                int(rng.integers(1, 3))) for _ in range(int(rng.integers(1, 4)))]
        yield layers, int(rng.integers(1, 30))


def test_receptive_field_sizes_fields_and_masks(js):
    rng = np.random.default_rng(8)
    cases = [([dataclasses.asdict(g) for g in layers], n) for layers, n in _stacks(rng, 150)]
    results = js("""cases => cases.map(([layers, n]) => {
      let lengths;
      try { lengths = sizes(layers, n); } catch (error) { return { error: String(error.message) }; }
      const all = [];
      for (let level = 0; level <= layers.length; level++) {
        for (let unit = 0; unit < lengths[level]; unit++) all.push(masks(layers, lengths, level, unit));
      }
      return { lengths, fields: fields(layers), masks: all };
    })""", cases)
    fitted = 0
    for (dicts, n), got in zip(cases, results, strict=True):
        layers = [LayerGeometry(**g) for g in dicts]
        expected_sizes = [n]
        for g in layers:
            expected_sizes.append(_python_or_none(conv_output_size, expected_sizes[-1], g.kernel_size, stride=g.stride,
                                                  padding=g.padding, dilation=g.dilation))
            if expected_sizes[-1] is None:
                break
        if None in expected_sizes:
            assert got.get("error", "").startswith("invalid"), (dicts, n, got)
            continue
        fitted += 1
        assert got["lengths"] == expected_sizes
        fields = receptive_field(layers)
        assert [(f["r"], f["j"], f["start"]) for f in got["fields"][1:]] == [(f.size, f.jump, f.start) for f in fields]
        assert got["fields"][0] == {"r": 1, "j": 1, "start": 0}
        shown = iter(got["masks"])
        for level in range(len(layers) + 1):
            for unit in range(expected_sizes[level]):
                mask = next(shown)
                expected = receptive_field_units(layers[:level], n, unit)
                for lower in range(level + 1):
                    np.testing.assert_array_equal(mask[lower], expected[lower])
                assert not any(any(m) for m in mask[level + 1:])
    assert fitted > 50


def test_unit_inputs_of_one_layer(js):
    cases = [(dataclasses.asdict(LayerGeometry(k, s, p, d)), n) for k, s, p, d, n in
             itertools.product(range(1, 5), range(1, 4), range(3), range(1, 3), (1, 4, 9))]
    results = js("""cases => cases.map(([g, n]) => {
      let outputs;
      try { outputs = sizes([g], n)[1]; } catch (error) { return null; }
      return Array.from({ length: outputs }, (_, o) => unitInputs(g, o, n));
    })""", cases)
    for (g, n), got in zip(cases, results, strict=True):
        layer = LayerGeometry(**g)
        if got is None:
            assert _python_or_none(conv_output_size, n, layer.kernel_size, stride=layer.stride, padding=layer.padding,
                                   dilation=layer.dilation) is None
            continue
        for o, inputs in enumerate(got):
            assert inputs == np.flatnonzero(receptive_field_units([layer], n, o)[0]).tolist(), (g, n, o)


def test_continuous_functions_and_midpoint_rule(js):
    t = np.concatenate([np.linspace(-3, 3, 121), [-1.0, -0.5, 0.0, 0.5, 1.0]])
    values = js("([names, t]) => Object.fromEntries(names.map((name) => [name, t.map(FUNCTIONS[name])]))",
                [list(CONTINUOUS_FUNCTIONS), t.tolist()])
    assert set(values) == set(CONTINUOUS_FUNCTIONS)
    for name, spec in CONTINUOUS_FUNCTIONS.items():
        np.testing.assert_allclose(values[name], spec.fn(t), rtol=1e-14, atol=0, err_msg=name)

    pairs = [("box", "exp"), ("triangle", "gaussian"), ("gaussian_half", "box2"), ("exp", "step"), ("box2", "triangle")]
    shifts = np.linspace(-2.0, 4.0, 13)
    cells = 997
    got = js("""([pairs, shifts, supports, cells]) => pairs.map(([f, g], q) =>
      shifts.map((t) => midpointConvolve(FUNCTIONS[f], FUNCTIONS[g], t, supports[q][0], supports[q][1], cells)))""",
             [pairs, shifts.tolist(), [CONTINUOUS_FUNCTIONS[f].support for f, _ in pairs], cells])
    for (f, g), row in zip(pairs, got, strict=True):
        lo, hi = CONTINUOUS_FUNCTIONS[f].support
        expected = continuous.riemann_convolve(CONTINUOUS_FUNCTIONS[f].fn, CONTINUOUS_FUNCTIONS[g].fn, shifts,
                                               (lo, hi), step=(hi - lo) / cells, rule="midpoint")
        np.testing.assert_allclose(row, expected, rtol=1e-9, atol=1e-12, err_msg=f"{f} * {g}")

    np.testing.assert_allclose(js("() => linspace(-2, 4, 481)"), np.linspace(-2, 4, 481), rtol=0, atol=1e-14)


def test_full_convolution_and_correlation_1d(js):
    rng = np.random.default_rng(3)
    cases = [(rng.normal(size=int(rng.integers(1, 9))).tolist(), rng.normal(size=int(rng.integers(1, 6))).tolist())
             for _ in range(40)]
    got = js("cases => cases.map(([x, k]) => [fullOutput(x, k, true), fullOutput(x, k, false)])", cases)
    for (x, k), (conv, corr) in zip(cases, got, strict=True):
        np.testing.assert_allclose(conv, signal.convolve1d(x, k, mode="full"), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(corr, signal.correlate1d(x, k, mode="full"), rtol=1e-12, atol=1e-12)


def test_centred_sum_window(js):
    rng = np.random.default_rng(4)
    image = rng.integers(-5, 6, size=(5, 6)).astype(float)
    cases = []
    for kh, kw in [(1, 1), (3, 3), (1, 3), (5, 3), (3, 5)]:
        kernel = rng.normal(size=(kh, kw))
        cases += [(kernel.tolist(), i, j) for i in range(5) for j in range(6)]
    got = js("([image, cases]) => cases.map(([kernel, i, j]) => windowTerms(image, kernel, i, j).total)",
             [image.tolist(), cases])
    for (kernel, i, j), total in zip(cases, got, strict=True):
        assert total == pytest.approx(centred_sum(image, np.array(kernel), i, j), rel=1e-12, abs=1e-12)


def test_same_size_filtering_with_symmetric_boundary(js):
    rng = np.random.default_rng(5)
    cases = []
    for (h, w), (kh, kw) in itertools.product([(1, 1), (4, 7), (9, 5)], [(1, 1), (3, 3), (2, 4), (5, 2), (7, 7)]):
        cases.append((rng.normal(size=(h, w)), rng.normal(size=(kh, kw))))
    got = js("""cases => cases.map(([image, H, W, kernel]) => {
      const flat = new Float64Array(image);
      return [Array.from(filter2d(flat, H, W, kernel, true)), Array.from(filter2d(flat, H, W, kernel, false))];
    })""", [(image.ravel().tolist(), *image.shape, kernel.tolist()) for image, kernel in cases])
    for (image, kernel), (conv, corr) in zip(cases, got, strict=True):
        expected_conv = signal.convolve2d(image, kernel, mode="same", boundary="symm")
        expected_corr = signal.correlate2d(image, kernel, mode="same", boundary="symm")
        np.testing.assert_allclose(np.reshape(conv, image.shape), expected_conv, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(np.reshape(corr, image.shape), expected_corr, rtol=1e-12, atol=1e-12)


def test_every_rule_is_checked_here():
    """A function added to _rules.js must be added to this file's checks (directly or through one that calls it)."""
    names = re.findall(r"^(?:function|const) (\w+)", RULES.read_text(encoding="utf-8"), flags=re.MULTILINE)
    indirect = {"dilatedSpan", "weightIndex", "reflect", "PAD"}  # called by the rules checked below
    this_file = open(__file__, encoding="utf-8").read().replace(RULES.name, "")
    unchecked = [name for name in names if name not in indirect and not re.search(rf"\b{name}\(|\b{name}\[", this_file)]
    assert not unchecked, f"_rules.js functions with no check in {__file__}: {unchecked}"
