/*
 * convlearn: make @jupyter-widgets/html-manager work from this folder, with no CDN.
 *
 * Loaded after require.js and before html-manager/embed-amd.js (see nb_ipywidgets_js in _config.yml).
 * embed-amd.js defines its modules by name (@jupyter-widgets/base, .../controls, ...). Webpack inside
 * those modules derives the URL of its assets (the icon fonts) from the module's RequireJS URL, which
 * by default is relative to the *page*, so every chapter folder would ask for fonts it does not have.
 * Mapping the module names to this folder makes those URLs point at html-manager/ instead.
 * The module `anywidget` (front end of the live explorers) is mapped to anywidget/index.js here too.
 *
 * The widget views also typeset their labels through the MathJax 2 API (MathJax.Hub.Queue), which
 * MathJax 3 does not have: a small adapter forwards those calls to MathJax 3's typesetPromise.
 */
(function () {
  "use strict";
  if (typeof window.requirejs === "undefined") {
    return;
  }
  var script = document.currentScript;
  var here = script ? script.src.slice(0, script.src.lastIndexOf("/") + 1) : "";
  var dir = here + "html-manager/";
  var names = {
    "@jupyter-widgets/html-manager": "html-manager",
    "@jupyter-widgets/html-manager/dist/libembed-amd": "libembed-amd",
    "@jupyter-widgets/base": "base",
    "@jupyter-widgets/base7": "base7",
    "@jupyter-widgets/controls": "controls",
    "@jupyter-widgets/controls7": "controls7",
    "@jupyter-widgets/output": "output"
  };
  var paths = {};
  Object.keys(names).forEach(function (name) {
    paths[name] = dir + names[name];
  });
  // The live explorers (convlearn.viz.widgets) are anywidget models: their front end is one AMD module.
  paths.anywidget = here + "anywidget/index";
  window.requirejs.config({ paths: paths });

  function addMathJax2Adapter() {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub || !mathjax.startup || !mathjax.startup.promise) {
      return; // no MathJax 3 on this page (or an adapter is already there)
    }
    var ready = mathjax.startup.promise;
    mathjax.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (Array.isArray(job) && job[0] === "Typeset") {
            var element = job[2];
            ready = ready
              .then(function () {
                return mathjax.typesetPromise ? mathjax.typesetPromise(element ? [element] : undefined) : null;
              })
              .catch(function (error) {
                console.warn("MathJax could not typeset a widget label:", error);
              });
          } else if (typeof job === "function") {
            ready = ready.then(job);
          }
        });
      }
    };
  }
  // MathJax 3 is loaded with `defer`: it exists by DOMContentLoaded, before the widgets render on `load`.
  document.addEventListener("DOMContentLoaded", addMathJax2Adapter);
  window.addEventListener("load", addMathJax2Adapter);
})();
