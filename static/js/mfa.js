// The recovery codes page (templates/accounts/mfa/codes.html): its "Print" button, shown
// only where script runs (without script the browser's own print and the download remain).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
