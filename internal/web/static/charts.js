// Draws the charts of a page from the JSON data block beside each chart,
// so that pages need no inline script (see the content security policy).
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("results-chart");
  var data = document.getElementById("results-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  if (!d.units || d.units.length === 0) { el.hidden = true; return; }
  var colors = ["#2e7d32", "#7cb342", "#f9a825", "#c62828", "#6d4c41", "#455a64"];
  var series = d.series.map(function (s, i) {
    return { name: s.name, type: "bar", stack: "shares", data: s.data, itemStyle: { color: colors[i % colors.length] },
      emphasis: { focus: "series" } };
  });
  series.push({ name: d.score_label, type: "line", yAxisIndex: 1, data: d.scores, symbolSize: 8,
    itemStyle: { color: "#1565c0" }, label: { show: true, position: "top" } });
  el.style.height = Math.max(320, 40 + 28 * d.units.length) + "px";
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
    xAxis: { type: "category", data: d.units, axisLabel: { interval: 0, rotate: d.units.length > 6 ? 30 : 0 } },
    yAxis: [{ type: "value", max: 100, axisLabel: { formatter: "{value}%" } }, { type: "value", min: 0, max: 100 }],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
