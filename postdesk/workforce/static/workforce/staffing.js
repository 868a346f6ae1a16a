// postdesk workforce: the requirement chart (forecast calls, agents needed, staff to
// schedule per half hour over the forecast days), drawn with the vendored ECharts.
(function () {
  const el = document.getElementById("req-chart");
  const data = document.getElementById("req-data");
  if (!el || !data || !window.echarts) return;
  const d = JSON.parse(data.textContent);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 32, bottom: 56 },
    dataZoom: [{ type: "inside" }, { type: "slider", height: 18, bottom: 8 }],
    xAxis: { type: "category", data: d.labels },
    yAxis: [{ type: "value", name: el.dataset.callsLabel }, { type: "value", name: el.dataset.scheduledLabel }],
    series: [
      { name: el.dataset.callsLabel, type: "line", showSymbol: false, data: d.calls },
      { name: el.dataset.agentsLabel, type: "bar", yAxisIndex: 1, data: d.agents },
      { name: el.dataset.scheduledLabel, type: "line", step: "middle", yAxisIndex: 1, showSymbol: false, data: d.scheduled },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();
