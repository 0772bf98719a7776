// The sliding window of the centred sum (chapter 4): S(i, j) = Σ_m Σ_n I(i + m, j + n) K(m, n), m = −M..M,
// n = −N..N, with I taken as 0 outside the image (convlearn.signal.reference.centred_sum).
//
// Traits: image (rows of numbers, a small image), kernel (rows, odd sizes (2M+1) x (2N+1)), i, j (the output
// position), python (the reader's centred_sum computes the value), py ({value}), error.
// The maths (windowTerms) is in _rules.js.

/** A matrix of numbers drawn as cells at (x, y); colour(v) gives each cell's fill. */
function matrix(svg, x, y, values, size, colour, rowLabels, colLabels, title) {
  svg.append(s("text", { x: x + (values[0].length * size) / 2, y: y - 24, "text-anchor": "middle", "font-weight": "bold" },
    title));
  values.forEach((row, r) => {
    svg.append(s("text", { x: x - 6, y: y + r * size + size / 2 + 4, "text-anchor": "end" }, rowLabels[r]));
    row.forEach((v, c) => {
      svg.append(s("rect", { x: x + c * size, y: y + r * size, width: size, height: size, fill: colour(v),
        stroke: "#666", "stroke-width": 0.6 }));
      svg.append(s("text", { x: x + c * size + size / 2, y: y + r * size + size / 2 + 4, "text-anchor": "middle",
        style: "font-size:11px" }, fmt(v, 2)));
    });
  });
  colLabels.forEach((label, c) => {
    svg.append(s("text", { x: x + c * size + size / 2, y: y - 6, "text-anchor": "middle" }, label));
  });
}

function shade(lo, hi, rgb) {
  return (v) => {
    const u = hi > lo ? Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 0.5;
    const [r, g, b] = rgb.map((c) => Math.round(255 - (255 - c) * u));
    return `rgb(${r},${g},${b})`;
  };
}

/** The controls, in ``panel``: a slider for the row i and one for the column j of an H × W image. */
function controls(model, panel, H, W) {
  panel.append(
    slider("row i", "i", { min: 0, max: H - 1, value: model.get("i") }, (v) => setTraits(model, { i: v })).element,
    slider("column j", "j", { min: 0, max: W - 1, value: model.get("j") }, (v) => setTraits(model, { j: v })).element,
    h("span", { class: "cl-note" }, "or click a pixel of the image"));
}

/**
 * What the explorer shows for ``state`` ({image, kernel, i, j, python, py}): the products I(i+m, j+n) K(m, n)
 * of the window at (i, j) and their sum (windowTerms), and the value shown (the reader's centred_sum's, or the
 * sum). Null while the reader's function has not answered.
 */
function compute({ image, kernel, i, j, python, py }) {
  const { products, total } = windowTerms(image, kernel, i, j);
  const value = python ? (py || {}).value : total;
  if (value === undefined) return null;
  return { image, kernel, i, j, python, products, total, value };
}

/**
 * Show ``result`` (from compute) in ``view`` ({box, readout, picture}), laid out for the explorer's width: the
 * readout, the image with the window, the weights and the products; a click on a pixel calls ``onPick(i, j)``.
 */
