// Receptive field of a 1-D stack of layers (chapter 8): click a unit, see every unit below it that it depends
// on, and the size r, jump j and start σ of the recursion
//     r_l = r_{l-1} + d_l (k_l − 1) j_{l-1},   j_l = s_l j_{l-1},   σ_l = σ_{l-1} − p_l j_{l-1}
// (convlearn.nn.functional.receptive_field; the dependency masks as convlearn.viz.arithmetic.receptive_field_units):
// sizes, fields and masks are in _rules.js.
//
// Traits: layers ([{kernel_size, stride, padding, dilation}]), input_length, selected [level, unit]
// (level 0 is the input, level l the output of layer l; unit −1 means the middle unit).

const LIMITS = { kernel_size: [1, 9], stride: [1, 4], padding: [0, 8], dilation: [1, 8] };

/**
 * The controls: in ``panel`` the input-length slider and the "add a layer" button; ``rebuildTable()`` (returned)
 * fills ``table`` with one row of number boxes per layer of the current traits, and a "remove" button.
 */
function controls(model, panel, table) {
  const n = slider("input length", "input_length", { min: 3, max: 48, value: model.get("input_length") },
    (v) => setTraits(model, { input_length: v }));
  panel.append(n.element,
    h("button", { type: "button", "data-control": "add-layer", onclick: () => {
      const layers = model.get("layers");
      if (layers.length < 6) setTraits(model, { layers: [...layers, { kernel_size: 3, stride: 1, padding: 0, dilation: 1 }] });
    } }, "add a layer"),
    h("span", { class: "cl-note" }, "click a unit to see which units below feed it"));

  function rebuildTable() {
    const layers = model.get("layers");
    const rows = layers.map((g, l) => h("tr", {}, h("td", {}, `layer ${l + 1}`),
      Object.keys(LIMITS).map((key) => h("td", {}, h("input", {
        type: "number", min: LIMITS[key][0], max: LIMITS[key][1], value: g[key], "data-control": `layer-${l}-${key}`,
        "aria-label": `layer ${l + 1} ${key}`,
        onchange: (event) => {
          const v = Math.round(Number(event.target.value));
          const [lo, hi] = LIMITS[key];
          const next = model.get("layers").map((x) => ({ ...x }));
          next[l][key] = Math.min(hi, Math.max(lo, Number.isFinite(v) ? v : lo));
          setTraits(model, { layers: next });
        },
      }))),
      h("td", {}, layers.length > 1 ? h("button", { type: "button", "data-control": `remove-${l}`, onclick: () => {
        setTraits(model, { layers: model.get("layers").filter((_, i) => i !== l), selected: [-1, -1] });
      } }, "remove") : "")));
    table.replaceChildren(h("table", { class: "cl-matrix" },
      h("tr", {}, ["", "kernel k", "stride s", "padding p", "dilation d", ""].map((t) => h("th", {}, t))), rows));
  }

  return { rebuildTable };
}

/**
 * What the picture shows for the traits ``state`` ({layers, input_length, selected}): the lengths of every level
 * (sizes), their receptive fields (fields), the selected level and unit (−1 and out-of-range picks mean the middle
 * unit of the top level), the units it depends on (masks), its field's first and last input sample, the input
 * samples it sees, and every unit's position (the centre of its field). Throws on a stack with no output.
 */
function compute({ layers, input_length, selected }) {
  const lengths = sizes(layers, input_length);
  const rf = fields(layers);
  let [level, unit] = selected;
  if (level < 0 || level > layers.length) level = layers.length;
  if (unit < 0 || unit >= lengths[level]) unit = Math.floor(lengths[level] / 2);
  const m = masks(layers, lengths, level, unit);
  const first = rf[level].start + unit * rf[level].j, last = first + rf[level].r - 1;
  const seen = m[0].flatMap((on, i) => (on ? [i] : []));
  let lo = 0, hi = lengths[0] - 1;
  const positions = lengths.map((len, l) => {
    const centre = rf[l].start + (rf[l].r - 1) / 2;
    const pos = Array.from({ length: len }, (_, u) => centre + rf[l].j * u);
    lo = Math.min(lo, ...pos);
    hi = Math.max(hi, ...pos);
    return pos;
  });
  return { layers, lengths, rf, level, unit, m, first, last, seen, positions, lo, hi };
}

