// The statistics page's charts (Chart.js, vendored in static/vendor/chartjs): each chart is drawn from the
// accessible table beside it, so chart and table always show the same figures. Without JavaScript the tables
// are the page.
(function () {
  "use strict";

  function readTable(table) {
    var columns = [];
    table.querySelectorAll("thead th").forEach(function (th, index) {
      if (th.dataset.series) columns.push({ index: index, label: th.textContent.trim() });
    });
    var labels = [];
    var values = columns.map(function () { return []; });
    table.querySelectorAll("tbody tr").forEach(function (tr) {
      var header = tr.querySelector("th[scope=row]");
      if (!header) return;
      labels.push(header.firstChild ? header.firstChild.textContent.trim() : header.textContent.trim());
      var cells = tr.children;
      columns.forEach(function (column, position) {
        var raw = cells[column.index] ? cells[column.index].dataset.value : "";
        values[position].push(raw === undefined || raw === "" ? null : Number(raw));
      });
    });
    return { labels: labels, columns: columns, values: values };
  }

  var COLOURS = ["#1e6fb3", "#c2410c", "#15803d", "#7c3aed"];

  function draw(container) {
    var table = document.getElementById(container.dataset.chartTable);
    if (!table || typeof window.Chart === "undefined") return;
    var data = readTable(table);
    if (!data.labels.length) return;
    var horizontal = container.dataset.chart === "horizontal";
    // A bar per row: the chart grows with the table (set through the CSSOM, which the CSP allows).
    if (horizontal) container.style.height = Math.max(200, 60 + data.labels.length * 30) + "px";
    container.hidden = false;
    new window.Chart(container.querySelector("canvas"), {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.columns.map(function (column, position) {
          return {
            label: column.label,
            data: data.values[position],
            backgroundColor: COLOURS[position % COLOURS.length],
            yAxisID: horizontal || position === 0 ? undefined : "second"
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: horizontal || data.columns.length < 2 ? {} : {
          y: { beginAtZero: true, position: "left", title: { display: true, text: data.columns[0].label } },
          second: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
                    title: { display: true, text: data.columns[1].label } }
        }
      }
    });
    container.dataset.drawn = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".chart[data-chart-table]").forEach(draw);
  });
})();
