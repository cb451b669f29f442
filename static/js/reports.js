// Charts for the reports pages, drawn with Chart.js from the figures the page already shows
// in tables (passed as JSON in <script type="application/json" id="report-charts">).
// Without JavaScript, or if Chart.js fails to load, the tables remain and nothing breaks.
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }
  var colours = ["#1d70b8", "#f47738", "#00703c", "#d4351c", "#4c2c92", "#28a197", "#b58840", "#912b88"];
  (data.charts || []).forEach(function (spec) {
    var holder = document.querySelector('[data-chart="' + spec.id + '"]');
    if (!holder || !spec.labels.length) { return; }
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", (spec.datasets[0] && spec.datasets[0].label || "") + ": " + "chart of the figures in the table beside it");
    holder.classList.add("app-chart--drawn");
    // A chart with one bar per local authority grows with them (set through the CSSOM, which
    // the content security policy allows; there are no inline styles).
    if (spec.height) { holder.style.height = spec.height + "px"; }
    holder.appendChild(canvas);
    var many = spec.type === "doughnut";
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d, i) {
          return {
            label: d.label, data: d.data,
            backgroundColor: many ? colours.slice(0, d.data.length) : colours[i % colours.length],
            borderColor: many ? "#ffffff" : colours[i % colours.length],
            fill: false, tension: 0.2
          };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { legend: { display: many || spec.datasets.length > 1 } },
        scales: many ? {} : spec.horizontal ? {
          x: { beginAtZero: true, stacked: !!spec.stacked },
          y: { stacked: !!spec.stacked }
        } : { y: { beginAtZero: true, title: { display: !!spec.y, text: spec.y } } }
      }
    });
  });
})();
