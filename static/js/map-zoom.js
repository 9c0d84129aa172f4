// Zoom for the strategy map (templates/dashboards/strategy_map.html). The map is drawn as
// wide as its column allows (at most its own size); "Zoom in" draws it larger inside its
// frame, which then scrolls both ways, "Fit" goes back. Pinch zoom on a phone works with or
// without this script; the buttons stay hidden when it does not run.
(function () {
  "use strict";
  var LEVELS = [1, 1.5, 2, 3, 4];

  function init(group) {
    var frame = document.getElementById(group.querySelector("[data-zoom]").getAttribute("aria-controls"));
    var svg = frame && frame.querySelector("svg");
    if (!svg) { return; }
    var level = 0;

    function apply(next) {
      var fit = svg.getBoundingClientRect().width / LEVELS[level];
      var centre = (frame.scrollLeft + frame.clientWidth / 2) / Math.max(frame.scrollWidth, 1);
      level = Math.max(0, Math.min(LEVELS.length - 1, next));
      svg.classList.toggle("zoomed", level > 0);
      svg.style.width = level > 0 ? Math.round(fit * LEVELS[level]) + "px" : "";
      frame.scrollLeft = centre * frame.scrollWidth - frame.clientWidth / 2;
      group.querySelector('[data-zoom="out"]').disabled = level === 0;
      group.querySelector('[data-zoom="fit"]').disabled = level === 0;
      group.querySelector('[data-zoom="in"]').disabled = level === LEVELS.length - 1;
    }

    group.addEventListener("click", function (event) {
      var button = event.target.closest("[data-zoom]");
      if (!button) { return; }
      var action = button.dataset.zoom;
      apply(action === "in" ? level + 1 : action === "out" ? level - 1 : 0);
    });
    group.hidden = false;
    apply(0);
  }

  function start() {
    document.querySelectorAll(".map-zoom").forEach(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
