// Small behaviours of our own: "/" focuses the global search; Escape closes its results.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var search = document.getElementById("global-search");
    if (!search) return;
    var tag = (event.target && event.target.tagName) || "";
    if (event.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(tag) && !event.target.isContentEditable) {
      event.preventDefault();
      search.focus();
    } else if (event.key === "Escape" && event.target === search) {
      var results = document.getElementById("search-results");
      if (results) results.innerHTML = "";
    }
  });
  // htmx 2 does not swap 4xx/5xx answers by default; forms answer 422 with the form and its field errors.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
