// Draws the dashboards' charts. Each chart element (.dash-chart) takes its
// numbers from the JSON block whose id is its own plus "-data", since the
// content security policy forbids inline script; the table after it holds
// the same numbers. Every label arrives translated.
(function () {
  "use strict";
  var palette = ["#1565c0", "#c62828", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#ef6c00", "#5d4037", "#455a64", "#ad1457"];

  function color(d, i) { return (d.colors || palette)[i % (d.colors || palette).length]; }

  // Long category names are cut in the axis, an area's at its colon
  // ("政治建设：党的全面领导…"); the table holds them whole.
  // n is a width in Latin letters; a Chinese character counts as two.
  function short(n) {
    return function (s) {
      s = s.split(/[：:]/)[0];
      var w = 0, out = "";
      for (var i = 0; i < s.length; i++) {
        w += s.charCodeAt(i) > 0x2e80 ? 2 : 1;
        if (w > n) return out + "…";
        out += s.charAt(i);
      }
      return out;
    };
  }

  // tall gives a chart with a row per category room for every row.
  function tall(el, rows, per, extra) {
    el.style.height = Math.max(220, extra + rows * per) + "px";
  }

  var build = {
    // Vertical bars, one colour per series, the value on top.
    bar: function (d) {
      return {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 8, bottom: 8, top: 28, containLabel: true },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, formatter: short(16), rotate: d.labels.length > 5 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: d.series.map(function (s, i) {
          return { name: s.name, type: "bar", data: s.data, barMaxWidth: 44, itemStyle: { color: color(d, i) },
            label: { show: true, position: "top" } };
        })
      };
    },
    // Horizontal stacked bars, the first category on top.
    stack: function (d, el) {
      tall(el, d.labels.length, 34, 70);
      return {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { top: 0 },
        grid: { left: 8, right: 24, bottom: 8, top: 32, containLabel: true },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: d.labels, axisLabel: { formatter: short(20) } },
        series: d.series.map(function (s, i) {
          return { name: s.name, type: "bar", stack: "all", data: s.data, barMaxWidth: 26, itemStyle: { color: color(d, i) },
            label: { show: true, formatter: function (p) { return p.value ? p.value : ""; } }, labelLayout: { hideOverlap: true } };
        })
      };
    },
    // The stages in their order, each as wide as the items that reached it.
    funnel: function (d) {
      var s = d.series[0];
      return {
        tooltip: { trigger: "item", formatter: "{b}: {c}" },
        series: [{ name: s.name, type: "funnel", sort: "none", left: "4%", width: "56%", top: 12, bottom: 12,
          minSize: "6%", gap: 3, label: { show: true, position: "right", formatter: "{b}  {c}", color: "#333" },
          labelLine: { show: true },
          data: d.labels.map(function (l, i) { return { name: l, value: s.data[i], itemStyle: { color: color(d, i) } }; }) }]
      };
    },
    // Rows (units) by columns (days overdue), white to deep red.
    heatmap: function (d, el) {
      var cells = [], top = 1;
      d.series.forEach(function (s, y) {
        s.data.forEach(function (v, x) { cells.push([x, y, v]); top = Math.max(top, v || 0); });
      });
      tall(el, d.labels.length, 30, 90);
      return {
        tooltip: { formatter: function (p) { return d.labels[p.value[1]] + "<br>" + d.columns[p.value[0]] + ": " + p.value[2]; } },
        grid: { left: 8, right: 16, bottom: 48, top: 8, containLabel: true },
        xAxis: { type: "category", data: d.columns, position: "top", splitArea: { show: true },
          axisLabel: { interval: 0, overflow: "break", width: Math.max(48, el.clientWidth * 0.7 / d.columns.length) } },
        yAxis: { type: "category", data: d.labels, inverse: true, splitArea: { show: true }, axisLabel: { interval: 0, formatter: short(24) } },
        visualMap: { min: 0, max: top, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, text: [String(top), "0"],
          inRange: { color: ["#f7f7f7", "#ffab91", "#e64a19", "#b71c1c"] } },
        series: [{ type: "heatmap", data: cells, itemStyle: { borderColor: "#fff", borderWidth: 2 },
          label: { show: true, formatter: function (p) { return p.value[2] ? p.value[2] : ""; } },
          emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }]
      };
    },
    // Lines (and bars) over the years, against one or two axes.
    lines: function (d) {
      var axes = (d.axes || [{ name: "" }]).map(function (a, i) {
        var y = { type: "value", name: a.name, nameTextStyle: { align: i ? "right" : "left" }, min: 0 };
        if (a.max) y.max = a.max; else y.minInterval = 1; // an axis without a top counts
        return y;
      });
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0, type: "scroll" },
        grid: { left: 8, right: 8, bottom: 8, top: 56, containLabel: true },
        xAxis: { type: "category", data: d.labels },
        yAxis: axes,
        series: d.series.map(function (s, i) {
          var o = { name: s.name, type: s.type || "line", yAxisIndex: s.axis || 0, data: s.data, itemStyle: { color: color(d, i) } };
          if (o.type === "line") { o.connectNulls = true; o.symbolSize = 8; } else { o.barMaxWidth = 36; }
          return o;
        })
      };
    }
  };

  function draw(el, charts) {
    var src = document.getElementById(el.id + "-data");
    if (!src) return;
    var d = JSON.parse(src.textContent);
    if (!build[d.kind] || !d.labels || d.labels.length === 0) { el.hidden = true; return; }
    var option = build[d.kind](d, el);
    option.animation = false;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) return;
    var charts = [];
    document.querySelectorAll(".dash-chart").forEach(function (el) { draw(el, charts); });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
