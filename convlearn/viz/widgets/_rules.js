// convlearn live explorers: the maths every explorer computes in the browser, in one place.
//
// convlearn.viz.widgets puts this file between _common.js and each explorer's own file, so every explorer's ES
// module holds these rules (one self-contained text, no imports: the website is offline). Each rule states the
// convlearn function it mirrors; tests/test_explorer_rules.py evaluates every function of this file in
// headless Chromium on a grid of cases and compares it with that function. Drawing and controls stay in the
// explorers' files; nothing here touches the page.

// ---------------------------------------------------------------------------------------------------------
// Output sizes (convlearn.nn.functional.conv_output_size, conv_transpose_output_size, dilated_extent)
// ---------------------------------------------------------------------------------------------------------
/** Cells covered by a kernel of k taps with dilation d: d(k − 1) + 1. */
function dilatedSpan(k, d) {
  return d * (k - 1) + 1;
}

/** Outputs along one axis of a convolution: ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 (not checked: see layout, sizes). */
function convOutputSize(n, k, p, s, d) {
  return Math.floor((n + 2 * p - dilatedSpan(k, d)) / s) + 1;
}

/** Outputs along one axis of a transposed convolution: s(n − 1) − 2p + d(k − 1) + a + 1. */
function transposeOutputSize(n, k, p, s, d, a) {
  return s * (n - 1) - 2 * p + dilatedSpan(k, d) + a;
}

// ---------------------------------------------------------------------------------------------------------
// Convolution arithmetic, chapter 7 (convlearn.viz.arithmetic.conv_layout)
// ---------------------------------------------------------------------------------------------------------
/** What each cell of the grid the kernel slides over holds (convlearn.viz.arithmetic's PAD, INPUT, INSERTED). */
const PAD = 0, INPUT = 1, INSERTED = 2;

/** The geometry, or an Error whose message explains why the setting is invalid. */
function layout({ i, k, p, s: st, d, t, a }) {
  const span = dilatedSpan(k, d);
  if (!t) {
    if (span > i + 2 * p) {
      throw new Error(`invalid: the dilated kernel spans d(k − 1) + 1 = ${d}·(${k} − 1) + 1 = ${span} cells, ` +
        `but the padded input has only H + 2p = ${i} + ${2 * p} = ${i + 2 * p}: no position fits the kernel. ` +
        `Increase the padding or the input size, or reduce k or d.`);
    }
    const o = convOutputSize(i, k, p, st, d);
    const g = i + 2 * p;
    const kinds = Array.from({ length: g }, (_, r) => Array.from({ length: g }, (_, c) =>
      (r >= p && r < p + i && c >= p && c < p + i ? INPUT : PAD)));
    return { o, kinds, step: st, offset: p, spacing: 1 };
  }
  if (a >= Math.max(st, d)) {
    throw new Error(`invalid: output_padding q = ${a} must be smaller than max(s, d) = ${Math.max(st, d)} ` +
      `(it only picks which of the input sizes that share one output size to recover).`);
  }
  const edge = d * (k - 1) - p;
  if (edge < 0) {
    throw new Error(`invalid: padding p = ${p} exceeds d(k − 1) = ${d * (k - 1)}: the equivalent direct convolution ` +
      `would need negative padding d(k − 1) − p = ${edge} (the transposed convolution would crop its output).`);
  }
  const o = transposeOutputSize(i, k, p, st, d, a);
  if (o < 1) {
    throw new Error(`invalid: the output size would be H'_out = s(H' − 1) − 2p + d(k − 1) + q + 1 = ${o} < 1: ` +
      `the padding p = ${p} crops more than the transposed convolution produces. Reduce p or enlarge i or k.`);
  }
  const stretched = (i - 1) * st + 1;
  const g = stretched + 2 * edge + a;
  const kinds = Array.from({ length: g }, (_, r) => Array.from({ length: g }, (_, c) => {
    const inside = r >= edge && r < edge + stretched && c >= edge && c < edge + stretched;
    if (!inside) return PAD;
    return (r - edge) % st === 0 && (c - edge) % st === 0 ? INPUT : INSERTED;
  }));
  return { o, kinds, step: 1, offset: edge, spacing: st };
}

/** Grid cells [row, col, a, b] under tap (a, b) of output cell (row, col), row-major (ConvLayout.taps). */
function layoutTaps(geo, k, d, row, col) {
  const taps = [];
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) taps.push([row * geo.step + a * d, col * geo.step + b * d, a, b]);
  }
  return taps;
}

/** The input cells (original coordinates) under some taps: padding and inserted zeros left out (ConvLayout.input_cells). */
function inputCells(geo, taps) {
  return taps.filter(([r, c]) => geo.kinds[r][c] === INPUT)
    .map(([r, c]) => [(r - geo.offset) / geo.spacing, (c - geo.offset) / geo.spacing]);
}

