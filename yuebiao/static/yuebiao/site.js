/* Behaviour every page shares, kept out of the markup so the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  // Forms inside [data-swap-400] answer a refused submission with 400 and the form showing its errors: swap it in.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 400 && event.target.closest && event.target.closest("[data-swap-400]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Read-only fields meant for copying (a permalink) select their whole text when focused.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  // A confirmation that replaces what the person was doing (a sent comment's receipt) takes the focus, so a
  // screen reader reads it and the page starts there.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) target.focus();
  });

  // Bars drawn from data-percent: a style set from script is allowed where a style attribute in markup is not.
  function drawBars(root) {
    root.querySelectorAll("[data-percent]").forEach(function (bar) {
      var percent = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-percent")) || 0));
      bar.style.width = percent + "%";
    });
  }
  // Filters marked data-collapse-on-phone start folded on a narrow screen, so the results come first under them.
  function foldFilters(root) {
    if (!window.matchMedia || !window.matchMedia("(max-width: 720px)").matches) return;
    var panels = root.matches && root.matches("[data-collapse-on-phone]") ? [root] : [];
    root.querySelectorAll("[data-collapse-on-phone]").forEach(function (panel) { panels.push(panel); });
    panels.forEach(function (panel) { panel.removeAttribute("open"); });
  }
  // Back on a wide screen the filters have no control to open them: open them again.
  if (window.matchMedia) {
    var wide = window.matchMedia("(min-width: 721px)");
    var reopen = function () {
      if (wide.matches) document.querySelectorAll("[data-collapse-on-phone]").forEach(function (p) { p.setAttribute("open", ""); });
    };
    if (wide.addEventListener) wide.addEventListener("change", reopen);
  }
  if (window.htmx) {
    window.htmx.onLoad(drawBars);
    window.htmx.onLoad(foldFilters);
  } else {
    document.addEventListener("DOMContentLoaded", function () { drawBars(document); foldFilters(document); });
  }
})();
