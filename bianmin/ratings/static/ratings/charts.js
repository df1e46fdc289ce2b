/* Ratings figures (ECharts): ratings per day and the day's satisfaction rate. Data come from
   json_script blocks named by data-source; no inline script (CSP). */
(function () {
  "use strict";
  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart='days']").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var d = JSON.parse(source.textContent);
      echarts.init(el).setOption({
        color: ["#1f5fbf", "#c62828", "#1b7f3b"],
        tooltip: { trigger: "axis" },
        legend: { bottom: 0 },
        grid: { left: 50, right: 50, top: 30, bottom: 50, containLabel: true },
        xAxis: { type: "category", data: d.days },
        yAxis: [{ type: "value", name: "次" }, { type: "value", name: "%", min: 0, max: 100 }],
        series: [
          { name: "评价", type: "bar", data: d.rated },
          { name: "差评", type: "bar", data: d.bad },
          { name: "满意率", type: "line", yAxisIndex: 1, smooth: true, data: d.rates }
        ]
      });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
