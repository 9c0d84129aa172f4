// The page's frame, on every page (templates/base.html loads it in <head>, not deferred, so
// the "js" class is on <html> before the first paint and a phone never shows the menu
// unfolded; without script the navigation simply stays unfolded).
// - The "Menu" button folds and unfolds the navigation on a phone; aria-expanded says which,
//   Escape folds it again.
// - A table or box that scrolls sideways (a wide table on a phone) can be scrolled from the
//   keyboard: it takes the focus (tabindex 0) while it overflows.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var SCROLLERS = "main table, main .table-scroll, main .map-scroll, main pre";

  function setOpen(button, menu, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  }

  function initMenu() {
    var button = document.querySelector(".menu-button");
    var menu = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    button.addEventListener("click", function () {
      setOpen(button, menu, button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(button, menu, false);
        button.focus();
      }
    });
  }

  function markScrollers() {
    document.querySelectorAll(SCROLLERS).forEach(function (box) {
      var overflow = getComputedStyle(box).overflowX;
      var scrolls = (overflow === "auto" || overflow === "scroll") && box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocus = "";
      } else if (!scrolls && box.dataset.scrollFocus !== undefined) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocus;
      }
    });
  }

  var pending = false;
  function markScrollersSoon() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; markScrollers(); });
  }

  function init() {
    initMenu();
    markScrollers();
    window.addEventListener("resize", markScrollersSoon);
    document.body.addEventListener("htmx:afterSettle", markScrollersSoon);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
