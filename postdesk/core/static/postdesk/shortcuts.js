// Keyboard shortcuts of the workbench and the order page. The rows of the `?` dialog
// (templates/postdesk/_shortcuts.html) are the table of shortcuts: each row's data-keys
// is bound to its data-action here, so the list shown is the list that works.
(function () {
  var dialog = null, opener = null, pending = "", pendingTimer = null;

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function open() {
    if (!dialog || dialog.open) return;
    opener = document.activeElement;
    dialog.showModal();
    var close = dialog.querySelector("[data-shortcuts-close]");
    if (close) close.focus();
  }

  var actions = {
    help: open,
    go: function (row) { window.location.assign(row.getAttribute("data-href")); },
    focus: function (row) {
      var target = document.querySelector(row.getAttribute("data-target"));
      if (target) target.focus();
    },
  };

  function focusables() {
    return Array.prototype.slice.call(
      dialog.querySelectorAll("button, [href], input, select, textarea, [tabindex]")
    ).filter(function (el) { return !el.disabled && el.tabIndex >= 0; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dialog = document.getElementById("pd-shortcuts");
    if (!dialog) return;
    var rows = Array.prototype.slice.call(dialog.querySelectorAll("[data-shortcut]"));
    var single = {}, sequences = {};
    rows.forEach(function (row) {
      var keys = row.getAttribute("data-keys"), action = actions[row.getAttribute("data-action")];
      if (!action) return; // "native" and "submit": handled below or by the browser/page
      var parts = keys.split(" ");
      if (parts.length === 2) sequences[keys] = function () { action(row); };
      else single[keys] = function () { action(row); };
    });
    document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
      button.addEventListener("click", open);
    });
    dialog.querySelector("[data-shortcuts-close]").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("click", function (e) {
      if (e.target === dialog) dialog.close(); // the backdrop
    });
    dialog.addEventListener("close", function () {
      if (opener && document.contains(opener)) opener.focus();
      opener = null;
    });
    dialog.addEventListener("keydown", function (e) {
      if (e.key !== "Tab") return;
      var items = focusables();
      if (!items.length) return;
      var first = items[0], last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    });

    document.addEventListener("keydown", function (e) {
      if (e.defaultPrevented) return;
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target.form) {
        e.preventDefault();
        e.target.form.requestSubmit();
        return;
      }
      if (dialog.open || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (pending) {
        var handler = sequences[pending + " " + e.key];
        pending = "";
        clearTimeout(pendingTimer);
        if (handler) {
          e.preventDefault();
          handler();
          return;
        }
      }
      if (Object.keys(sequences).some(function (k) { return k.split(" ")[0] === e.key; })) {
        pending = e.key;
        pendingTimer = setTimeout(function () { pending = ""; }, 1500);
        e.preventDefault();
        return;
      }
      if (single[e.key]) {
        e.preventDefault();
        single[e.key]();
      }
    });
  });
})();
