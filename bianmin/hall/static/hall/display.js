/* Calling display (叫号大屏): live over a websocket, reconnects with backoff, announces calls
   in Mandarin through speechSynthesis (zh-CN voice) or the server-made WAV. Runs all day. */
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) { return; }
  var wsPath = root.dataset.ws, stateUrl = root.dataset.state;
  var conn = document.getElementById("conn");
  var audio = document.getElementById("announce-audio");
  var voiceButton = document.getElementById("voice-on");
  var queue = [], speaking = false, backoff = 1000, ws = null, lastMessage = Date.now();
  var MAX_RECENT = 8, MAX_QUEUE = 12;

  function setConn(state) {
    conn.dataset.state = state;
    conn.textContent = state === "online" ? "实时连接" : "连接中断，正在重连…";
  }

  function zhVoice() {
    if (!window.speechSynthesis) { return null; }
    var voices = window.speechSynthesis.getVoices() || [];
    for (var i = 0; i < voices.length; i++) {
      if (/^(zh|cmn)([-_](CN|Hans|SG))?/i.test(voices[i].lang || "")) { return voices[i]; }
    }
    return null;
  }

  function pump() {
    if (speaking || !queue.length) { return; }
    var ev = queue.shift();
    speaking = true;
    var finished = false;
    function done() {
      if (finished) { return; }
      finished = true; speaking = false; setTimeout(pump, 300);
    }
    setTimeout(done, 15000); // never stall the queue
    var voice = zhVoice();
    if (window.speechSynthesis && (voice || !ev.audio_url)) {
      var u = new SpeechSynthesisUtterance(ev.text);
      u.lang = "zh-CN"; u.rate = 0.9;
      try { if (voice) { u.voice = voice; } } catch (e) { /* a non-native voice object */ }
      u.onend = done; u.onerror = done;
      try { window.speechSynthesis.speak(u); } catch (e) { done(); }
      return;
    }
    if (ev.audio_url) {
      audio.src = ev.audio_url;
      audio.onended = done; audio.onerror = done;
      var played = audio.play();
      if (played && played.catch) { played.catch(done); }
      return;
    }
    done();
  }

  function announce(ev) {
    if (queue.length >= MAX_QUEUE) { queue.shift(); }
    queue.push(ev);
    pump();
  }

  function text(el, value) { if (el) { el.textContent = value; } }

  function renderWindows(windows) {
    var box = document.getElementById("windows");
    box.textContent = "";
    windows.forEach(function (w) {
      var div = document.createElement("div");
      div.className = "hall-win state-" + w.state;
      div.dataset.window = w.code;
      var name = document.createElement("div"); name.className = "hall-win-name"; name.textContent = w.name;
      var num = document.createElement("div"); num.className = "hall-win-number mono"; num.textContent = w.ticket || "";
      div.appendChild(name); div.appendChild(num); box.appendChild(div);
    });
  }

  function recentItem(r) {
    var li = document.createElement("li");
    var n = document.createElement("span"); n.className = "mono"; n.textContent = r.number;
    var at = document.createElement("span"); at.className = "muted"; at.textContent = " " + r.at;
    li.appendChild(n); li.appendChild(document.createTextNode(" → " + r.window_number + "号窗口")); li.appendChild(at);
    return li;
  }

  function renderState(s) {
    renderWindows(s.windows || []);
    if (typeof s.waiting === "number") { text(document.getElementById("waiting-count"), String(s.waiting)); }
    var list = document.getElementById("recent");
    list.textContent = "";
    (s.recent || []).forEach(function (r) { list.appendChild(recentItem(r)); });
    if (s.recent && s.recent.length) {
      text(document.getElementById("latest-number"), s.recent[0].number);
      text(document.getElementById("latest-window"), String(s.recent[0].window_number));
    }
  }

  function onCall(ev) {
    var tile = document.querySelector('.hall-win[data-window="' + ev.window_code + '"]');
    if (tile) {
      text(tile.querySelector(".hall-win-number"), ev.number);
      tile.className = "hall-win state-open flash";
    }
    text(document.getElementById("latest-number"), ev.number);
    text(document.getElementById("latest-window"), String(ev.window_number));
    var latest = document.querySelector(".hall-latest");
    latest.classList.remove("flash"); void latest.offsetWidth; latest.classList.add("flash");
    var list = document.getElementById("recent");
    list.insertBefore(recentItem(ev), list.firstChild);
    while (list.children.length > MAX_RECENT) { list.removeChild(list.lastChild); }
    announce(ev);
  }

  function refresh() {
    fetch(stateUrl, { cache: "no-store" })
      .then(function (r) { return r.json(); }).then(renderState).catch(function () {});
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var socket = new WebSocket(proto + "//" + location.host + wsPath);
    ws = socket;
    var closed = false;
    socket.onopen = function () { backoff = 1000; lastMessage = Date.now(); setConn("online"); refresh(); };
    socket.onmessage = function (e) {
      lastMessage = Date.now();
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg.type === "call") { onCall(msg); } else if (msg.type === "window") { refresh(); }
    };
    socket.onclose = function () {
      if (closed) { return; }
      closed = true; setConn("offline");
      var delay = Math.min(backoff, 30000) * (0.8 + Math.random() * 0.4);
      backoff = Math.min(backoff * 2, 30000);
      setTimeout(connect, delay);
    };
    socket.onerror = function () { try { socket.close(); } catch (e) { /* already closed */ } };
  }

  setInterval(function () {
    if (ws && ws.readyState === 1) {
      ws.send(JSON.stringify({ type: "ping" }));
      if (Date.now() - lastMessage > 70000) { ws.close(); }
    }
  }, 25000);
  setInterval(refresh, 60000); // safety net if a push was missed
  function tick() {
    var now = new Date();
    var hh = String(now.getHours()).padStart(2, "0"), mm = String(now.getMinutes()).padStart(2, "0");
    text(document.getElementById("display-clock"), hh + ":" + mm);
  }
  tick();
  setInterval(tick, 15000);

  voiceButton.addEventListener("click", function () {
    voiceButton.hidden = true;
    if (window.speechSynthesis) {
      try { window.speechSynthesis.getVoices(); } catch (e) { /* ignore */ }
    }
  });
  window.hallDisplay = { announce: announce, refresh: refresh, socket: function () { return ws; } };
  connect();
})();
