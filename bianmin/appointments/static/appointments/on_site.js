// The on-site capture keeps working on a weak connection: every capture is put in a queue in
// localStorage first, then sent; a failed send (offline, timeout) stays queued and is retried
// when the browser comes back online (and every few seconds). The server applies each
// capture once (its capture_key), so a replay after a lost answer does no harm.
(function () {
  "use strict";
  var QUEUE = "bianmin.appointments.captures";

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(QUEUE, JSON.stringify(items)); }
  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function status(text) {
    var el = document.querySelector("[data-sync-status]");
    if (el) { el.textContent = text; }
  }

  var sending = false;
  function flush() {
    if (sending) { return; }
    var items = load();
    if (!items.length) { return; }
    sending = true;
    var item = items[0];
    fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(item.body)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      var rest = load().filter(function (x) { return x.body.capture_key !== item.body.capture_key; });
      save(rest);
      if (result.ok) {
        status("已受理，办件编号 " + result.data.case_number);
      } else {
        status("提交未通过：" + (result.data.message || "请重新采集"));
      }
    }).catch(function () {
      status("网络不可用：采集数据已保存在本机，恢复网络后自动发送（待发送 " + load().length + " 条）");
    }).finally(function () {
      sending = false;
    });
  }

  function signaturePad(canvas) {
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var marked = false;
    ctx.lineWidth = 2;
    ctx.lineCap = "round";
    function point(e) {
      var r = canvas.getBoundingClientRect();
      var t = e.touches ? e.touches[0] : e;
      return [t.clientX - r.left, t.clientY - r.top];
    }
    function start(e) { drawing = true; var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]); e.preventDefault(); }
    function move(e) { if (!drawing) { return; } var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); marked = true; e.preventDefault(); }
    function end() { drawing = false; }
    canvas.addEventListener("mousedown", start);
    canvas.addEventListener("mousemove", move);
    window.addEventListener("mouseup", end);
    canvas.addEventListener("touchstart", start, { passive: false });
    canvas.addEventListener("touchmove", move, { passive: false });
    canvas.addEventListener("touchend", end);
    return {
      value: function () { return marked ? canvas.toDataURL("image/png") : ""; },
      clear: function () { ctx.clearRect(0, 0, canvas.width, canvas.height); marked = false; }
    };
  }

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-capture-form]");
    if (form) {
      var pad = signaturePad(form.querySelector("[data-signature]"));
      form.querySelector("[data-clear-signature]").addEventListener("click", pad.clear);
      if (navigator.geolocation) {
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.querySelector("[data-lat]").value = pos.coords.latitude.toFixed(6);
          form.querySelector("[data-lon]").value = pos.coords.longitude.toFixed(6);
        }, function () {}, { timeout: 5000 });
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var file = form.querySelector("input[name=photo]").files[0];
        if (!file) { status("请先拍照"); return; }
        readFile(file).then(function (photo) {
          var materials = {};
          form.querySelectorAll("input[name=material]").forEach(function (box) {
            materials[box.value] = box.checked ? "provided" : "missing";
          });
          var items = load();
          items.push({
            url: form.dataset.url,
            body: {
              capture_key: form.dataset.number + "-" + Date.now(),
              photo: photo,
              fingerprints: form.querySelector("[name=fingerprints]").value,
              signature: pad.value(),
              materials: materials,
              latitude: form.querySelector("[data-lat]").value,
              longitude: form.querySelector("[data-lon]").value,
              captured_at: new Date().toISOString()
            }
          });
          save(items);
          status("采集数据已保存在本机，正在发送…");
          flush();
        });
      });
    }
    var deliver = document.querySelector("[data-deliver-form]");
    if (deliver) {
      var dpad = signaturePad(deliver.querySelector("[data-signature]"));
      deliver.addEventListener("submit", function () {
        deliver.querySelector("[data-signature-field]").value = dpad.value();
      });
    }
    window.addEventListener("online", flush);
    setInterval(flush, 3000);
    flush();
  });
})();
