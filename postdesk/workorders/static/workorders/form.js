// Work-order form: show the fields of the chosen type; Ctrl+Enter submits any form.
(function () {
  function sync(form) {
    var type = form.querySelector("[name=type]");
    if (!type) return;
    form.querySelectorAll("[data-types]").forEach(function (el) {
      var show = el.getAttribute("data-types").split(" ").indexOf(type.value) >= 0;
      el.hidden = !show;
      var needed = el.getAttribute("data-required-when-shown");
      if (needed) {
        el.querySelectorAll("[name=" + needed + "]").forEach(function (input) {
          input.required = show;
        });
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-wo-form]").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function (e) {
        if (e.target.name === "type") sync(form);
      });
    });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.form) {
      e.preventDefault();
      e.target.form.requestSubmit();
    }
  });
})();
