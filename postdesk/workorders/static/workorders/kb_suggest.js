// The new-order form: knowledge-base articles for the caller's problem appear while the
// agent types the title or the description (debounced; the staff suggestion fragment).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("kb-suggest");
    if (!box) return;
    var form = box.closest("form");
    var url = box.getAttribute("data-suggest-url");
    var timer = null, asked = "", seq = 0;
    function query() {
      var parts = ["title", "description"].map(function (name) {
        var field = form.querySelector("[name=" + name + "]");
        return field ? field.value.trim() : "";
      });
      return parts.filter(Boolean).join(" ").slice(0, 200);
    }
    function ask() {
      var q = query();
      if (q === asked) return;
      asked = q;
      var mine = ++seq;
      fetch(url + "?" + new URLSearchParams({ q: q }), {
        credentials: "same-origin",
        headers: { "HX-Request": "true" },
      })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          if (mine === seq) box.innerHTML = html;
        })
        .catch(function () {});
    }
    form.addEventListener("input", function (e) {
      if (e.target.name !== "title" && e.target.name !== "description") return;
      clearTimeout(timer);
      timer = setTimeout(ask, 400);
    });
    if (query()) ask();
  });
})();