/** Which of the chapter's relationships this setting is an instance of, with its formula. */
function relationship({ k: taps, p, s: st, d, t, a }) {
  // Dumoulin & Visin's numbering, as in chapter 7's table: 1-6 convolution, 7 pooling, 8-14 transposed, 15 dilated.
  // With dilation the kernel counts as its dilated extent (relationship 15), for the half and full paddings too.
  const k = dilatedSpan(taps, d);
  const half = k % 2 === 1 && p === (k - 1) / 2;
  const dil = d > 1 ? ` with dilation d (relationship 15: k becomes d(k − 1) + 1)` : "";
  if (!t) {
    if (st === 1) {
      if (p === 0) return `Relationship 1 (no padding, unit stride${dil}): H_out = H − k + 1`;
      if (half) return `Relationship 3 (half padding p = ⌊k/2⌋, unit stride${dil}): H_out = H`;
      if (p === k - 1) return `Relationship 4 (full padding p = k − 1, unit stride${dil}): H_out = H + k − 1`;
      return `Relationship 2 (padding p, unit stride${dil}): H_out = H − k + 2p + 1`;
    }
    if (p === 0) return `Relationship 5 (no padding, stride s${dil}): H_out = ⌊(H − k)/s⌋ + 1`;
    return `Relationship 6 (padding p, stride s${dil}): H_out = ⌊(H + 2p − k)/s⌋ + 1`;
  }
  // output_padding (q < max(s, d): with dilation also at unit stride) only has relationship 14's formula
  if (a > 0) return `Relationship 14 (transpose of 6, output_padding q${dil}): H'_out = s(H' − 1) + q + k − 2p`;
  if (st === 1) {
    if (p === 0) return `Relationship 8 (transpose of 1${dil}): H'_out = H' + k − 1`;
    if (half) return `Relationship 10 (transpose of 3, half padding${dil}): H'_out = H'`;
    if (p === k - 1) return `Relationship 11 (transpose of 4, full padding${dil}): H'_out = H' − k + 1`;
    return `Relationship 9 (transpose of 2${dil}): H'_out = H' + k − 2p − 1`;
  }
  if (p === 0) return `Relationship 12 (transpose of 5: s − 1 zeros between inputs${dil}): H'_out = s(H' − 1) + k`;
  return `Relationship 13 (transpose of 6${dil}): H'_out = s(H' − 1) + k − 2p`;
}

// ---------------------------------------------------------------------------------------------------------
// Receptive fields, chapter 8 (convlearn.nn.functional.receptive_field, convlearn.viz.arithmetic.receptive_field_units)
// ---------------------------------------------------------------------------------------------------------
/** Output length of every level, or an Error naming the layer that does not fit. */
function sizes(layers, n) {
  const out = [n];
  layers.forEach((g, l) => {
    const span = dilatedSpan(g.kernel_size, g.dilation);
    const padded = out[out.length - 1] + 2 * g.padding;
    if (span > padded) {
      throw new Error(`invalid: layer ${l + 1}'s kernel spans d(k − 1) + 1 = ${span} samples but its padded input ` +
        `has only ${padded} (= ${out[out.length - 1]} + 2·${g.padding}); enlarge the input or the padding, or shrink k or d.`);
    }
    out.push(convOutputSize(out[out.length - 1], g.kernel_size, g.padding, g.stride, g.dilation));
  });
  return out;
}

/** Size r, jump j and start σ of the receptive field of every level (level 0: the input itself). */
function fields(layers) {
  let r = 1, j = 1, start = 0;
  const out = [{ r, j, start }];
  for (const g of layers) {
    r += g.dilation * (g.kernel_size - 1) * j;
    start -= g.padding * j;
    j *= g.stride;
    out.push({ r, j, start });
  }
  return out;
}

/** The input positions that output unit o of layer g reads, in an input of n units (padding left out). */
function unitInputs(g, o, n) {
  const inputs = [];
  for (let a = 0; a < g.kernel_size; a++) {
    const pos = o * g.stride - g.padding + a * g.dilation;
    if (pos >= 0 && pos < n) inputs.push(pos);
  }
  return inputs;
}

/** masks[l][u]: whether unit u of level l feeds the selected unit (padding is not counted). */
function masks(layers, lengths, level, unit) {
  const m = lengths.map((n) => new Array(n).fill(false));
  m[level][unit] = true;
  for (let l = level; l > 0; l--) {
    m[l].forEach((on, o) => {
      if (on) for (const pos of unitInputs(layers[l - 1], o, lengths[l - 1])) m[l - 1][pos] = true;
    });
  }
  return m;
}

