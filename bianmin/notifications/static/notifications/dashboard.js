// 短信平台: monthly totals per template and the pickup-days distribution (ECharts).
(function () {
  "use strict";
  var source = document.getElementById("sms-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var monthly = document.getElementById("sms-monthly");
  if (monthly) {
    var chart = echarts.init(monthly);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: data.series.map(function (s) { return s.name;, bottom: 0, type: "scroll" }) },
      grid: { left: 40, right: 20, top: 30, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "sms", data: s.data };
      })
    });
    charts.push(chart);
  }
  var pickup = document.getElementById("sms-pickup");
  if (pickup) {
    var goal = data.goal;
    var chart2 = echarts.init(pickup);
    chart2.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 20, top: 30, bottom: 30 },
      xAxis: { type: "category", name: "工作日", data: data.pickup_labels },
      yAxis: { type: "value", name: "件", minInterval: 1 },
      series: [{
        type: "bar",
        data: data.pickup_buckets.map(function (v, i) {
          return { value: v, itemStyle: { color: i <= goal ? "#2e7d4f" : "#c0392b" } };
        })
      }]
    });
    charts.push(chart2);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
}());
