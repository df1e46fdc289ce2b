/* The signature pad (templates/devices/signature_pad.html): pointer events (touch, pen, mouse)
 * draw on the canvas; the PNG goes into the hidden input as a data URL after each stroke. A
 * required pad blocks its form until something is signed. Works on htmx-swapped content. */
(function () {
  "use strict";
  function setup(pad) {
    if (pad.dataset.ready) { return; }
    pad.dataset.ready = "1";
    var canvas = pad.querySelector("canvas");
    var input = pad.querySelector("input[type=hidden]");
    var status = pad.querySelector("[data-signature-status]");
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#000";
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = point(e); ctx.beginPath(); ctx.moveTo(p.x, p.y); e.preventDefault();
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) { return; }
      var p = point(e); ctx.lineTo(p.x, p.y); ctx.stroke(); inked = true; e.preventDefault();
    });
    function end() {
      if (!drawing) { return; }
      drawing = false;
      if (inked) { input.value = canvas.toDataURL("image/png"); if (status) { status.textContent = "已签名"; } }
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    canvas.style.touchAction = "none";
    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); inked = false; input.value = "";
      if (status) { status.textContent = ""; }
    });
    var form = pad.closest("form");
    if (form && pad.hasAttribute("data-required")) {
      form.addEventListener("submit", function (e) {
        if (!input.value) { e.preventDefault(); e.stopImmediatePropagation(); if (status) { status.textContent = "请先签名"; } }
      }, true);
    }
  }
  function scan(root) { Array.prototype.forEach.call((root || document).querySelectorAll("[data-signature-pad]"), setup); }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSettle", function (e) { scan(e.target); });
  document.addEventListener("htmx:confirm", function (e) {
    var form = e.target.closest && e.target.closest("form");
    var pad = form && form.querySelector("[data-signature-pad][data-required]");
    if (pad && !pad.querySelector("input[type=hidden]").value) {
      e.preventDefault();
      var status = pad.querySelector("[data-signature-status]");
      if (status) { status.textContent = "请先签名"; }
    }
  });
  scan(document);
})();
