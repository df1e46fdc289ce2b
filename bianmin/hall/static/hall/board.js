/* Hall board chart (ECharts): arrivals per hour and waiting per category; redrawn after each
   htmx refresh of the live fragment. */
(function () {
  "use strict";
  var chart = null;
  function draw() {
    var holder = document.getElementById("board-chart");
    var data = document.getElementById("board-chart-data");
    if (!holder || !data || !window.echarts) { return; }
    var d = JSON.parse(data.textContent);
    if (chart) { chart.dispose(); }
    chart = window.echarts.init(holder);
    chart.setOption({
      animation: false,
      grid: { left: 10, right: 10, top: 16, bottom: 40, containLabel: true },
      tooltip: { trigger: "axis" },
      legend: { data: ["到达人数"], bottom: 0 },
      xAxis: { type: "category", data: d.hours },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "到达人数", type: "bar", data: d.arrivals, itemStyle: { color: "#1f5fbf" } }]
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("load", draw);
  document.body.addEventListener("htmx:afterSwap", draw);
})();
