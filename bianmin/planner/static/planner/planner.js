/* The staffing planner's charts (ECharts); data from the json_script block (no inline script: CSP). */
(function () {
  "use strict";
  var COLORS = ["#1f5fbf", "#c62828", "#1b7f3b", "#b86e00", "#7a3db8", "#5c6b7a"];
  function line(name, data, extra) {
    return Object.assign({ name: name, type: "line", data: data, connectNulls: true }, extra || {});
  }
  function options(kind, d) {
    var base = { color: COLORS, tooltip: { trigger: "axis" }, legend: { bottom: 0, type: "scroll" },
      grid: { left: 50, right: 50, top: 30, bottom: 56, containLabel: true } };
    if (kind === "need") {
      return Object.assign(base, {
        xAxis: { type: "category", data: d.hours },
        yAxis: [{ type: "value", name: "人" }, { type: "value", name: "%", min: 0, max: 100 }],
        series: [
          { name: "全科需要", type: "bar", data: d.pooled },
          { name: "专科需要", type: "bar", data: d.specialized },
          line("预计到达", d.arrivals, { yAxisIndex: 0, lineStyle: { type: "dotted" } }),
          line("模型比例", d.erlang, { yAxisIndex: 1 }),
          line("模拟比例（全科）", d.simulated, { yAxisIndex: 1 })
        ]
      });
    }
    if (kind === "history") {
      return Object.assign(base, {
        xAxis: { type: "category", data: d.history_days }, yAxis: { type: "value", name: "人次" },
        series: [line("预测", d.history_forecast), { name: "实际", type: "bar", data: d.history_actual }]
      });
    }
    return Object.assign(base, {
      xAxis: { type: "category", data: d.accuracy_days },
      yAxis: { type: "value", name: "%", min: 0, max: 100 },
      series: [line("模型预测", d.accuracy_predicted), line("模拟", d.accuracy_simulated),
        line("大厅实际", d.accuracy_actual), line("目标", d.accuracy_days.map(function () { return d.target; }),
          { symbol: "none", lineStyle: { type: "dashed" } })]
    });
  }
  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var d = JSON.parse(document.getElementById(el.dataset.source).textContent);
      var chart = window.echarts.init(el);
      chart.setOption(options(el.dataset.chart, d));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
