// Charts for the reports pages, drawn with Chart.js from the figures the page already shows
// in tables (passed as JSON in <script type="application/json" id="report-charts">).
// Without JavaScript, or if Chart.js fails to load, the tables remain and nothing breaks.
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data;
  try { data = JSON.parse(source.textContent); } catch (e) { return; }
  // One palette, by meaning (reports/views.py TONES; the same as static/css/app.css): red is a
  // loss, orange a risk, blue neutral. Red and orange are hatched too, so colour is never the
  // only sign; every chart has a key or axis labels and its table beside it.
  var palette = {
    "neutral": { colour: "#1d70b8" },
    "neutral-light": { colour: "#5694ca" },
    "risk": { colour: "#f47738", stripe: "#b35a2a" },
    "loss": { colour: "#d4351c", stripe: "#942514" }
  };
  function fill(tone) {
    var entry = palette[tone] || palette.neutral;
    if (!entry.stripe) { return entry.colour; }
    var tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    var pen = tile.getContext("2d");
    pen.fillStyle = entry.colour;
    pen.fillRect(0, 0, 8, 8);
    pen.strokeStyle = entry.stripe;
    pen.lineWidth = 2;
    pen.beginPath(); pen.moveTo(0, 8); pen.lineTo(8, 0); pen.stroke();
    return pen.createPattern(tile, "repeat");
  }
  function line(tone) { return (palette[tone] || palette.neutral).colour; }
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
        datasets: spec.datasets.map(function (d) {
          var tones = typeof spec.tones === "string" ? d.data.map(function () { return spec.tones; }) : spec.tones;
          return {
            label: d.label, data: d.data,
            backgroundColor: tones.map(fill),
            borderColor: many ? "#ffffff" : (spec.type === "line" ? line(tones[0]) : tones.map(line)),
            borderWidth: many ? 2 : 1,
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
