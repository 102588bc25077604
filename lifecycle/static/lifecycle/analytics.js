// The cycle-time dashboard's three charts, drawn with the Chart.js copy served from our own static files.
(function () {
  var source = document.getElementById("cycle-chart-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var L = data.labels;
  var BRAND = "#b3261e", OK = "#1f7a3d", GREY = "#9aa5b1", BLUE = "#0b5cad";
  var base = { animation: false, responsive: true, maintainAspectRatio: false };

  // A dashed vertical or horizontal line at the target, labelled, drawn after the datasets.
  function targetLine(axis, value, text) {
    return {
      id: "target-" + axis,
      afterDatasetsDraw: function (chart) {
        var scale = chart.scales[axis], area = chart.chartArea, ctx = chart.ctx, px;
        if (!scale) return;
        px = scale.getPixelForValue(value);
        if (!isFinite(px)) return;
        ctx.save();
        ctx.strokeStyle = BRAND; ctx.lineWidth = 2; ctx.setLineDash([6, 4]);
        ctx.beginPath();
        if (axis === "x") { ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); }
        else { ctx.moveTo(area.left, px); ctx.lineTo(area.right, px); }
        ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = BRAND; ctx.font = "12px sans-serif";
        if (axis === "x") { ctx.textAlign = "left"; ctx.fillText(text, Math.min(px + 4, area.right - 60), area.top + 12); }
        else { ctx.textAlign = "right"; ctx.fillText(text, area.right - 2, px - 4); }
        ctx.restore();
      }
    };
  }

  var stageEl = document.getElementById("stage-chart");
  if (stageEl && data.stages.length) {
    new window.Chart(stageEl, {
      type: "bar",
      data: {
        labels: data.stages.map(function (s) { return s.label; }),
        datasets: [{
          label: L.mean_days,
          data: data.stages.map(function (s) { return s.mean; }),
          backgroundColor: data.stages.map(function (s) { return s.in_cycle ? BRAND : GREY; })
        }]
      },
      options: Object.assign({}, base, {
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { afterLabel: function (item) {
            var s = data.stages[item.dataIndex];
            return L.median_days + ": " + s.median + (s.in_cycle ? "" : " (" + L.other + ")");
          } } }
        },
        scales: { y: { beginAtZero: true, title: { display: true, text: L.mean_days } },
                  x: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 0 } } }
      })
    });
  }

  var histEl = document.getElementById("histogram-chart");
  if (histEl && data.histogram.length) {
    var target = data.target_months;
    new window.Chart(histEl, {
      type: "bar",
      data: {
        labels: data.histogram.map(function (h) { return String(h.months); }),
        datasets: [{
          label: L.projects,
          data: data.histogram.map(function (h) { return h.count; }),
          backgroundColor: data.histogram.map(function (h) { return h.months >= target ? BRAND : OK; }),
          barPercentage: 1.0, categoryPercentage: 0.95
        }]
      },
      options: Object.assign({}, base, {
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: L.months } },
                  y: { beginAtZero: true, title: { display: true, text: L.projects } } }
      }),
      // Bin m holds m ≤ months < m + 1: the target sits on the left edge of its own bin.
      plugins: [targetLine("x", target - 0.5, L.target + " " + target)]
    });
  }

  var trendEl = document.getElementById("trend-chart");
  if (trendEl && data.trend.length) {
    new window.Chart(trendEl, {
      type: "line",
      data: {
        labels: data.trend.map(function (y) { return String(y.year); }),
        datasets: [{
          label: L.mean_months,
          data: data.trend.map(function (y) { return y.mean_months; }),
          borderColor: BLUE, backgroundColor: BLUE, tension: 0.2, pointRadius: 3
        }]
      },
      options: Object.assign({}, base, {
        plugins: { legend: { display: false } },
        scales: { x: { title: { display: true, text: L.year } },
                  y: { beginAtZero: true, suggestedMax: data.target_months * 1.3,
                       title: { display: true, text: L.mean_months } } }
      }),
      plugins: [targetLine("y", data.target_months, L.target + " " + data.target_months)]
    });
  }
})();
