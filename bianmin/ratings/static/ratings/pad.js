/* The rating pad: a websocket push ("a service just finished at this window") refreshes the
   pad at once; htmx polling every 5 s is the fallback when the socket is down. */
(function () {
  "use strict";
  var retry = 1000;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + location.host + "/ws/ratings/pad/");
    } catch (e) {
      return;
    }
    socket.onopen = function () { retry = 1000; };
    socket.onmessage = function (message) {
      var data = {};
      try { data = JSON.parse(message.data); } catch (e) { return; }
      if (data.type === "service") {
        document.body.dispatchEvent(new CustomEvent("pad-refresh"));
      }
    };
    socket.onclose = function () {
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
    setInterval(function () {
      if (socket.readyState === 1) { socket.send(JSON.stringify({ type: "ping" })); }
    }, 30000);
  }
  document.addEventListener("DOMContentLoaded", connect);
})();
