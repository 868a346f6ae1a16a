// 我的导出: each export still queued or running polls GET /api/v1/exports/{id} every two
// seconds and updates its status, progress bar, rows and, once done, the download link.
(function () {
  "use strict";
  var labels = document.getElementById("export-labels");
  function label(status) {
    return (labels && labels.dataset[status]) || status;
  }
  function poll(row) {
    fetch(row.dataset.export, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (!state) return;
        row.querySelector("[data-part=status]").textContent = label(state.status);
        row.querySelector("[data-part=progress]").value = state.progress;
        row.querySelector("[data-part=rows]").textContent = state.rows;
        if (state.download) {
          var link = document.createElement("a");
          link.href = state.download;
          link.textContent = label("download");
          var cell = row.querySelector("[data-part=download]");
          cell.textContent = "";
          cell.appendChild(link);
        }
        if (state.status === "queued" || state.status === "running") {
          setTimeout(function () { poll(row); }, 2000);
        }
      })
      .catch(function () { setTimeout(function () { poll(row); }, 5000); });
  }
  document.querySelectorAll("tr[data-export]").forEach(poll);
})();
