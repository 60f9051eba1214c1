// The Calls page's stacked bar charts: every <canvas data-calls-chart="id"> from the JSON in
// <script id="id"> (json_script, routing/charts.py): named series with their own colours, a
// legend, axis titles. The page shows the same figures as a table for screen readers.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("canvas[data-calls-chart]").forEach(function (canvas) {
    const spec = JSON.parse(document.getElementById(canvas.dataset.callsChart).textContent);
    const axisTitle = function (text) {
      return { display: true, text: text, color: "#1f2937", font: { weight: "bold" } };
    };
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s) {
          return {
            label: s.label,
            data: s.data,
            backgroundColor: s.colour,
            borderColor: "#ffffff",
            borderWidth: 1,
          };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false, // the box's height (.calls-chart): legible on a phone too
        plugins: {
          title: { display: true, text: spec.title, color: "#1f2937" },
          legend: { display: true, position: "bottom", labels: { color: "#1f2937" } },
        },
        scales: {
          x: { stacked: true, title: axisTitle(spec.x_title), ticks: { color: "#374151" } },
          y: {
            stacked: true,
            beginAtZero: true,
            title: axisTitle(spec.y_title),
            ticks: { color: "#374151", precision: 0 },
          },
        },
      },
    });
  });
});
