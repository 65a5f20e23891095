// The hand-off dashboard's on-time rates chart (data from the page's json_script).
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  new Chart(document.getElementById("rates-chart"), {
    type: "bar",
    data: {labels: data.labels, datasets: [
      {label: data.xxx_label, data: data.xxx, backgroundColor: "#0b5394"},
      {label: data.finance_label, data: data.finance, backgroundColor: "#6aa84f"},
    ]},
    options: {responsive: true, maintainAspectRatio: false,
      scales: {y: {min: 0, max: 100, ticks: {callback: (v) => v + "%"}}},
      plugins: {tooltip: {callbacks: {label: (c) => c.dataset.label + "：" + (c.raw === null ? "—" : c.raw + "%")}}}},
  });
})();
