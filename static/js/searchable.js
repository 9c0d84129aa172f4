// Turns every <select data-searchable> (core.widgets.SearchableSelectMultiple, and
// SearchedSelect(Multiple), whose choices are searched on the server) into a Tom Select box:
// type to search, click or Enter to add, x to remove; what is chosen stays chosen. Also on content htmx swaps in; a box about to be swapped out is taken down
// first, so none is left behind. Without this script the plain select still works. The
// box's words come in the page's language in the select's data attributes (core/widgets.py:
// data-placeholder, data-no-results, data-remove), these English ones being the fallback.
(function () {
  "use strict";

  function enhance(root) {
    if (!window.TomSelect || !root.querySelectorAll) { return; }
    var selects = Array.prototype.slice.call(root.querySelectorAll("select[data-searchable]"));
    if (root.matches && root.matches("select[data-searchable]")) { selects.push(root); }
    selects.forEach(function (select) {
      if (select.tomselect) { return; }
      var settings = {
        plugins: select.multiple ? { remove_button: { title: select.dataset.remove || "Remove" } } : {},
        maxOptions: null,
        // Filter as each key is typed: a throttled refresh could reopen the list just
        // after Escape closed it, over the button below.
        refreshThrottle: 0,
        hidePlaceholder: false,
        placeholder: select.dataset.placeholder || "Type to search…",
        render: {
          no_results: function () {
            var message = document.createElement("div");
            message.className = "no-results";
            message.textContent = select.dataset.noResults || "Nothing matches.";
            return message;
          },
        },
      };
      if (select.dataset.searchUrl) { searchOnServer(settings, select); }
      var box = new window.TomSelect(select, settings);
      // Tom Select points the field's <label for> at its own typing box, which leaves the
      // original (visually hidden) select without a name; name it by the same label.
      var label = box.focus_node && box.focus_node.getAttribute("aria-labelledby");
      if (label && !select.hasAttribute("aria-labelledby")) {
        select.setAttribute("aria-labelledby", label);
      }
    });
  }

  // The choices are on the server (core.widgets.SearchedSelect): each search asks it for
  // what matches, and shows its answer as it is (the server matched more than the label).
  // A single choice keeps its empty choice ("No owner") among the answers.
  function searchOnServer(settings, select) {
    var url = select.dataset.searchUrl;
    var empty = select.multiple ? null : select.querySelector('option[value=""]');
    var emptyOption = empty ? { value: "", text: empty.textContent } : null;
    settings.valueField = "value";
    settings.labelField = "text";
    settings.searchField = ["text"];
    settings.allowEmptyOption = true;
    settings.preload = "focus";
    settings.maxOptions = 50;
    settings.score = function () { return function () { return 1; }; };
    settings.load = function (query, callback) {
      var box = this;
      var address = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (answer) {
          box.clearOptions();  // keeps what is chosen
          callback(emptyOption ? [emptyOption].concat(answer.results) : answer.results);
        })
        .catch(function () { callback(); });
    };
  }

  function takeDown(event) {
    var element = event.target;
    if (element && element.tomselect) { element.tomselect.destroy(); }
  }

  function start() {
    enhance(document);
    // htmx's own events, listened to directly: htmx.onLoad() called this early (htmx is
    // deferred, its ready handler not run yet) would wait for a DOMContentLoaded that is
    // already being dispatched, and never register.
    document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
    document.addEventListener("htmx:beforeCleanupElement", takeDown);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
