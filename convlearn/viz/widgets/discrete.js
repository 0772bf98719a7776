// Discrete flip and slide (chapters 3 and 5): one output sample of the full convolution
// (x * k)[n] = Σ_m x[m] k[n − m], or of the cross-correlation in NumPy's "full" indexing, where output n
// pairs x[m] with k[m − n + K − 1].
//
// Traits: x, k (lists of numbers), flip (true: convolution, false: correlation), n (output index), python
// (true when the reader's Python function computes the output), py ({output}), error.
// The maths (fullOutput, weightIndex) is in _rules.js.

/**
 * The controls, in ``panel``: the text boxes of x and k (left out when the reader's Python function computes),
 * the operation and the output index n. ``onText(error)`` runs after the text boxes change, with the message
 * of text that does not parse ("" when it does; then x, k and n are set).
 */
function controls(model, panel, onText) {
  const xText = h("input", { type: "text", size: 34, "data-control": "x", "aria-label": "signal x",
    value: model.get("x").join(", ") });
  const kText = h("input", { type: "text", size: 16, "data-control": "k", "aria-label": "kernel k",
    value: model.get("k").join(", ") });
  function changed() {
    let error = "";
    try {
      const x = parseNumbers(xText.value, "signal x");
      const k = parseNumbers(kText.value, "kernel k");
      const nMax = x.length + k.length - 2;
      setTraits(model, { x, k, n: Math.min(model.get("n"), nMax) });
    } catch (caught) {
      error = String(caught.message || caught);
    }
    onText(error);
  }
  xText.addEventListener("change", changed);
  kText.addEventListener("change", changed);
  const op = select("operation", "flip", [["true", "convolution x ∗ k"], ["false", "correlation x ⋆ k"]],
    String(model.get("flip")), (v) => setTraits(model, { flip: v === "true" }));
  const nSlider = slider("output n", "n", { min: 0, max: 1, value: model.get("n") }, (v) => setTraits(model, { n: v }));
  const textControls = [h("label", {}, "signal x", xText), h("label", {}, "kernel k", kText)];
  panel.append(...(model.get("python") ? [] : textControls), op.element, nSlider.element);
  if (model.get("python")) op.input.disabled = true;
  return { nSlider };
}

/**
 * What the explorer shows for the traits ``state`` (x, k, flip, n already within the output, python, py,
 * error): the whole output (the reader's or fullOutput's), the products x[m]·k[j] that make output n and their
 * sum. Null while the reader's function has not answered; throws the message to show on bad input.
 */
function compute({ x, k, flip, n, python, py, error }, inputError) {
  if (inputError) throw new Error(inputError);
  if (error) throw new Error(error);
  let output;
  if (python) {
    output = (py || {}).output;
    if (!output) return null;
  } else {
    output = fullOutput(x, k, flip);
  }
  const L = x.length, K = k.length;
  const pairs = [];
  for (let m = 0; m < L; m++) {
    const j = weightIndex(flip, n, m, K);
    if (j >= 0 && j < K) pairs.push({ m, j, product: x[m] * k[j] });
  }
  const sum = pairs.reduce((acc, p) => acc + p.product, 0);
  return { x, k, flip, n, python, output, pairs, sum };
}

