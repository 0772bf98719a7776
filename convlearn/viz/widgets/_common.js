// convlearn live explorers: helpers shared by every explorer's front end.
//
// convlearn.viz.widgets prepends this file to each explorer's own file (flip_and_slide.js, ...), so that
// each widget's ES module is one self-contained text: it imports nothing (the book's website is offline).
// Everything is drawn as SVG or on a canvas scaled without smoothing, so the pictures stay crisp at any size.
// The SVG pictures are laid out for the width the explorer gets (pictureWidth, redrawn by whenWidthChanges),
// one SVG pixel to one screen pixel, so that their text stays 12 px on a phone as on a desktop.

const SVG_NS = "http://www.w3.org/2000/svg";
const COLOURS = { f: "#1f77b4", g: "#ff7f0e", product: "#2ca02c", output: "#d62728", grid: "#bbb", text: "#222" };

/** An HTML element with attributes (``data-*`` included) and children (nodes or strings). */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "style") node.style.cssText = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child);
  }
  return node;
}

/** An SVG element; ``text`` (optional) becomes its text content. */
function s(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A number for display: ``digits`` significant digits, no "-0". */
function fmt(value, digits = 4) {
  if (!Number.isFinite(value)) return String(value);
  const v = Math.abs(value) < 1e-12 ? 0 : value;
  return String(Number(v.toPrecision(digits)));
}

/** Full-precision text for data-* attributes read by the tests. */
function exact(value) {
  return Number.isFinite(value) ? String(value) : "NaN";
}

/** Parse numbers separated by spaces or commas; throws an Error naming ``what`` on a bad entry. */
function parseNumbers(text, what) {
  const parts = String(text).replace(/[,;]/g, " ").trim().split(/\s+/).filter((p) => p.length > 0);
  if (parts.length === 0) throw new Error(`${what} is empty: write numbers separated by spaces or commas`);
  return parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v)) throw new Error(`${what}: "${p}" is not a number`);
    return v;
  });
}

/** Decode a base64 string of little-endian float64 values (what numpy's ``tobytes()`` gives). */
function decodeFloat64(b64) {
  const raw = atob(b64 || "");
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return new Float64Array(bytes.buffer, 0, Math.floor(bytes.length / 8));
}

/** The widget's root element with the explorer's stylesheet (scoped by class names). */
function root(kind) {
  return h("div", { class: `convlearn-explorer convlearn-${kind}`, "data-explorer": kind },
    h("style", {}, `
.convlearn-explorer { font: 14px/1.4 system-ui, sans-serif; color: #222; max-width: 980px; }
.convlearn-explorer .cl-controls { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; margin: 4px 0 8px; }
.convlearn-explorer label { display: inline-flex; align-items: center; gap: 6px; }
.convlearn-explorer input[type=range] { width: 150px; }
.convlearn-explorer input[type=number] { width: 4em; }
.convlearn-explorer textarea, .convlearn-explorer input[type=text] { font: 13px/1.3 ui-monospace, monospace; }
.convlearn-explorer textarea { white-space: pre; overflow-wrap: normal; overflow-x: auto; resize: both; }
.convlearn-explorer .cl-error { display: none; color: #8b0000; background: #fdecea; border: 1px solid #e8a5a0;
  padding: 6px 10px; margin: 6px 0; white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 13px; }
.convlearn-explorer.cl-has-error .cl-error { display: block; }
.convlearn-explorer.cl-has-error .cl-picture, .convlearn-explorer.cl-has-error .cl-readout { display: none; }
.convlearn-explorer.cl-has-error.cl-stale .cl-picture, .convlearn-explorer.cl-has-error.cl-stale .cl-readout {
  display: block; opacity: 0.35; }
.convlearn-explorer .cl-readout { margin: 4px 0; }
.convlearn-explorer .cl-readout b { font-variant-numeric: tabular-nums; }
.convlearn-explorer svg { display: block; max-width: 100%; height: auto; }
.convlearn-explorer svg text { font: 12px system-ui, sans-serif; }
.convlearn-explorer svg text:not([fill]) { fill: #222; }
.convlearn-explorer canvas { image-rendering: pixelated; image-rendering: crisp-edges; }
.convlearn-explorer table.cl-matrix { border-collapse: collapse; font: 12px ui-monospace, monospace; }
.convlearn-explorer table.cl-matrix td { border: 1px solid #ccc; padding: 2px 6px; text-align: right; }
.convlearn-explorer .cl-note { color: #555; font-size: 12px; }
`));
}

