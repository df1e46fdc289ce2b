// 刷脸核验: camera preview with live quality guidance, then a short burst for the 1:1 check.
// Frames are JPEGs drawn from a canvas and sent once; nothing is kept in the browser.
(function () {
  "use strict";
  var root = document.getElementById("face-capture");
  var video = document.getElementById("face-video");
  if (!root || !video) { return; }

  var guidance = document.getElementById("face-guidance");
  var promptEl = document.getElementById("face-prompt");
  var startBtn = document.getElementById("face-start");
  var result = document.getElementById("face-result");
  var keep = document.getElementById("face-keep");
  var nextInput = document.getElementById("face-next");
  var frames = parseInt(root.dataset.frames || "8", 10);
  var interval = parseInt(root.dataset.interval || "250", 10);
  var canvas = document.createElement("canvas");
  var stream = null;
  var busy = false;
  var checking = false;
  var timer = null;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }

  function say(lines, ok) {
    guidance.innerHTML = "";
    lines.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      if (ok) { li.className = "ok"; }
      guidance.appendChild(li);
    });
  }

  function grab() {
    return new Promise(function (resolve) {
      var w = video.videoWidth || 640;
      var h = video.videoHeight || 480;
      var scale = Math.min(1, 640 / w);
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) { resolve(blob); }, "image/jpeg", 0.9);
    });
  }

  function post(url, form) {
    return fetch(url, {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() }
    });
  }

  function checkQuality() {
    if (busy || checking || !stream) { return; }
    busy = true;
    grab().then(function (blob) {
      var form = new FormData();
      form.append("frame", blob, "preview.jpg");
      return post(root.dataset.qualityUrl, form);
    }).then(function (resp) { return resp.json(); }).then(function (data) {
      if (checking) { return; }
      if (data.code) {
        say([data.message]);
        startBtn.disabled = true;
        stopCamera();
      } else if (data.ok) {
        say(["画面合格，可以开始核验"], true);
        startBtn.disabled = false;
      } else {
        say(data.messages);
        startBtn.disabled = true;
      }
    }).catch(function () {
      say(["网络异常，请稍后重试"]);
    }).then(function () { busy = false; });
  }

  function stopCamera() {
    if (timer) { clearInterval(timer); timer = null; }
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function burst() {
    var blobs = [];
    var chain = Promise.resolve();
    for (var i = 0; i < frames; i += 1) {
      chain = chain.then(function () { return grab(); }).then(function (b) {
        blobs.push(b);
        return sleep(interval);
      });
    }
    return chain.then(function () { return blobs; });
  }

  function showResult(html) {
    result.innerHTML = html;
    if (window.htmx) { window.htmx.process(result); }
  }

  startBtn.addEventListener("click", function () {
    if (checking || !stream) { return; }
    checking = true;
    startBtn.disabled = true;
    promptEl.textContent = root.dataset.prompt;
    promptEl.classList.add("active");
    say(["正在采集，请按提示动作"]);
    sleep(400).then(burst).then(function (blobs) {
      promptEl.textContent = "采集完成，正在比对…";
      var form = new FormData();
      blobs.forEach(function (b, i) { form.append("frames", b, "frame" + (i + 1) + ".jpg"); });
      if (keep && keep.value) { form.append("keep_for_case", keep.value); }
      if (nextInput && nextInput.value) { form.append("next", nextInput.value); }
      return post(root.dataset.verifyUrl, form);
    }).then(function (resp) {
      return resp.text().then(function (html) { return { ok: resp.ok, html: html }; });
    }).then(function (answer) {
      showResult(answer.html);
      promptEl.textContent = "";
      promptEl.classList.remove("active");
      if (answer.ok) {
        say(["核验已结束，现场画面已丢弃"], true);
        stopCamera();
        video.srcObject = null;
        video.parentNode.hidden = true;
      } else {
        say(["请按上方提示调整后重试"]);
        checking = false;
      }
    }).catch(function () {
      say(["网络异常，请重新登记同意后再试"]);
      checking = false;
    });
  });

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say(["此浏览器无法使用摄像头，请展开下方“上传照片核验”"]);
    return;
  }
  navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false })
    .then(function (s) {
      stream = s;
      video.srcObject = s;
      return video.play();
    }).then(function () {
      say(["请正对摄像头"]);
      timer = setInterval(checkQuality, 900);
      checkQuality();
    }).catch(function () {
      say(["无法打开摄像头（未连接或未授权），请展开下方“上传照片核验”"]);
    });
  window.addEventListener("pagehide", stopCamera);
}());