// ---------------------------------------------------------------------------------------------------------
// The convolution integral, chapter 1 (convlearn.continuous: the functions, riemann_convolve)
// ---------------------------------------------------------------------------------------------------------
// The functions of convlearn.continuous, with the parameters the names stand for.
const FUNCTIONS = {
  box: (t) => (Math.abs(t) < 0.5 ? 1 : Math.abs(t) === 0.5 ? 0.5 : 0),
  box2: (t) => (Math.abs(t) < 1 ? 1 : Math.abs(t) === 1 ? 0.5 : 0),
  triangle: (t) => Math.max(1 - Math.abs(t), 0),
  gaussian: (t) => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI),
  gaussian_half: (t) => Math.exp(-0.5 * (t / 0.5) ** 2) / (0.5 * Math.sqrt(2 * Math.PI)),
  exp: (t) => (t >= 0 ? Math.exp(-t) : 0),
  step: (t) => (t > 0 ? 1 : t === 0 ? 0.5 : 0),
};

/** ∫ f(τ) g(t − τ) dτ over [lo, hi] by the midpoint rule with n cells (as convlearn.continuous.riemann_convolve). */
function midpointConvolve(f, g, t, lo, hi, n) {
  const step = (hi - lo) / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const tau = lo + step * (i + 0.5);
    total += f(tau) * g(t - tau);
  }
  return total * step;
}

/** n evenly spaced numbers from a to b (numpy.linspace). */
function linspace(a, b, n) {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

// ---------------------------------------------------------------------------------------------------------
// Discrete convolution and correlation, chapters 3-5 (numpy.convolve / numpy.correlate "full",
// convlearn.signal.reference.centred_sum, convlearn.signal.convolve2d / correlate2d "same", "symm")
// ---------------------------------------------------------------------------------------------------------
/** Index into k of the weight that meets x[m] for output n. */
function weightIndex(flip, n, m, K) {
  return flip ? n - m : m - n + K - 1;
}

/** The full output, computed term by term (numpy.convolve / numpy.correlate with mode "full"). */
function fullOutput(x, k, flip) {
  const L = x.length, K = k.length;
  const out = new Array(L + K - 1).fill(0);
  for (let n = 0; n < out.length; n++) {
    let total = 0;
    for (let m = 0; m < L; m++) {
      const j = weightIndex(flip, n, m, K);
      if (j >= 0 && j < K) total += x[m] * k[j];
    }
    out[n] = total;
  }
  return out;
}

/** The window of I around (i, j) (0 outside the image), its products with K and their sum S(i, j). */
function windowTerms(image, kernel, i, j) {
  const H = image.length, W = image[0].length, M = (kernel.length - 1) / 2, N = (kernel[0].length - 1) / 2;
  const window = [], products = [];
  let total = 0;
  for (let m = -M; m <= M; m++) {
    const wRow = [], pRow = [];
    for (let n = -N; n <= N; n++) {
      const r = i + m, c = j + n;
      const v = r >= 0 && r < H && c >= 0 && c < W ? image[r][c] : 0;
      const p = v * kernel[m + M][n + N];
      wRow.push(v);
      pRow.push(p);
      total += p;
    }
    window.push(wRow);
    products.push(pRow);
  }
  return { window, products, total };
}

/** SciPy's boundary="symm": reflect about the edge, the edge sample repeated (-1 -> 0, H -> H - 1). */
function reflect(i, n) {
  while (i < 0 || i >= n) {
    if (i < 0) i = -i - 1;
    if (i >= n) i = 2 * n - i - 1;
  }
  return i;
}

/** "same"-size convolution (flip) or correlation of an H x W image with a kh x kw kernel, symmetric boundary. */
function filter2d(image, H, W, kernel, flip) {
  const kh = kernel.length, kw = kernel[0].length;
  const ch = Math.floor((kh - 1) / 2), cw = Math.floor((kw - 1) / 2);
  const out = new Float64Array(H * W);
  const rows = [], cols = [];
  for (let i = 0; i < H; i++) rows.push(Array.from({ length: kh }, (_, a) => reflect(flip ? i + ch - a : i - ch + a, H)));
  for (let j = 0; j < W; j++) cols.push(Array.from({ length: kw }, (_, b) => reflect(flip ? j + cw - b : j - cw + b, W)));
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < W; j++) {
      let total = 0;
      for (let a = 0; a < kh; a++) {
        const base = rows[i][a] * W, ka = kernel[a];
        for (let b = 0; b < kw; b++) total += ka[b] * image[base + cols[j][b]];
      }
      out[i * W + j] = total;
    }
  }
  return out;
}