/**
 * Show ``result`` (from compute) in ``view`` ({box, readout, picture}), laid out for the explorer's width:
 * the readout, and every level's units with the links that feed the selected unit; a click on a unit calls
 * ``onPick(level, unit)``.
 */
function draw(view, { layers, lengths, rf, level, unit, m, first, last, seen, positions, lo, hi }, onPick) {
  const { box, readout, picture } = view;
  readout.replaceChildren(
    `unit ${unit} of ${level === 0 ? "the input" : `layer ${level}`}: receptive field r = `,
    h("b", { class: "cl-rf", "data-level": level, "data-unit": unit, "data-rf-size": rf[level].r,
      "data-rf-first": first, "data-rf-last": last, "data-jump": rf[level].j, "data-count": seen.length,
      "data-mask": JSON.stringify(seen) }, String(rf[level].r)),
    ` input samples, σ + u·j = ${rf[level].start} + ${unit}·${rf[level].j} = ${first} to ${last}; ` +
    `it depends on ${seen.length} samples of the ${lengths[0]}-sample input` +
    (seen.length < rf[level].r ? " (the rest of the window is padding or a gap of a dilated kernel)" : ""),
  );

  const levels = lengths.length;
  // Laid out for the explorer's width: row labels left of the units (wide) or above them (narrow, a phone).
  const width = pictureWidth(box), narrow = isNarrow(width), left = narrow ? 14 : 130;
  const rowGap = narrow ? 70 : 64, height = (narrow ? 54 : 40) + rowGap * (levels - 1) + 50;
  const X = scale(lo - 0.5, hi + 0.5, left, width - (narrow ? 14 : 20));
  const Y = (l) => height - 50 - rowGap * l;
  const radius = Math.max(2.5, Math.min(5, 0.42 * (X(1) - X(0))));  // neighbouring units do not overlap
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": "units of every layer; the units that feed the selected unit are filled" });
  for (let l = level; l > 0; l--) {
    m[l].forEach((on, o) => {
      if (!on) return;
      for (const src of unitInputs(layers[l - 1], o, lengths[l - 1])) {
        svg.append(s("line", { x1: X(positions[l - 1][src]), y1: Y(l - 1), x2: X(positions[l][o]), y2: Y(l),
          stroke: "#999", "stroke-width": 0.8 }));
      }
    });
  }
  positions.forEach((pos, l) => {
    const label = l === 0 ? "input" : `layer ${l}: r = ${rf[l].r}`;
    svg.append(narrow ? s("text", { x: 8, y: Y(l) - 14 }, label) : s("text", { x: 8, y: Y(l) + 4 }, label));
    pos.forEach((x, u) => {
      const on = m[l][u], selected = l === level && u === unit;
      const dot = s("circle", { cx: X(x), cy: Y(l), r: selected ? radius + 2 : radius,
        fill: selected ? "#2e8b3a" : on ? "#f39c4a" : "white", stroke: on ? "#333" : "#888",
        class: on ? "cl-unit cl-on" : "cl-unit", "data-level": l, "data-unit": u, style: "cursor:pointer" });
      dot.addEventListener("click", () => onPick(l, u));
      svg.append(dot);
    });
  });
  svg.append(s("text", { x: narrow ? 8 : (left + width - 20) / 2, y: height - 12,
    "text-anchor": narrow ? "start" : "middle" },
    narrow ? "input position (units at their field's centre)"
      : "position in the input (each unit drawn at the centre of its receptive field)"));
  picture.replaceChildren(svg);
}

function render({ model, el }) {
  const table = h("div", { class: "cl-layers", style: "overflow-x:auto" });  // scrolls by itself on a phone
  const readout = h("div", { class: "cl-readout" });
  const picture = h("div", { class: "cl-picture" });
  const { box, panel } = frame(el, "receptive-field", table, readout, picture);
  const view = { box, readout, picture };
  const { rebuildTable } = controls(model, panel, table);

  function update() {
    syncControl(panel, "input_length", model.get("input_length"));
    let result;
    try {
      result = compute({ layers: model.get("layers"), input_length: model.get("input_length"),
        selected: model.get("selected") });
      showError(box, "");
    } catch (error) {
      showError(box, String(error.message || error));
      return;
    }
    draw(view, result, (l, u) => setTraits(model, { selected: [l, u] }));
  }

  rebuildTable();
  update();
  whenWidthChanges(box, update);
  model.on("change:layers", () => { rebuildTable(); update(); });
  for (const name of ["input_length", "selected"]) model.on(`change:${name}`, update);
}

export default { render };
