// Draws every <canvas data-chart="id"> from the JSON in <script id="id"> (json_script).
document.addEventListener("DOMContentLoaded", function () {
  const palette = ["#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#e53935", "#00897b"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const datasets = spec.datasets.map(function (d, i) {
      const colour = palette[i % palette.length];
      return Object.assign({
        backgroundColor: spec.type === "bar" ? spec.labels.map((_, j) => palette[j % palette.length]) : colour,
        borderColor: colour,
        borderDash: i > 0 && spec.type === "line" ? [6, 4] : [],
        pointRadius: spec.type === "line" ? 2 : undefined,
      }, d);
    });
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        plugins: { title: { display: true, text: spec.title }, legend: { display: spec.type === "line" } },
        scales: { y: { beginAtZero: true } },
      },
    });
  });
});
