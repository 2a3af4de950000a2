/* The IB dashboard's charts: one fetch of the chart JSON for the period shown, drawn with Chart.js
   (served from our own static files). The data stays on `window.ibChartData` and the container gets
   `data-ready` once drawn (the browser test reads both). */
(function () {
  "use strict";
  var container = document.getElementById("ib-charts");
  if (!container || typeof Chart === "undefined") { return; }
  var label = function (name) { return container.dataset["label" + name]; };
  var numbers = function (values) { return values.map(Number); };
  var names = function (rows) { return rows.map(function (row) { return row.name; }); };
  var draw = function (id, config) {
    config.options = Object.assign({ responsive: true, animation: false }, config.options || {});
    return new Chart(document.getElementById(id), config);
  };

  fetch(container.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("chart data: " + response.status); }
      return response.json();
    })
    .then(function (data) {
      window.ibChartData = data;
      draw("chart-commission-lots", {
        type: "bar",
        data: {
          labels: data.days,
          datasets: [
            { type: "bar", label: label("Commission"), data: numbers(data.commission_earned), yAxisID: "amount" },
            { type: "line", label: label("Lots"), data: numbers(data.lots), yAxisID: "lots" }
          ]
        },
        options: { scales: { amount: { position: "left" }, lots: { position: "right", grid: { drawOnChartArea: false } } } }
      });
      draw("chart-funds", {
        type: "bar",
        data: {
          labels: data.days,
          datasets: [
            { label: label("Deposits"), data: numbers(data.deposits) },
            { label: label("Withdrawals"), data: numbers(data.withdrawals) }
          ]
        }
      });
      draw("chart-top-lots", {
        type: "bar",
        data: { labels: names(data.top_clients_by_lots), datasets: [{ label: label("ClientLots"), data: numbers(data.top_clients_by_lots.map(function (row) { return row.value; })) }] },
        options: { indexAxis: "y" }
      });
      draw("chart-top-commission", {
        type: "bar",
        data: { labels: names(data.top_clients_by_commission), datasets: [{ label: label("ClientCommission"), data: numbers(data.top_clients_by_commission.map(function (row) { return row.value; })) }] },
        options: { indexAxis: "y" }
      });
      container.dataset.ready = "true";
    })
    .catch(function (error) {
      container.dataset.ready = "error";
      if (window.console) { console.error(error); }
    });
})();
