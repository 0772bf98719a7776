// Flip and slide for the convolution integral (f * g)(t) = ∫ f(τ) g(t − τ) dτ (chapter 1).
//
// Traits: f, g (names of the book's functions), t, t_range, n_cells, functions (name, label, support of
// each function, from Python), python (true when Python computes: the reader passed functions), py (what
// Python computed), error.
// The value is the composite midpoint rule with n_cells cells over the support of f (the cells of
// convlearn.continuous.convolve): convlearn.continuous.riemann_convolve with rule="midpoint". convolve also
// treats jumps of the integrand as breakpoints, so near a jump the two differ slightly.
// The maths (FUNCTIONS, midpointConvolve, linspace) is in _rules.js.

function render({ model, el }) {
  const box = root("flip-and-slide");
  const controls = h("div", { class: "cl-controls" });
  const readout = h("div", { class: "cl-readout" });
  const picture = h("div", { class: "cl-picture" });
  box.append(controls, readout, picture);
  el.append(box);

  let curveKey = "";
  let curve = null;

  function functionList() {
    return model.get("functions") || [];
  }

  function build() {
    controls.replaceChildren();
    const [a, b] = model.get("t_range");
    if (!model.get("python")) {
      const all = functionList();
      const fOptions = all.filter((fn) => fn.support).map((fn) => [fn.name, fn.label]);
      const gOptions = all.map((fn) => [fn.name, fn.label]);
      controls.append(select("f", "f", fOptions, model.get("f"), (v) => setTraits(model, { f: v })).element);
      controls.append(select("g", "g", gOptions, model.get("g"), (v) => setTraits(model, { g: v })).element);
    } else {
      controls.append(h("span", { class: "cl-note" }, "f, g and the integral are your Python functions"));
    }
    const sl = slider("shift t", "t", { min: a, max: b, step: (b - a) / 200, value: model.get("t") },
      (v) => setTraits(model, { t: v }));
    controls.append(sl.element);
  }

  /** Everything the picture shows, computed here (website) or taken from Python (reader's functions). */
  function compute() {
    const [a, b] = model.get("t_range");
    const t = model.get("t");
    if (model.get("python")) {
      const py = model.get("py") || {};
      if (!py.tau) return null;
      return { t, tau: py.tau, fTau: py.f_tau, gFlipped: py.g_flipped, value: py.value, tGrid: py.t_grid,
        curve: py.curve };
    }
    const info = Object.fromEntries(functionList().map((fn) => [fn.name, fn]));
    const fName = model.get("f"), gName = model.get("g");
    if (!FUNCTIONS[fName] || !FUNCTIONS[gName] || !info[fName] || !info[fName].support) {
      throw new Error(`unknown function f=${JSON.stringify(fName)} or g=${JSON.stringify(gName)}`);
    }
    const f = FUNCTIONS[fName], g = FUNCTIONS[gName];
    const [lo, hi] = info[fName].support;
    const n = model.get("n_cells");
    const tau = linspace(a, b, 481);
    const key = [fName, gName, a, b, n].join("|");
    if (key !== curveKey) {
      const tGrid = linspace(a, b, 161);
      curve = { tGrid, values: tGrid.map((tt) => midpointConvolve(f, g, tt, lo, hi, Math.min(n, 4000))) };
      curveKey = key;
    }
    return { t, tau, fTau: tau.map(f), gFlipped: tau.map((x) => g(t - x)),
      value: midpointConvolve(f, g, t, lo, hi, n), tGrid: curve.tGrid, curve: curve.values };
  }

  function draw() {
    let state;
    try {
      state = compute();
      showError(box, model.get("error"));
    } catch (error) {
      showError(box, String(error.message || error));
      return;
    }
    if (!state) return;
    syncControl(controls, "t", state.t);
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
    const [a, b] = model.get("t_range");
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

  build();
  draw();
  whenWidthChanges(box, draw);
  for (const name of ["f", "g", "t", "py", "error"]) model.on(`change:${name}`, draw);
  for (const name of ["t_range", "python", "functions"]) model.on(`change:${name}`, () => { build(); draw(); });
}

export default { render };
