// Convolution arithmetic (chapter 7): input size i, kernel size k, padding p, stride s, dilation d, and the
// transposed convolution with output_padding a. Draws the (padded, zero-inserted) input with the taps of one
// output cell, the output, the output size with the general formula and the relationship (1-15, Dumoulin & Visin's numbering) that the
// setting is an instance of. Invalid settings are explained instead of drawn.
//
// The rules (layout, relationship, the output sizes) are in _rules.js, with those of
// convlearn.nn.functional.conv_output_size / conv_transpose_output_size and convlearn.viz.arithmetic.conv_layout.
//
// Traits: input_size, kernel_size, padding, stride, dilation, transposed, output_padding, cell [row, col].

const CELL_COLOURS = { [PAD]: "#eeeeee", [INPUT]: "#9ec7ed", [INSERTED]: "#ffffff" };

/** The sliders: label, trait, least and largest value. */
const SLIDERS = [
  ["input size H", "input_size", 1, 10], ["kernel size k", "kernel_size", 1, 7], ["padding p", "padding", 0, 6],
  ["stride s", "stride", 1, 4], ["dilation d", "dilation", 1, 4], ["output_padding q", "output_padding", 0, 3],
];

/** The controls, in ``panel``: convolution or transposed convolution, and a slider per entry of SLIDERS. */
function controls(model, panel) {
  const sliders = {};
  for (const [label, name, min, max] of SLIDERS) {
    sliders[name] = slider(label, name, { min, max, value: model.get(name) }, (v) => setTraits(model, { [name]: v }));
    panel.append(sliders[name].element);
  }
  const kind = select("", "transposed", [["false", "convolution"], ["true", "transposed convolution"]],
    String(model.get("transposed")), (v) => setTraits(model, { transposed: v === "true" }));
  panel.prepend(kind.element);
  return { sliders };
}

/**
 * What the explorer shows for the settings ``v`` ({i, k, p, s, d, t, a}) and the chosen output ``cell``: the
 * grid (layout), the output size o, the cell kept within the output, its taps and the input cells they read
 * (layoutTaps, inputCells), and the output-size formula with the numbers. Throws on an invalid setting.
 */
function compute(v, cell) {
  if (!v.t && v.a !== 0) throw new Error("output_padding only applies to a transposed convolution: set q = 0");
  const geo = layout(v);
  const o = geo.o;
  const [r0, c0] = cell;
  const row = Math.min(Math.max(r0, 0), o - 1), col = Math.min(Math.max(c0, 0), o - 1);
  const taps = layoutTaps(geo, v.k, v.d, row, col);
  const inputs = inputCells(geo, taps);
  const general = v.t
    ? `H'_out = s(H' − 1) − 2p + d(k − 1) + q + 1 = ${v.s}·(${v.i} − 1) − ${2 * v.p} + ${v.d}·(${v.k} − 1) + ${v.a} + 1`
    : `H_out = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1 = ⌊(${v.i} + ${2 * v.p} − ${v.d}·(${v.k} − 1) − 1)/${v.s}⌋ + 1`;
  return { v, geo, o, row, col, taps, inputs, general };
}

/**
 * Show ``result`` (from compute) in ``view`` ({box, formula, picture}), laid out for the explorer's width: the
 * formula, the relationship and the cell's inputs, then the input grid with the taps and the output grid; a
 * click on an output cell calls ``onPick(row, col)``.
 */