/** Show ``result`` (from compute) in ``view`` ({box, readout, terms, picture}), laid out for the explorer's width. */
function draw(view, { x, k, flip, n, python, output, pairs, sum }) {
  const { box, readout, terms, picture } = view;
  const L = x.length, K = k.length;
  const opName = flip ? "x ∗ k" : "x ⋆ k";
  readout.replaceChildren(
    `n = ${n}:  Σ products = `, h("b", { class: "cl-sum", "data-sum": exact(sum) }, fmt(sum, 6)),
    `,  (${opName})[n] = `, h("b", { class: "cl-value", "data-value": exact(output[n]) }, fmt(output[n], 6)),
    python ? " (from your function)" : "",
    h("span", { class: "cl-output", "data-output": JSON.stringify(output), hidden: true }),
  );
  const weightName = flip ? "k[n − m]" : "k[m − n + K − 1]";
  terms.replaceChildren(pairs.length === 0 ? "no sample of x meets a weight"
    : pairs.map((p) => `x[${p.m}]·k[${p.j}] = ${fmt(x[p.m], 3)}·${fmt(k[p.j], 3)} = ${fmt(p.product, 4)}`).join("   +   "));
  terms.setAttribute("data-products", JSON.stringify(pairs.map((p) => p.product)));

  // Laid out for the explorer's width: a legend in a row (wide) or one entry per line (narrow, a phone).
  const width = pictureWidth(box), narrow = isNarrow(width);
  const left = narrow ? 54 : 70, plotWidth = width - left - (narrow ? 14 : 30);
  const topY = narrow ? 84 : 50, bottomY = topY + 240;
  const svg = s("svg", { viewBox: `0 0 ${width} ${bottomY + 170}`, width, height: bottomY + 170, role: "img",
    "aria-label": `the samples x[m], the weights ${weightName}, their products and the output` });
  const lo = -K, hi = L + K - 1;
  const positions = k.map((_, j) => (flip ? n - j : j + n - K + 1));
  const yr = range(x, k);
  yr[1] += 0.18 * (yr[1] - yr[0]);  // headroom for the products written along the top
  const top = axes(svg, { x: left, y: topY, width: plotWidth, height: 180, xr: [lo - 0.5, hi - 0.5],
    yr, xlabel: "m", ylabel: "value", title: `x[m] and the weights ${weightName} for n = ${n}` });
  x.forEach((v, m) => {
    top.g.append(s("line", { x1: top.X(m), x2: top.X(m), y1: top.Y(0), y2: top.Y(v), stroke: COLOURS.f, "stroke-width": 2 }));
    top.g.append(s("circle", { cx: top.X(m), cy: top.Y(v), r: 5, fill: COLOURS.f, class: "cl-x" }));
  });
  k.forEach((v, j) => {
    const px = top.X(positions[j] + 0.18);
    top.g.append(s("line", { x1: px, x2: px, y1: top.Y(0), y2: top.Y(v), stroke: COLOURS.g, "stroke-width": 2 }));
    top.g.append(s("rect", { x: px - 5, y: top.Y(v) - 5, width: 10, height: 10, fill: COLOURS.g, class: "cl-weight",
      "data-position": positions[j] }));
    top.g.append(s("text", { x: px + 7, y: top.Y(v) - 6, fill: COLOURS.g }, `k[${j}]`));
  });
  for (const p of pairs) {
    top.g.append(s("text", { x: top.X(p.m), y: topY + 16, "text-anchor": "middle", fill: COLOURS.product,
      "font-weight": "bold", class: "cl-product" }, fmt(p.product, 3)));
  }
  legend(svg, narrow ? 10 : 80, 14, [[COLOURS.f, "x[m]"], [COLOURS.g, weightName],
    [COLOURS.product, "products x[m]·k (top row)"]], !narrow);
  const bottom = axes(svg, { x: left, y: bottomY, width: plotWidth, height: 120, xr: [lo - 0.5, hi - 0.5],
    yr: range(output), xlabel: "n", ylabel: `(${opName})[n]`, title: "the output, one sample per shift n" });
  output.forEach((v, i) => {  // the outputs up to n in colour, the current one larger
    const current = i === n;
    const colour = i <= n ? COLOURS.output : "#ccc";
    bottom.g.append(s("line", { x1: bottom.X(i), x2: bottom.X(i), y1: bottom.Y(0), y2: bottom.Y(v), stroke: colour,
      "stroke-width": current ? 3 : 2 }));
    bottom.g.append(s("circle", { cx: bottom.X(i), cy: bottom.Y(v), r: current ? 6 : 4, fill: colour }));
  });
  picture.replaceChildren(svg);
}

function render({ model, el }) {
  const readout = h("div", { class: "cl-readout" });
  const terms = h("div", { class: "cl-readout cl-terms" });
  const picture = h("div", { class: "cl-picture" });
  const { box, panel } = frame(el, "discrete", readout, terms, picture);
  const view = { box, readout, terms, picture };
  let inputError = "";
  const { nSlider } = controls(model, panel, (error) => {
    inputError = error;
    update();
  });

  function update() {
    const x = model.get("x"), k = model.get("k"), flip = model.get("flip");
    const nOut = x.length + k.length - 1;
    nSlider.input.max = nOut - 1;
    const n = Math.max(0, Math.min(model.get("n"), nOut - 1));
    syncControl(panel, "n", n);
    syncControl(panel, "flip", String(flip));
    let result;
    try {
      result = compute({ x, k, flip, n, python: model.get("python"), py: model.get("py"), error: model.get("error") },
        inputError);
      if (result) showError(box, "");
    } catch (error) {
      showError(box, String(error.message || error));
      return;
    }
    if (result) draw(view, result);
  }

  update();
  whenWidthChanges(box, update);
  for (const name of ["x", "k", "flip", "n", "py", "error"]) model.on(`change:${name}`, update);
}

export default { render };