/**
 * The explorer's frame, appended to ``el``: its root (see root) holding ``panel``, the box of the controls, then
 * ``parts`` (readouts, the picture) in that order. Returns ``{ box, panel }``.
 */
function frame(el, kind, ...parts) {
  const box = root(kind);
  const panel = h("div", { class: "cl-controls" });
  box.append(panel, ...parts);
  el.append(box);
  return { box, panel };
}

/** The width (px) an explorer's picture is laid out for: the explorer's own width, from 280 to 900. */
function pictureWidth(container) {
  const width = container.getBoundingClientRect().width;
  return Math.round(Math.max(280, Math.min(900, width > 0 ? width : 900)));
}

/** True when the picture is laid out for a narrow column (a phone): stacked panels instead of side by side. */
function isNarrow(width) {
  return width < 600;
}

/** Call ``redraw()`` whenever the explorer's width changes (it is 0 until the page shows it, a phone turns, ...). */
function whenWidthChanges(container, redraw) {
  if (typeof ResizeObserver === "undefined") return;
  let drawnFor = pictureWidth(container);
  new ResizeObserver(() => {
    const width = pictureWidth(container);
    if (width !== drawnFor) {
      drawnFor = width;
      redraw();
    }
  }).observe(container);
}

/**
 * Show ``message`` in the widget's error box, above the picture (empty: no error). The picture and readouts are
 * hidden meanwhile, or, with ``keepPicture`` (an unfinished edit: a kernel row still being typed), the last good
 * ones stay in place, faded and marked ``data-stale``, so that the page does not jump while the reader types.
 */
function showError(container, message, keepPicture = false) {
  let box = container.querySelector(":scope > .cl-error");
  if (!box) {
    box = h("div", { class: "cl-error", role: "alert" });
    const controls = container.querySelector(":scope > .cl-controls");
    if (controls) controls.after(box);
    else container.append(box);
  }
  box.textContent = message || "";
  box.setAttribute("data-error", message || "");
  container.classList.toggle("cl-has-error", Boolean(message));
  container.classList.toggle("cl-stale", Boolean(message) && keepPicture);
  if (message && keepPicture) container.setAttribute("data-stale", "");
  else container.removeAttribute("data-stale");
}

/** A labelled range slider bound to a model trait. ``onInput(value)`` runs on every move. */
function slider(label, name, { min, max, step = 1, value }, onInput) {
  const input = h("input", { type: "range", min, max, step, value, "data-control": name, "aria-label": label });
  const shown = h("b", { "data-value-of": name }, String(value));
  input.addEventListener("input", () => {
    const v = Number(input.value);
    shown.textContent = fmt(v, 4);
    onInput(v);
  });
  return { element: h("label", {}, label, input, shown), input, shown };
}

/** A labelled drop-down list. */
function select(label, name, options, value, onChange) {
  const node = h("select", { "data-control": name, "aria-label": label },
    options.map(([key, text]) => h("option", { value: key, selected: key === value }, text)));
  node.addEventListener("change", () => onChange(node.value));
  return { element: h("label", {}, label, node), input: node };
}

/** Set traits on the model and send them to the kernel if there is one (a static page has none). */
function setTraits(model, values) {
  for (const [key, value] of Object.entries(values)) model.set(key, value);
  try {
    model.save_changes();
  } catch (error) {
    // no kernel to tell (static page): the front end computes everything itself
  }
}

