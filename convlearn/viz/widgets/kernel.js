// Kernel explorer on the photograph (chapter 4): choose or type a kernel K, convolution I * K or
// correlation I ⋆ K, see the filtered image. Same numbers as convlearn.signal.convolve2d /
// correlate2d(image, K, mode="same", boundary="symm") (SciPy's "same" alignment and symmetric boundary).
//
// Traits: image (base64 float64, row-major), shape [H, W], kernels ([name, rows] pairs), name, text ("" means
// the named kernel; otherwise the typed one), flip (true: convolution), probe [i, j], python, py ({output,
// shape}: the reader's function's result), error.
// The maths (filter2d, reflect) is in _rules.js.

function parseKernel(text) {
  const rows = String(text).split("\n").filter((line) => line.trim().length > 0)
    .map((line, r) => parseNumbers(line, `kernel row ${r + 1}`));
  if (rows.length === 0) throw new Error("the kernel is empty: write one row of numbers per line");
  const lengths = rows.map((r) => r.length);
  if (new Set(lengths).size !== 1) {
    throw new Error(`kernel rows must all have the same length, got lengths ${JSON.stringify(lengths)}`);
  }
  return rows;
}

function formatKernel(kernel) {
  return kernel.map((row) => row.map((v) => fmt(v, 4)).join(" ")).join("\n");
}

/** The smallest and largest of some values. */
function extent(values) {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return { lo, hi };
}

/**
 * Paint values on a canvas: grey from ``grey[0]`` (black) to ``grey[1]`` (white), values outside clipped, or
 * red-blue centred on 0 when signed. Without ``grey`` the values' own minimum and maximum are used.
 */
function paint(canvas, values, H, W, signed, grey) {
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(W, H);
  const { lo, hi } = grey ? { lo: grey[0], hi: grey[1] } : extent(values);
  let lim = 0;
  if (signed) {
    const mags = Array.from(values, Math.abs).sort((p, q) => p - q);
    lim = mags[Math.floor(0.99 * (mags.length - 1))] || 1;
  }
  for (let p = 0; p < values.length; p++) {
    let r, g, b;
    if (signed) {
      const u = Math.max(-1, Math.min(1, values[p] / lim));  // red for positive, blue for negative
      r = u > 0 ? 255 : 255 * (1 + u);
      g = 255 * (1 - Math.abs(u));
      b = u < 0 ? 255 : 255 * (1 - u);
    } else {
      r = g = b = hi > lo ? (255 * Math.max(0, Math.min(1, (values[p] - lo) / (hi - lo)))) : 128;
    }
    img.data.set([r, g, b, 255], 4 * p);
  }
  ctx.putImageData(img, 0, 0);
}

/**
 * The controls, in ``panel``: the list of named kernels, the operation, the text box of the weights and the
 * table of the kernel shown. ``onText(error)`` runs after each edit of the text box, with the message of a
 * kernel that does not parse ("" when it does; then the ``text`` trait is set).
 */
function controls(model, panel, onText) {
  const names = model.get("kernels").map(([name]) => name);
  const menu = select("kernel", "name", names.map((n) => [n, n]), model.get("name"), (v) => {
    setTraits(model, { name: v, text: "" });
  });
  const area = h("textarea", { "data-control": "text", "aria-label": "kernel weights, one row per line", wrap: "off",
    spellcheck: "false" });
  area.addEventListener("input", () => {
    let error = "";
    try {
      parseKernel(area.value);
      setTraits(model, { text: area.value });
    } catch (caught) {
      error = String(caught.message || caught);
    }
    onText(error);
  });
  const op = select("operation", "flip", [["true", "convolution I ∗ K"], ["false", "correlation I ⋆ K"]],
    String(model.get("flip")), (v) => setTraits(model, { flip: v === "true" }));
  const kernelTable = h("div", { class: "cl-kernel" });
  panel.append(menu.element, op.element, h("label", {}, "weights K", area), kernelTable,
    h("span", { class: "cl-note" }, "one row per line; click the output to read a value"));
  return { area, kernelTable };
}

/**
 * What the explorer shows for the traits ``state`` ({name, text, flip, probe, python, py, error}) on the image
 * ``{image, H, W, named}`` (``named``: the kernels by name): the kernel (typed or named), the output (the
 * reader's or filter2d's), how to paint it (``signed``: red-blue around 0; else grey over ``grey``), its range
 * and the probed pixel. Null while the reader's function has not answered; throws the message to show.
 */
function compute({ name, text, flip, probe, python, py, error }, { image, H, W, named }) {
  if (error) throw new Error(error);
  const kernel = text && text.trim() ? parseKernel(text) : named[name];
  if (!kernel) throw new Error(`unknown kernel ${JSON.stringify(name)}`);
  let output;
  if (python) {
    const answer = py || {};
    if (!answer.output) return null;
    output = decodeFloat64(answer.output);
    if (answer.shape[0] !== H || answer.shape[1] !== W) {
      throw new Error(`your function returned shape (${answer.shape.join(", ")}); the image is (${H}, ${W})`);
    }
  } else {
    output = filter2d(image, H, W, kernel, flip);
  }
  const total = kernel.flat().reduce((p, q) => p + q, 0);
  let min = Infinity;
  for (const v of output) min = Math.min(min, v);
  const signed = min < -1e-12 && Math.abs(total) < 1e-9;
  // Drawn as the book's static figures draw it: a zero-sum kernel in red and blue around 0; any other in grey
  // over the input's grey range times the sum of the weights (the range a constant image would keep),
  // clipped, so that sharpening looks sharp instead of being stretched from its minimum to its maximum.
  const input = extent(image);
  const { lo, hi } = extent(output);
  let grey = [total * input.lo, total * input.hi].sort((p, q) => p - q);
  if (!(grey[1] - grey[0] > 1e-12)) grey = [lo, hi];  // weights adding up to 0 on an image of one sign
  const [pi, pj] = probe;
  const i = Math.min(H - 1, Math.max(0, pi)), j = Math.min(W - 1, Math.max(0, pj));
  return { image, H, W, text, flip, python, kernel, output, total, signed, grey, lo, hi, i, j };
}

