// Flip and slide for the convolution integral (f * g)(t) = ∫ f(τ) g(t − τ) dτ (chapter 1).
//
// Traits: f, g (names of the book's functions), t, t_range, n_cells, functions (name, label, support of
// each function, from Python), python (true when Python computes: the reader passed functions), py (what
// Python computed), error.
// The value is the composite midpoint rule with n_cells cells over the support of f (the cells of
// convlearn.continuous.convolve): convlearn.continuous.riemann_convolve with rule="midpoint". convolve also
// treats jumps of the integrand as breakpoints, so near a jump the two differ slightly.
// The maths (FUNCTIONS, midpointConvolve, linspace) is in _rules.js.

/**
 * The controls, in ``panel`` (rebuilt when the functions, the range or the mode change): the lists of f and g
 * (the book's functions; a note instead when the reader's Python functions are used) and the shift t.
 */
function controls(model, panel) {
  panel.replaceChildren();
  const [a, b] = model.get("t_range");
  if (!model.get("python")) {
    const all = model.get("functions") || [];
    const fOptions = all.filter((fn) => fn.support).map((fn) => [fn.name, fn.label]);
    const gOptions = all.map((fn) => [fn.name, fn.label]);
    panel.append(select("f", "f", fOptions, model.get("f"), (v) => setTraits(model, { f: v })).element);
    panel.append(select("g", "g", gOptions, model.get("g"), (v) => setTraits(model, { g: v })).element);
  } else {
    panel.append(h("span", { class: "cl-note" }, "f, g and the integral are your Python functions"));
  }
  const sl = slider("shift t", "t", { min: a, max: b, step: (b - a) / 200, value: model.get("t") },
    (v) => setTraits(model, { t: v }));
  panel.append(sl.element);
}

/**
 * Everything the picture shows for the traits ``state`` ({t_range, t, f, g, n_cells, functions, python, py}),
 * computed here (website: FUNCTIONS, linspace and midpointConvolve of _rules.js) or taken from Python (the
 * reader's functions; null until Python has answered). The curve (f ∗ g)(t) over the range is kept in
 * ``cache`` ({key, curve}) while f, g, the range and the cell count stay the same. Throws on unknown names.
 */
function compute({ t_range, t, f: fName, g: gName, n_cells: n, functions, python, py }, cache) {
  const [a, b] = t_range;
  if (python) {
    const answer = py || {};
    if (!answer.tau) return null;
    return { a, b, t, tau: answer.tau, fTau: answer.f_tau, gFlipped: answer.g_flipped, value: answer.value,
      tGrid: answer.t_grid, curve: answer.curve };
  }
  const info = Object.fromEntries((functions || []).map((fn) => [fn.name, fn]));
  if (!FUNCTIONS[fName] || !FUNCTIONS[gName] || !info[fName] || !info[fName].support) {
    throw new Error(`unknown function f=${JSON.stringify(fName)} or g=${JSON.stringify(gName)}`);
  }
  const f = FUNCTIONS[fName], g = FUNCTIONS[gName];
  const [lo, hi] = info[fName].support;
  const tau = linspace(a, b, 481);
  const key = [fName, gName, a, b, n].join("|");
  if (key !== cache.key) {
    const tGrid = linspace(a, b, 161);
    cache.curve = { tGrid, values: tGrid.map((tt) => midpointConvolve(f, g, tt, lo, hi, Math.min(n, 4000))) };
    cache.key = key;
  }
  return { a, b, t, tau, fTau: tau.map(f), gFlipped: tau.map((x) => g(t - x)),
    value: midpointConvolve(f, g, t, lo, hi, n), tGrid: cache.curve.tGrid, curve: cache.curve.values };
}

/**
 * Show ``state`` (from compute) in ``view`` ({box, readout, picture}), laid out for the explorer's width: the
 * value, f, the flipped and shifted g and their product's area over τ, and the convolution over t.
 */
