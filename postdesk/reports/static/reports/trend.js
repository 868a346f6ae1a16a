// The month-end report's trend of the quality targets (ECharts; data in #trend-json).
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("trend");
  if (!window.echarts || !el) return;
  const data = JSON.parse(document.getElementById("trend-json").textContent);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: v => v == null ? "—" : (v * 100).toFixed(2) + "%" },
    legend: { top: 0 },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", min: v => Math.max(0, Math.floor(v.min * 10) / 10), max: 1,
             axisLabel: { formatter: v => (v * 100).toFixed(0) + "%" } },
    series: Object.keys(data.series).map(key => ({
      name: data.labels[key], type: "line", connectNulls: false, data: data.series[key],
    })),
  });
  window.addEventListener("resize", () => chart.resize());
});