/**
 * Show ``result`` (from compute) in ``view`` ({area, kernelTable, outCanvas, outTitle, readout}): the weights in
 * the text box (unless typed) and the table, the output painted, its title and the readout of the probed pixel.
 */
function draw(view, { image, H, W, text, flip, python, kernel, output, total, signed, grey, lo, hi, i, j }) {
  const { area, kernelTable, outCanvas, outTitle, readout } = view;
  if (!text && document.activeElement !== area) area.value = formatKernel(kernel);
  area.rows = kernel.length + 1;
  area.cols = Math.max(16, ...area.value.split("\n").map((line) => line.length + 2));
  const kh = kernel.length, kw = kernel[0].length;
  kernelTable.replaceChildren(h("table", { class: "cl-matrix", "data-kernel": JSON.stringify(kernel) },
    kernel.map((row) => h("tr", {}, row.map((v) => h("td", {}, fmt(v, 3)))))),
    h("div", { class: "cl-note" }, `${kh} × ${kw}, weights add up to ${fmt(total, 4)}`));
  paint(outCanvas, output, H, W, signed, grey);
  const opName = flip ? "I ∗ K" : "I ⋆ K";
  outTitle.textContent = `output ${opName}` + (python ? " (your function)" : "") +
    (signed ? ": red > 0 > blue" : ": black ≤ " + fmt(grey[0], 3) + ", white ≥ " + fmt(grey[1], 3));
  readout.replaceChildren(
    `output range [`, h("b", { "data-min": exact(lo) }, fmt(lo, 4)), ", ", h("b", { "data-max": exact(hi) }, fmt(hi, 4)),
    `];  (${opName})(${i}, ${j}) = `,
    h("b", { class: "cl-value", "data-i": i, "data-j": j, "data-value": exact(output[i * W + j]) }, fmt(output[i * W + j], 5)),
    `  (input I(${i}, ${j}) = ${fmt(image[i * W + j], 4)})`,
  );
}

/**
 * The input and output canvases side by side in ``panels``, the input painted once; a click on either sets the
 * probed pixel. Returns ``{outCanvas, outTitle}`` for :func:`draw`.
 */
function pictures(model, panels, { image, H, W }) {
  const scaleFactor = Math.max(1, Math.floor(300 / W));
  const size = `width:${W * scaleFactor}px; height:${H * scaleFactor}px`;
  const inCanvas = h("canvas", { class: "cl-input", style: size, "aria-label": "input image I" });
  const outCanvas = h("canvas", { class: "cl-output", style: `${size}; cursor:crosshair`, "aria-label": "output image" });
  const outTitle = h("div", { style: "font-weight:bold" });
  const figure = (title, node, caption) => h("div", {}, h("div", { style: "font-weight:bold" }, title), node,
    h("div", { class: "cl-note" }, caption));
  panels.append(
    figure("input I", inCanvas, `${H} × ${W} pixels (row i down, column j across)`),
    h("div", {}, outTitle, outCanvas, h("div", { class: "cl-note" }, "mode 'same', symmetric boundary")),
  );
  paint(inCanvas, image, H, W, false);
  const pick = (event) => {
    const rect = event.target.getBoundingClientRect();
    const j = Math.min(W - 1, Math.max(0, Math.floor(((event.clientX - rect.left) / rect.width) * W)));
    const i = Math.min(H - 1, Math.max(0, Math.floor(((event.clientY - rect.top) / rect.height) * H)));
    setTraits(model, { probe: [i, j] });
  };
  outCanvas.addEventListener("click", pick);
  inCanvas.addEventListener("click", pick);
  return { outCanvas, outTitle };
}

function render({ model, el }) {
  const readout = h("div", { class: "cl-readout" });
  const picture = h("div", { class: "cl-picture" });
  const panels = h("div", { style: "display:flex; gap:18px; align-items:flex-start; flex-wrap:wrap" });
  picture.append(panels);
  const { box, panel } = frame(el, "kernel", readout, picture);

  const [H, W] = model.get("shape");
  const image = decodeFloat64(model.get("image"));
  const source = { image, H, W, named: Object.fromEntries(model.get("kernels")) };
  let textError = "";
  let drawnOnce = false;  // a typed row that is not finished yet keeps the last good picture
  const { area, kernelTable } = controls(model, panel, (error) => {
    textError = error;
    update();
  });

  const { outCanvas, outTitle } = pictures(model, panels, source);
  const view = { area, kernelTable, outCanvas, outTitle, readout };

  function update() {
    syncControl(panel, "name", model.get("name"));
    syncControl(panel, "flip", String(model.get("flip")));
    if (textError) {
      showError(box, textError, drawnOnce);
      return;
    }
    let result;
    try {
      result = compute({ name: model.get("name"), text: model.get("text"), flip: model.get("flip"),
        probe: model.get("probe"), python: model.get("python"), py: model.get("py"), error: model.get("error") },
      source);
      if (result) showError(box, "");
    } catch (error) {
      showError(box, String(error.message || error));
      kernelTable.replaceChildren();  // no stale kernel either
      return;
    }
    if (!result) return;
    draw(view, result);
    drawnOnce = true;
  }

  update();
  for (const name of ["name", "text", "flip", "probe", "py", "error"]) model.on(`change:${name}`, update);
}

export default { render };
