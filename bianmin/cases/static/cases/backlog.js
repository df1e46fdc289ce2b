// 积压看板: the daily trend (ECharts). Data comes from the json_script element.
(function () {
  "use strict";
  var holder = document.getElementById("backlog-trend");
  var source = document.getElementById("backlog-trend-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: ["积压", "受理", "办结"], bottom: 0, type: "scroll" },
    grid: { left: 40, right: 20, top: 30, bottom: 56, containLabel: true },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: "积压", type: "line", data: data.backlog, smooth: true, areaStyle: { opacity: 0.15 } },
      { name: "受理", type: "bar", data: data.accepted },
      { name: "办结", type: "bar", data: data.concluded }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
}());
