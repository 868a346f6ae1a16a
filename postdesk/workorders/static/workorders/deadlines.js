// Keeps the order page's deadline countdowns live (the same wording as deadlines.format_span).
(function () {
  "use strict";
  function span(seconds, units) {
    var minutes = Math.ceil(Math.max(seconds, 0) / 60);
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d) return d + " " + units[0] + " " + h + " " + units[1];
    if (h) return h + " " + units[1] + " " + m + " " + units[2];
    return m + " " + units[2];
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due-ms]").forEach(function (el) {
      var due = Number(el.dataset.dueMs), units = el.dataset.units.split("|");
      var left = due - now;
      var tpl = left > 0 ? el.dataset.left : el.dataset.late;
      el.textContent = tpl.replace("%(span)s", span(Math.abs(left) / 1000, units));
      el.dataset.live = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 15000);
  });
})();