function draw(view, state) {
  const { box, readout, picture } = view;
  const { a, b } = state;
  const product = state.fTau.map((v, i) => v * state.gFlipped[i]);
  readout.replaceChildren(
    "t = ", h("b", { "data-t": exact(state.t) }, fmt(state.t, 4)),
    ":  shaded area = (f ∗ g)(t) = ",
    h("b", { class: "cl-value", "data-value": exact(state.value) }, fmt(state.value, 6)),
  );
  // Laid out for the explorer's width: a legend in a row (wide) or one entry per line (narrow, a phone).
  const width = pictureWidth(box), narrow = isNarrow(width);
  const left = narrow ? 54 : 70, plotWidth = width - left - (narrow ? 14 : 30);
  const topY = narrow ? 78 : 44, topHeight = narrow ? 150 : 170;
  const bottomY = topY + topHeight + 58, bottomHeight = narrow ? 130 : 150, height = bottomY + bottomHeight + 48;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": "flip and slide: f, the flipped and shifted g, their product, and the convolution" });
  const top = axes(svg, { x: left, y: topY, width: plotWidth, height: topHeight, xr: [a, b],
    yr: range(state.fTau, state.gFlipped, product), ylabel: "value", xlabel: "τ",
    title: "f(τ), g(t − τ) and their product" });
  const area = [`${top.X(state.tau[0])},${top.Y(0)}`];
  state.tau.forEach((x, i) => area.push(`${top.X(x).toFixed(2)},${top.Y(product[i]).toFixed(2)}`));
  area.push(`${top.X(state.tau[state.tau.length - 1])},${top.Y(0)}`);
  top.g.append(s("polygon", { points: area.join(" "), fill: COLOURS.product, "fill-opacity": 0.35,
    class: "cl-product" }));
  top.g.append(polyline(top.X, top.Y, state.tau, state.fTau, { stroke: COLOURS.f, class: "cl-f" }));
  top.g.append(polyline(top.X, top.Y, state.tau, state.gFlipped, { stroke: COLOURS.g, class: "cl-g" }));
  top.g.append(s("line", { x1: top.X(state.t), x2: top.X(state.t), y1: topY, y2: topY + topHeight, stroke: "#000",
    "stroke-dasharray": "3 3" }));
  legend(svg, narrow ? 10 : 80, 14, [[COLOURS.f, "f(τ)"], [COLOURS.g, "g(t − τ)"],
    [COLOURS.product, "f(τ) g(t − τ), area shaded"]], !narrow);
  const bottom = axes(svg, { x: left, y: bottomY, width: plotWidth, height: bottomHeight, xr: [a, b],
    yr: range(state.curve), xlabel: "t", ylabel: "(f ∗ g)(t)",
    title: narrow ? "(f ∗ g)(t): the area for every shift t" : "the convolution: area as a function of the shift t" });
  bottom.g.append(polyline(bottom.X, bottom.Y, state.tGrid, state.curve, { stroke: COLOURS.output }));
  bottom.g.append(s("line", { x1: bottom.X(state.t), x2: bottom.X(state.t), y1: bottomY, y2: bottomY + bottomHeight,
    stroke: "#000", "stroke-dasharray": "3 3" }));
  bottom.g.append(s("circle", { cx: bottom.X(state.t), cy: bottom.Y(state.value), r: 5, fill: COLOURS.output,
    class: "cl-point" }));
  picture.replaceChildren(svg);
}

function render({ model, el }) {
  const readout = h("div", { class: "cl-readout" });
  const picture = h("div", { class: "cl-picture" });
  const { box, panel } = frame(el, "flip-and-slide", readout, picture);
  const view = { box, readout, picture };
  const cache = { key: "", curve: null };

  function update() {
    let state;
    try {
      state = compute({ t_range: model.get("t_range"), t: model.get("t"), f: model.get("f"), g: model.get("g"),
        n_cells: model.get("n_cells"), functions: model.get("functions"), python: model.get("python"),
        py: model.get("py") }, cache);
      showError(box, model.get("error"));
    } catch (error) {
      showError(box, String(error.message || error));
      return;
    }
    if (!state) return;
    syncControl(panel, "t", state.t);
    draw(view, state);
  }

  controls(model, panel);
  update();
  whenWidthChanges(box, update);
  for (const name of ["f", "g", "t", "py", "error"]) model.on(`change:${name}`, update);
  for (const name of ["t_range", "python", "functions"]) {
    model.on(`change:${name}`, () => { controls(model, panel); update(); });
  }
}

export default { render };
