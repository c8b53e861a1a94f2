/* Charts of the statistics page, drawn with Chart.js from the page's JSON block (#stats-chart-data).
   Each <canvas data-chart="KEY"> gets the chart KEY: {kind, labels, series: [{label, kind, values}]}.
   The tables under the charts hold the same numbers, so the page is complete without this script. */
(function () {
  "use strict";

  var COLORS = ["#256ef4", "#e0714a", "#2f9e77", "#8a63d2", "#d4a72c", "#6b7785"];
  var lang = document.documentElement.lang || "ko";

  function format(value, kind) {
    if (value === null || value === undefined) { return "-"; }
    if (kind === "days" || kind === "percent") {
      return Number(value).toLocaleString(lang, { maximumFractionDigits: 1 });
    }
    return Number(value).toLocaleString(lang);
  }

  function compact(value, kind) {
    if (kind === "won") {
      return new Intl.NumberFormat(lang, { notation: "compact", maximumFractionDigits: 1 }).format(value);
    }
    return format(value, kind);
  }

  /* One measure per chart, so one value axis: a count and an amount are two charts (report.py). */
  function datasets(spec) {
    return spec.series.map(function (series, index) {
      var color = COLORS[index % COLORS.length];
      var set = { label: series.label, data: series.values, kindOfValue: series.kind };
      if (spec.kind === "doughnut") {
        set.backgroundColor = series.values.map(function (_, i) { return COLORS[i % COLORS.length]; });
        return set;
      }
      set.backgroundColor = color;
      set.borderColor = color;
      return set;
    });
  }

  function options(spec) {
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var opts = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduced ? false : { duration: 400 },
      plugins: {
        legend: { display: spec.kind === "doughnut" || spec.series.length > 1, position: "bottom" }, /* one series: its axis names it */
        tooltip: {
          callbacks: {
            label: function (context) {
              var name = spec.kind === "doughnut" ? context.label : context.dataset.label;
              return name + ": " + format(context.raw, context.dataset.kindOfValue);
            }
          }
        }
      }
    };
    if (spec.kind === "doughnut") { return opts; }
    var valueAxis = spec.kind === "hbar" ? "x" : "y";
    var first = spec.series[0];
    opts.indexAxis = spec.kind === "hbar" ? "y" : "x";
    opts.scales = {};
    opts.scales[valueAxis] = {
      beginAtZero: true,
      title: { display: spec.series.length === 1, text: first.label },
      ticks: { callback: function (value) { return compact(value, first.kind); } }
    };
    return opts;
  }

  function draw() {
    var source = document.getElementById("stats-chart-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    document.documentElement.classList.add("dm-charts-on");
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var spec = charts[canvas.getAttribute("data-chart")];
      if (!spec) { return; }
      var type = spec.kind === "doughnut" ? "doughnut" : "bar";
      new window.Chart(canvas, {
        type: type,
        data: { labels: spec.labels, datasets: datasets(spec) },
        options: options(spec)
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
