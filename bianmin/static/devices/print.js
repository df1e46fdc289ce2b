/* One-click printing: `[data-print-now]` prints the page; a page with `[data-autoprint]`
 * prints as soon as it opens (with Chromium's --kiosk-printing: no dialog at all). */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-print-now]")) { window.print(); }
  });
  if (document.querySelector("[data-autoprint]")) { setTimeout(function () { window.print(); }, 300); }
})();