function draw(view, { v, geo, o, row, col, taps, inputs, general }, onPick) {
  const { box, formula, picture } = view;
  formula.replaceChildren(
    h("div", {}, general, " = ", h("b", { class: "cl-output-size", "data-output-size": o }, String(o)),
      `  (output ${o} × ${o})`),
    h("div", { class: "cl-relationship" }, relationship(v)),
    h("div", { class: "cl-inputs", "data-inputs": JSON.stringify(inputs), "data-cell": JSON.stringify([row, col]) },
      `output cell (${row}, ${col}) reads ${inputs.length} input cell${inputs.length === 1 ? "" : "s"} out of its ${v.k * v.k} taps` +
      (inputs.length < v.k * v.k ? "; the other taps fall on padding" + (v.t ? " or inserted zeros" : "") : "") +
      ". Click an output cell to choose another."),
  );

  // Laid out for the explorer's width: the output grid right of the input grid (wide) or under it (narrow).
  const g = geo.kinds.length;
  const full = pictureWidth(box), narrow = isNarrow(full);
  const size = Math.max(8, Math.min(30, Math.floor((narrow ? full - 60 : 520) / Math.max(g, 1))));
  const outSize = Math.max(8, Math.min(30, Math.floor((narrow ? full - 60 : 300) / Math.max(o, 1))));
  const width = narrow ? Math.max(full, 60 + Math.max(g * size, o * outSize))
    : 60 + g * size + 50 + o * outSize + 20;
  const height = narrow ? 50 + g * size + 50 + o * outSize + 20 : 50 + Math.max(g * size, o * outSize) + 20;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": "the input grid with the taps of one output cell, and the output grid" });
  const x0 = 40, y0 = 40;
  svg.append(s("text", { x: x0, y: 20, "font-weight": "bold" },
    `${v.t ? "zero-inserted, padded input" : "padded input"} (${g} × ${g})`));
  const tapAt = new Map(taps.map(([r, c, ta, tb]) => [`${r},${c}`, `${ta},${tb}`]));
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      const tap = tapAt.get(`${r},${c}`);
      svg.append(s("rect", { x: x0 + c * size, y: y0 + r * size, width: size, height: size,
        fill: tap ? "#f39c4a" : CELL_COLOURS[geo.kinds[r][c]], stroke: "#666", "stroke-width": 0.6,
        class: tap ? "cl-tap" : "cl-cell", "data-kind": geo.kinds[r][c] }));
      if (tap && size >= 18) {
        svg.append(s("text", { x: x0 + c * size + size / 2, y: y0 + r * size + size / 2 + 4, "text-anchor": "middle",
          style: "font-size:10px" }, tap));
      }
    }
  }
  const ox = narrow ? x0 : x0 + g * size + 50, oy = narrow ? y0 + g * size + 50 : y0;
  svg.append(s("text", { x: ox, y: oy - 20, "font-weight": "bold" }, `output (${o} × ${o})`));
  for (let r = 0; r < o; r++) {
    for (let c = 0; c < o; c++) {
      const selected = r === row && c === col;
      const cellRect = s("rect", { x: ox + c * outSize, y: oy + r * outSize, width: outSize, height: outSize,
        fill: selected ? "#2e8b3a" : "#8ccc8c", stroke: "#666", "stroke-width": 0.6, class: "cl-out-cell",
        "data-row": r, "data-col": c, style: "cursor:pointer" });
      cellRect.addEventListener("click", () => onPick(r, c));
      svg.append(cellRect);
    }
  }
  picture.replaceChildren(svg, h("div", { class: "cl-note" },
    "blue: input cells; grey: padding" + (v.t ? "; white: zeros inserted between input cells (stride s − 1 of them)" : "") +
    "; orange: the kernel taps (a, b) of the dark-green output cell."));
}

function render({ model, el }) {
  const formula = h("div", { class: "cl-readout cl-formula" });
  const picture = h("div", { class: "cl-picture" });
  const { box, panel } = frame(el, "arithmetic", formula, picture);
  const view = { box, formula, picture };
  const { sliders } = controls(model, panel);

  function settings() {
    return { i: model.get("input_size"), k: model.get("kernel_size"), p: model.get("padding"), s: model.get("stride"),
      d: model.get("dilation"), t: model.get("transposed"), a: model.get("output_padding") };
  }

  function update() {
    const v = settings();
    for (const [, name] of SLIDERS) syncControl(panel, name, model.get(name));
    syncControl(panel, "transposed", String(v.t));
    sliders.output_padding.input.disabled = !v.t;
    sliders.output_padding.element.style.opacity = v.t ? 1 : 0.4;
    let result;
    try {
      result = compute(v, model.get("cell"));
      showError(box, "");
    } catch (error) {
      showError(box, String(error.message || error));
      box.querySelector(".cl-error").setAttribute("data-error", String(error.message || error));
      return;
    }
    draw(view, result, (r, c) => setTraits(model, { cell: [r, c] }));
  }

  update();
  whenWidthChanges(box, update);
  for (const [, name] of SLIDERS) model.on(`change:${name}`, update);
  for (const name of ["transposed", "cell"]) model.on(`change:${name}`, update);
}

export default { render };
