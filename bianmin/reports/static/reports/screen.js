/* 大屏: redraws from one JSON dict. Live: the hall display's websocket tells us when a ticket
   is called or a window changes, and we fetch the dict again; when the socket is down we poll.
   Every panel reads keys of the same dict (arrivals with the planner's forecast, satisfaction …). */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  var hourly, waiting, visits, socket = null, pending = null, backoff = 1000;
  var SLOW_POLL = 60000, FAST_POLL = 10000; // arrivals are not pushed: a slow poll adds them

  function render(d) {
    root.querySelectorAll("[data-key]").forEach(function (el) {
      if (d[el.dataset.key] !== undefined) { el.textContent = d[el.dataset.key]; }
    });
    hourly.setOption({
      xAxis: { data: d.hours.map(function (h) { return h + "时"; }) },
      series: [{ name: "来访", data: d.arrivals_by_hour }, { name: "预测", data: d.forecast_by_hour }]
    });
    visits.setOption({
      series: [{ name: "上门", data: d.home_visits.map(function (v) {
        return { name: v.town, value: [v.x, v.y, v.planned, v.done] };
      }) }]
    });
    waiting.setOption({
      yAxis: { data: d.waiting_by_category.map(function (c) { return c.label; }) },
      series: [{ name: "等候", data: d.waiting_by_category.map(function (c) { return c.waiting; }) }]
    });
  }

  function refresh() {
    pending = null;
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { render(d); } })
      .catch(function () {});
  }

  function soon() { if (!pending) { pending = setTimeout(refresh, 500); } }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try { socket = new WebSocket(scheme + location.host + root.dataset.ws); } catch (e) { socket = null; return; }
    socket.onopen = function () { backoff = 1000; document.getElementById("screen-live").classList.add("on"); };
    socket.onmessage = function () { soon(); };
    socket.onclose = function () {
      document.getElementById("screen-live").classList.remove("on");
      socket = null;
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 60000);
    };
  }

  function poll() {
    refresh();
    setTimeout(poll, socket && socket.readyState === 1 ? SLOW_POLL : FAST_POLL);
  }

  function start() {
    var axis = { axisLabel: { color: "#c9d6ea", fontSize: 18 }, axisLine: { lineStyle: { color: "#3a5483" } } };
    hourly = window.echarts.init(document.getElementById("chart-hourly"), "dark", { renderer: "canvas" });
    hourly.setOption({
      backgroundColor: "transparent", color: ["#4fc3f7", "#ffb74d"], legend: { textStyle: { color: "#c9d6ea", fontSize: 18 } },
      tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 40, bottom: 40 },
      xAxis: Object.assign({ type: "category", data: [] }, axis), yAxis: Object.assign({ type: "value" }, axis),
      series: [{ name: "来访", type: "bar", data: [] },
               { name: "预测", type: "line", smooth: true, connectNulls: true, data: [] }]
    });
    waiting = window.echarts.init(document.getElementById("chart-waiting"), "dark", { renderer: "canvas" });
    waiting.setOption({
      backgroundColor: "transparent", color: ["#81c784"], tooltip: {}, grid: { left: 90, right: 30, top: 20, bottom: 30 },
      xAxis: Object.assign({ type: "value" }, axis), yAxis: Object.assign({ type: "category", data: [] }, axis),
      series: [{ name: "等候", type: "bar", data: [], label: { show: true, color: "#fff", fontSize: 18, position: "right" } }]
    });
    visits = window.echarts.init(document.getElementById("chart-visits"), "dark", { renderer: "canvas" });
    visits.setOption({
      backgroundColor: "transparent", color: ["#ffb74d"], grid: { left: 50, right: 30, top: 20, bottom: 40 },
      tooltip: { formatter: function (p) { return p.name + "：计划 " + p.value[2] + "，已上门 " + p.value[3]; } },
      xAxis: Object.assign({ type: "value", name: "东西(km)" }, axis), yAxis: Object.assign({ type: "value", name: "南北(km)" }, axis),
      series: [{ name: "上门", type: "scatter", data: [],
                 symbolSize: function (v) { return 14 + 8 * v[2]; },
                 label: { show: true, formatter: function (p) { return p.name + " " + p.value[3] + "/" + p.value[2]; }, color: "#fff", fontSize: 16, position: "top" } }]
    });
    render(JSON.parse(document.getElementById("screen-data").textContent));
    window.addEventListener("resize", function () { hourly.resize(); waiting.resize(); visits.resize(); });
    connect();
    setTimeout(poll, FAST_POLL);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