function draw(view, { image, kernel, i, j, python, products, total, value }, onPick) {
  const { box, readout, picture } = view;
  const H = image.length, W = image[0].length, M = (kernel.length - 1) / 2, N = (kernel[0].length - 1) / 2;
  readout.replaceChildren(
    `S(${i}, ${j}) = Σ products = `, h("b", { class: "cl-sum", "data-sum": exact(total) }, fmt(total, 5)),
    python ? ";  your centred_sum gives " : "",
    h("b", { class: "cl-value", "data-value": exact(value), "data-i": i, "data-j": j,
      hidden: !python }, fmt(value, 5)),
    h("span", { class: "cl-products", hidden: true, "data-products": JSON.stringify(products) }),
  );
  // Laid out for the explorer's width: image, weights and products side by side (wide) or one under the
  // other (narrow, a phone).
  const full = pictureWidth(box), narrow = isNarrow(full);
  const cell = Math.max(10, Math.min(26, Math.floor((narrow ? full - 60 : 360) / Math.max(H, W))));
  const size = 34, kRows = kernel.length * size, kCols = kernel[0].length * size;
  const kx = narrow ? 60 : 60 + W * cell + 70, px = narrow ? 60 : kx + kCols + 70;
  const ky = narrow ? 40 + H * cell + 80 : 60, py = narrow ? ky + kRows + 90 : 60;
  const width = narrow ? full : px + kCols + 120;
  const height = narrow ? py + kRows + 20 : 40 + Math.max(H * cell, kRows) + 40;
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
    "aria-label": "the image with the window, the weights and the products" });
  let lo = Infinity, hi = -Infinity;
  for (const row of image) for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const grey = (v) => {  // black (lowest value) to white (highest)
    const level = Math.round(hi > lo ? (255 * (v - lo)) / (hi - lo) : 128);
    return `rgb(${level},${level},${level})`;
  };
  const y0 = 40;
  svg.append(s("text", { x: 40 + (W * cell) / 2, y: 16, "text-anchor": "middle", "font-weight": "bold" },
    `image I, window at (i, j) = (${i}, ${j})`));
  image.forEach((row, r) => row.forEach((v, c) => {
    const rect = s("rect", { x: 40 + c * cell, y: y0 + r * cell, width: cell, height: cell, fill: grey(v),
      stroke: "#999", "stroke-width": 0.4, style: "cursor:pointer", class: "cl-pixel", "data-row": r, "data-col": c });
    rect.addEventListener("click", () => onPick(r, c));
    svg.append(rect);
  }));
  svg.append(s("rect", { x: 40 + (j - N) * cell, y: y0 + (i - M) * cell, width: (2 * N + 1) * cell,
    height: (2 * M + 1) * cell, fill: "none", stroke: "#f39c4a", "stroke-width": 3 }));
  svg.append(s("rect", { x: 40 + j * cell + cell / 4, y: y0 + i * cell + cell / 4, width: cell / 2, height: cell / 2,
    fill: "#d62728" }));
  svg.append(s("text", { x: 40 + (W * cell) / 2, y: y0 + H * cell + 28, "text-anchor": "middle" }, "column j"));
  svg.append(s("text", { x: 22, y: y0 + (H * cell) / 2, "text-anchor": "middle",
    transform: `rotate(-90 22 ${y0 + (H * cell) / 2})` }, "row i"));
  const mLabels = kernel.map((_, r) => String(r - M)), nLabels = kernel[0].map((_, c) => String(c - N));
  const flat = kernel.flat(), prods = products.flat();
  const kMax = Math.max(...flat.map(Math.abs), 1e-12), pMax = Math.max(...prods.map(Math.abs), 1e-12);
  matrix(svg, kx, ky, kernel, size, (v) => shade(0, kMax, [230, 120, 20])(Math.abs(v)), mLabels, nLabels,
    "weights K(m, n)");
  svg.append(s("text", { x: kx + kCols / 2, y: ky + kRows + 20, "text-anchor": "middle" }, "n (m down)"));
  matrix(svg, px, py, products, size, (v) => shade(0, pMax, [40, 160, 40])(Math.abs(v)), mLabels, nLabels,
    "products I(i+m, j+n) K(m, n)");
  picture.replaceChildren(svg);
}

function render({ model, el }) {
  const readout = h("div", { class: "cl-readout" });
  const picture = h("div", { class: "cl-picture" });
  const { box, panel } = frame(el, "sliding-window", readout, picture);
  const view = { box, readout, picture };
  const image = model.get("image"), kernel = model.get("kernel");
  controls(model, panel, image.length, image[0].length);

  function update() {
    const i = model.get("i"), j = model.get("j");
    syncControl(panel, "i", i);
    syncControl(panel, "j", j);
    const error = model.get("error");
    showError(box, error);
    if (error) return;
    const result = compute({ image, kernel, i, j, python: model.get("python"), py: model.get("py") });
    if (result) draw(view, result, (r, c) => setTraits(model, { i: r, j: c }));
  }

  update();
  whenWidthChanges(box, update);
  for (const name of ["i", "j", "py", "error"]) model.on(`change:${name}`, update);
}

export default { render };
