// The period picker beside a period's text field (a month input, or a list of quarters or
// years): picking writes the period into the text field, which loads what is stored for
// it. The picker is hidden until this script runs, so without scripts the text field alone
// is offered.
(function () {
  function reveal(root) {
    root.querySelectorAll("[data-period-picker][hidden]").forEach(function (picker) {
      picker.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSwap", function () { reveal(document); });
  document.addEventListener("change", function (event) {
    var picker = event.target.closest && event.target.closest("[data-period-picker]");
    if (!picker || !picker.value) return;
    var field = document.getElementById(picker.dataset.periodPicker);
    if (!field) return;
    field.value = picker.value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
