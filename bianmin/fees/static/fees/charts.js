/* Fees charts (ECharts): the savings ledger by month and policy, a campaign's days.
   Data come from json_script blocks named by data-source; no inline script needed (CSP). */
(function () {
  "use strict";
  var COLORS = ["#1f5fbf", "#1b7f3b", "#b86e00", "#7a3db8", "#c62828", "#0b3d91"];

  function data(el) {
    var source = document.getElementById(el.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function ledger(el, d) {
    return {
      color: COLORS,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " 元"; } },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 60, right: 20, top: 30, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", name: "元" },
      series: d.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "saved", data: s.data };
      })
    };
  }

  function campaign(el, d) {
    return {
      color: COLORS,
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 60, right: 60, top: 30, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: d.days },
      yAxis: [{ type: "value", name: "办件" }, { type: "value", name: "元" }],
      series: [
        { name: "办件", type: "bar", data: d.cases },
        { name: "节约（元）", type: "line", yAxisIndex: 1, smooth: true, data: d.saved }
      ]
    };
  }

  var BUILDERS = { ledger: ledger, campaign: campaign };

  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = BUILDERS[el.dataset.chart];
      var d = data(el);
      if (!build || !d) { return; }
      var chart = window.echarts.init(el);
      chart.setOption(build(el, d));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
