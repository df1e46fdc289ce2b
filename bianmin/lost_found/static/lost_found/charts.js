/* Lost-and-found statistics (ECharts); data from the json_script block (no inline script: CSP). */
(function () {
  "use strict";
  var COLORS = ["#1f5fbf", "#1b7f3b", "#b86e00", "#7a3db8", "#c62828", "#0b3d91", "#5c6b7a"];
  function draw() {
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var d = JSON.parse(document.getElementById(el.dataset.source).textContent);
      var chart = window.echarts.init(el);
      if (el.dataset.chart === "monthly") {
        chart.setOption({
          color: COLORS, tooltip: { trigger: "axis" }, legend: { bottom: 0, type: "scroll" },
          grid: { left: 50, right: 20, top: 30, bottom: 56, containLabel: true },
          xAxis: { type: "category", data: d.months }, yAxis: { type: "value", name: "件" },
          series: d.series.map(function (s) { return { name: s.name, type: "bar", stack: "n", data: s.data }; })
        });
      } else {
        chart.setOption({
          color: ["#1b7f3b", "#b86e00"], tooltip: { trigger: "item" },
          series: [{ type: "pie", radius: ["40%", "70%"],
            data: [{ name: "已归还", value: d.returned[0] }, { name: "未归还", value: d.returned[1] }] }]
        });
      }
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
