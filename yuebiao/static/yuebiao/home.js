// Counts by level on the home page, drawn with the Chart.js copy served from our own static files.
(function () {
  var el = document.getElementById("level-chart");
  var data = document.getElementById("level-data");
  if (!el || !data || !window.Chart) return;
  var rows = JSON.parse(data.textContent);
  new window.Chart(el, {
    type: "bar",
    data: {
      labels: rows.map(function (r) { return r.label; }),
      datasets: [{ data: rows.map(function (r) { return r.count; }), backgroundColor: "#b3261e" }]
    },
    options: { plugins: { legend: { display: false } }, animation: false, responsive: true,
      scales: { y: { beginAtZero: true } } }
  });
})();
