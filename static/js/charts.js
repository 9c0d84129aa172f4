// Draws every Plotly chart of the page from its JSON data block (no inline script, so a
// strict Content-Security-Policy holds): <div data-chart="ID" aria-label="what it shows">
// and <script type="application/json" id="ID">{"data": [...], "layout": {...}}</script>.
//
// A drawn chart holds Plotly's toolbar buttons, so its div is a figure (named by its
// aria-label), not an image: an image's content is hidden from assistive technology and
// the buttons in it would be lost. The toolbar is named, and shown while focused within.
(function () {
  "use strict";

  function nameToolbar(element) {
    var toolbar = element.querySelector(".modebar");
    if (toolbar) {
      toolbar.setAttribute("role", "toolbar");
      toolbar.setAttribute("aria-label", "Chart tools");
    }
  }

  // The reader's decimal mark and digit grouping (templates/base.html), for every number
  // Plotly writes: hovers and axes.
  var separators = document.documentElement.dataset.separators;

  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.dataset.chart);
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(source.textContent);
      figure.layout = figure.layout || {};
      if (separators && !figure.layout.separators) { figure.layout.separators = separators; }
      if (element.getAttribute("role") === "img") { element.setAttribute("role", "figure"); }
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        modeBarButtonsToRemove: ["lasso2d", "select2d"],
      }).then(function () { nameToolbar(element); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
