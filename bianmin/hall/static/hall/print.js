/* The printable ticket: print button; at the kiosk, print at once and go back. */
(function () {
  "use strict";
  var ticket = document.getElementById("ticket");
  var button = document.getElementById("print-btn");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
  if (ticket && ticket.dataset.autoprint === "1") {
    setTimeout(function () { window.print(); }, 300);
    setTimeout(function () { location.href = ticket.dataset.return; }, 15000);
  }
})();
