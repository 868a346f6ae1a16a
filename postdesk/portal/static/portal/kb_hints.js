/* "These may help": while the public types a complaint, the public knowledge base's
   articles that may already answer it (GET /api/v1/public/kb/search — public, current
   articles only). Links open in the same tab; the form keeps what was typed (bfcache). */
(function () {
  "use strict";
  var box = document.querySelector("[data-kb-hints]");
  var field = document.querySelector(box && box.dataset.kbHints);
  if (!box || !field || !window.fetch) return;
  var list = box.querySelector("ul");
  var timer = null, asked = "", controller = null;

  function show(rows) {
    list.textContent = "";
    rows.forEach(function (row) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = box.dataset.article.replace(/\/0\/$/, "/" + row.id + "/");
      a.textContent = row.title;
      a.target = "_blank";
      a.rel = "noopener";
      li.appendChild(a);
      list.appendChild(li);
    });
    box.hidden = rows.length === 0;
  }

  function ask() {
    var text = field.value.trim().slice(0, 200);
    if (text.length < 4) { show([]); asked = ""; return; }
    if (text === asked) return;
    asked = text;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var url = box.dataset.api + "?limit=3&q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, signal: controller && controller.signal })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) { if (text === asked) show(Array.isArray(rows) ? rows : []); })
      .catch(function () {});
  }

  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 500);
  });
  if (field.value) ask();
})();
