/* Report sections' bar charts (ECharts); data from json_script blocks (no inline script: CSP). */
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll(".report-chart[data-source]").forEach(function (el) {
      var d = JSON.parse(document.getElementById(el.dataset.source).textContent);
      var chart = window.echarts.init(el);
      chart.setOption({
        color: ["#1f5fbf", "#9fb0c8"], tooltip: { trigger: "axis" }, legend: { bottom: 0 },
        grid: { left: 40, right: 16, top: 24, bottom: 48, containLabel: true },
        xAxis: { type: "category", data: d.labels }, yAxis: { type: "value", name: d.unit },
        series: d.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
