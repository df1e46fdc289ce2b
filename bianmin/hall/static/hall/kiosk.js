/* Kiosk: one tap takes one ticket (the button locks until the next page); the idle reset is
   the kiosk shell's (static/devices/kiosk.js). */
(function () {
  "use strict";
  var form = document.getElementById("kiosk-form");
  if (!form) { return; }
  var go = document.getElementById("kiosk-go");
  form.addEventListener("submit", function (e) {
    if (!form.querySelector('input[name="items"]:checked')) {
      e.preventDefault();
      go.textContent = "请先选择业务";
      setTimeout(function () { go.textContent = "取 号"; }, 2000);
      return;
    }
    if (go.disabled) { e.preventDefault(); return; }
    setTimeout(function () { go.disabled = true; go.textContent = "正在取号…"; }, 0);
  });
})();
