/* The center's line, pushed (hall/live.py): position page, hall board, officer's pool count.

   One element carries the settings: <div id="hall-live" data-ws="/ws/hall/TG/line/" ...>.
   While the socket is open every change of the line arrives as ONE message for the whole
   center: {"type": "line", "waiting": {"A001": [ahead, minutes], ...}, "called": {"A002":
   "3号窗口"}, "refresh_in": seconds}. The position page (data-number) updates its own numbers
   in place and shows its call at once; the board and the workspace (data-refresh, a selector)
   fetch their fragment once per message. While the socket is down the pages poll their
   fragment every data-poll ms, as before; the socket reconnects with backoff and the polling
   stops. No inline script, no eval (CSP). */
(function () {
  "use strict";
  var root = document.getElementById("hall-live");
  if (!root || !window.WebSocket) { return; }
  var wsPath = root.dataset.ws;
  var pollMs = parseInt(root.dataset.poll || "5000", 10);
  var myNumber = root.dataset.number || "";
  var refreshSelector = root.dataset.refresh || "";
  var backoff = 1000, ws = null, online = false, lastMessage = Date.now();
  var pollTimer = null, askTimer = null, refreshTimer = null;

  function fragments() {
    var found = [];
    if (myNumber) { var live = document.getElementById("live"); if (live) { found.push(live); } }
    if (refreshSelector) {
      var nodes = document.querySelectorAll(refreshSelector);
      for (var i = 0; i < nodes.length; i++) { found.push(nodes[i]); }
    }
    return found;
  }

  /* Ask htmx to fetch a fragment again (hx-trigger="hall-refresh" on it). */
  function refresh() {
    if (!window.htmx) { return; }
    fragments().forEach(function (el) { window.htmx.trigger(el, "hall-refresh"); });
  }

  function setOnline(value) {
    online = value;
    root.dataset.state = value ? "online" : "offline";
    if (value) {
      if (pollTimer) { clearTimeout(pollTimer); clearInterval(pollTimer); pollTimer = null; }
    } else if (!pollTimer) {
      // poll as before until the socket is back; the first poll at a random moment within one
      // period, so a thousand pages losing the server together do not all ask at once (most
      // reconnect first and catch up from the line sent on connect)
      pollTimer = setTimeout(function () {
        refresh();
        pollTimer = setInterval(refresh, pollMs);
      }, Math.random() * pollMs);
    }
  }

  function text(el, value) { if (el) { el.textContent = value; } }

  /* The position page: its own number picked from the center's message. */
  function showPosition(msg) {
    var live = document.getElementById("live");
    if (!live) { return; }
    var status = live.dataset.status;
    var waiting = msg.waiting || {}, called = msg.called || {};
    if (Object.prototype.hasOwnProperty.call(called, myNumber)) {
      if (status === "called" && live.dataset.window === called[myNumber]) { return; }
      if (status !== "waiting" && status !== "called") { refresh(); return; }
      var tpl = document.getElementById("live-called-template");
      var slot = live.querySelector("[data-live-state]");
      if (!tpl || !slot) { refresh(); return; }
      var shown = tpl.content.cloneNode(true);
      text(shown.querySelector("[data-live-window]"), called[myNumber]);
      slot.textContent = "";
      slot.appendChild(shown);
      live.dataset.status = "called";
      live.dataset.window = called[myNumber];
      live.className = live.className.replace(/\bstatus-\S+/, "status-called");
      return;
    }
    if (Object.prototype.hasOwnProperty.call(waiting, myNumber)) {
      if (status !== "waiting") { refresh(); return; } // back in the line (put back, transferred)
      var spot = waiting[myNumber];
      text(live.querySelector("[data-live-ahead]"), String(spot[0]));
      text(live.querySelector("[data-live-minutes]"), String(spot[1]));
      var near = live.querySelector("[data-live-near]");
      if (near) { near.hidden = spot[0] > parseInt(live.dataset.near || "0", 10); }
      return;
    }
    // neither waiting nor called any more (finished, no-show, parked): the page asks once
    if (status === "waiting" || status === "called") { refresh(); }
  }

  function onLine(msg) {
    if (myNumber) { showPosition(msg); }
    if (refreshSelector) {
      // officers and shift leaders are few: each asks for its fragment once, spread a little
      if (refreshTimer) { clearTimeout(refreshTimer); }
      refreshTimer = setTimeout(refresh, 200 + Math.random() * 600);
    }
    // the waiting limit reorders the line with no write: ask the socket again by then
    if (askTimer) { clearTimeout(askTimer); }
    var after = Math.max(1, msg.refresh_in || 600) * 1000 + Math.random() * 5000;
    askTimer = setTimeout(function () {
      if (ws && ws.readyState === 1) { ws.send(JSON.stringify({ type: "line" })); }
    }, after);
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    var socket = new WebSocket(proto + "//" + location.host + wsPath);
    ws = socket;
    var closed = false;
    socket.onopen = function () { backoff = 1000; lastMessage = Date.now(); setOnline(true); };
    socket.onmessage = function (e) {
      lastMessage = Date.now();
      var msg;
      try { msg = JSON.parse(e.data); } catch (err) { return; }
      if (msg && msg.type === "line") { onLine(msg); }
    };
    socket.onclose = function () {
      if (closed) { return; }
      closed = true;
      setOnline(false);
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

  window.hallLive = {
    socket: function () { return ws; },
    online: function () { return online; }
  };
  root.dataset.state = "connecting";
  connect();
  // a socket that neither opens nor fails (a proxy holding it): poll meanwhile
  setTimeout(function () { if (!online && !pollTimer) { setOnline(false); } }, 10000);
})();