/** Linear map from [d0, d1] to [r0, r1]. */
function scale(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** Round tick values for an axis over [lo, hi]. */
function ticks(lo, hi, count = 6) {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((st) => span / st <= count) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(Math.abs(v) < 1e-12 ? 0 : v);
  return out;
}

/**
 * Axes in an SVG: a frame at (x, y, width, height) for data ranges xr, yr, with ticks (fewer on a narrow
 * frame) and labels. The y label sits 44 px left of the frame: leave a left margin of at least 52 px.
 * Returns {g, X, Y} where X and Y map data to pixels.
 */
function axes(svg, { x, y, width, height, xr, yr, xlabel, ylabel, title }) {
  const xTicks = Math.max(3, Math.min(6, Math.floor(width / 90)));
  const g = s("g", {});
  const X = scale(xr[0], xr[1], x, x + width);
  const Y = scale(yr[0], yr[1], y + height, y);
  g.append(s("rect", { x, y, width, height, fill: "white", stroke: "#444", "stroke-width": 1 }));
  for (const v of ticks(xr[0], xr[1], xTicks)) {
    g.append(s("line", { x1: X(v), x2: X(v), y1: y + height, y2: y + height + 4, stroke: "#444" }));
    g.append(s("text", { x: X(v), y: y + height + 16, "text-anchor": "middle" }, fmt(v, 3)));
  }
  for (const v of ticks(yr[0], yr[1], 4)) {
    g.append(s("line", { x1: x - 4, x2: x, y1: Y(v), y2: Y(v), stroke: "#444" }));
    g.append(s("text", { x: x - 6, y: Y(v) + 4, "text-anchor": "end" }, fmt(v, 3)));
  }
  if (yr[0] < 0 && yr[1] > 0) {
    g.append(s("line", { x1: x, x2: x + width, y1: Y(0), y2: Y(0), stroke: "#999", "stroke-width": 0.7 }));
  }
  if (xlabel) g.append(s("text", { x: x + width / 2, y: y + height + 32, "text-anchor": "middle" }, xlabel));
  if (ylabel) {
    g.append(s("text", { x: x - 44, y: y + height / 2, "text-anchor": "middle",
      transform: `rotate(-90 ${x - 44} ${y + height / 2})` }, ylabel));
  }
  if (title) g.append(s("text", { x: x + width / 2, y: y - 8, "text-anchor": "middle", "font-weight": "bold" }, title));
  svg.append(g);
  return { g, X, Y };
}

/** A polyline through (xs[i], ys[i]) in data coordinates. */
function polyline(X, Y, xs, ys, attrs) {
  const pts = [];
  for (let i = 0; i < xs.length; i++) pts.push(`${X(xs[i]).toFixed(2)},${Y(ys[i]).toFixed(2)}`);
  return s("polyline", { points: pts.join(" "), fill: "none", "stroke-width": 2, ...attrs });
}

/** Range [lo, hi] of some arrays, always containing 0, padded by 8 %. */
function range(...arrays) {
  let lo = 0, hi = 0;
  for (const a of arrays) for (const v of a) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (hi - lo < 1e-12) hi = lo + 1;
  const pad = 0.08 * (hi - lo);
  return [lo - pad, hi + pad];
}

/** Legend entries [colour, text] drawn from (x, y): one per line (16 px apart), or in a row when ``across``. */
function legend(svg, x, y, entries, across = false) {
  let left = x;
  entries.forEach(([colour, text], i) => {
    const top = across ? y : y + 16 * i;
    svg.append(s("rect", { x: left, y: top - 9, width: 14, height: 10, fill: colour }));
    svg.append(s("text", { x: left + 20, y: top }, text));
    if (across) left += 34 + 7.5 * text.length;
  });
}

/** Move the control ``name`` (a slider, list or text box in ``container``) to ``value`` without an event. */
function syncControl(container, name, value) {
  const input = container.querySelector(`[data-control="${name}"]`);
  if (!input || document.activeElement === input) return;
  if (String(input.value) !== String(value)) input.value = value;
  const shown = container.querySelector(`[data-value-of="${name}"]`);
  if (shown && typeof value === "number") shown.textContent = fmt(value, 4);
}
