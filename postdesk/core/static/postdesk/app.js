// postdesk: small helpers shared by every page (no framework).
(function () {
  // Put a text into a box: replace `replace` when the box holds it, else insert at the caret.
  function putText(target, text, replace) {
    const value = target.value;
    let start = target.selectionStart ?? value.length;
    let end = target.selectionEnd ?? start;
    const found = replace ? value.indexOf(replace) : -1;
    if (found >= 0) {
      start = found;
      end = found + replace.length;
    }
    target.value = value.slice(0, start) + text + value.slice(end);
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
    target.setSelectionRange(start + text.length, start + text.length);
  }
  window.postdesk = Object.assign(window.postdesk || {}, { putText: putText });

  // The work-order list's "select all" box of the bulk action bar.
  document.addEventListener("change", (event) => {
    const all = event.target.closest && event.target.closest("[data-bulk-all]");
    if (!all) return;
    const table = all.closest("table");
    table.querySelectorAll("input[name=numbers]").forEach((box) => {
      box.checked = all.checked;
    });
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const target = document.querySelector(button.dataset.copyTarget || "");
    const text = button.dataset.copy;
    if (target && "value" in target) {
      putText(target, text, button.dataset.replace || "");
    } else if (navigator.clipboard) {
      navigator.clipboard.writeText(text).catch(() => {});
    }
  });

  // Links that wrap to a second row fold into the menu button, at any width (on a phone
  // the CSS folds them already).
  function fitNav() {
    const header = document.querySelector("header.topbar");
    const nav = header && header.querySelector(".mainnav");
    if (!nav) return;
    header.classList.remove("nav-collapsed");
    const links = nav.querySelectorAll("a");
    if (!links.length || getComputedStyle(nav).display === "none") return;
    if (links[links.length - 1].offsetTop > links[0].offsetTop) header.classList.add("nav-collapsed");
  }
  fitNav();
  window.addEventListener("resize", fitNav);

  // The collapsing main navigation (narrow screens): one button opens and closes it.
  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    const header = toggle.closest("header");
    const open = header.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });

  // No inline handlers anywhere (the Content-Security-Policy forbids them, core/csp.py):
  // `data-autosubmit` on a field sends its form when the value changes (the language
  // switch); `data-back` on a link goes back a page when there is one, else follows it.
  document.addEventListener("change", (event) => {
    const field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.requestSubmit();
  });
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-back]");
    if (!link || window.history.length < 2) return;
    event.preventDefault();
    window.history.back();
  });
})();
