// The phrase picker on the order page: service phrases and knowledge-base answers are
// inserted at the cursor of the reply box last used, by a click or Alt+1 … Alt+9;
// "/" typed at the start of an empty box jumps to the picker's search.
(function () {
  var lastBox = null;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("textarea[data-reply-box]"));
  }

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  function targetBox() {
    if (lastBox && document.contains(lastBox) && visible(lastBox)) return lastBox;
    return boxes().filter(visible)[0] || null;
  }

  function insert(box, text) {
    var start = box.selectionStart, end = box.selectionEnd, value = box.value;
    box.focus();
    if (typeof start !== "number") start = end = value.length;
    box.setRangeText(text, start, end, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function shownAids() {
    return Array.prototype.slice
      .call(document.querySelectorAll("[data-aids-list] button[data-insert]"))
      .filter(function (b) { return !b.closest("li").hidden; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-aids-list]");
    if (!list) return;
    var filter = document.querySelector("[data-aids-filter]");
    boxes().forEach(function (box) {
      box.addEventListener("focus", function () { lastBox = box; });
      box.addEventListener("keydown", function (e) {
        if (e.key === "/" && !box.value && filter) {
          e.preventDefault();
          lastBox = box;
          filter.focus();
        }
      });
    });
    list.addEventListener("mousedown", function (e) {
      // keep the reply box's cursor: the button must not take the focus first
      if (e.target.closest("button[data-insert]")) e.preventDefault();
    });
    list.addEventListener("click", function (e) {
      var button = e.target.closest("button[data-insert]");
      var box = targetBox();
      if (button && box) insert(box, button.getAttribute("data-insert"));
    });
    if (filter) {
      filter.addEventListener("input", function () {
        var words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
        list.querySelectorAll("li").forEach(function (li) {
          var text = li.textContent.toLowerCase();
          li.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
        });
      });
      filter.addEventListener("keydown", function (e) {
        if (e.key === "Enter") {
          e.preventDefault();
          var first = shownAids()[0], box = targetBox();
          if (first && box) insert(box, first.getAttribute("data-insert"));
        } else if (e.key === "Escape" && lastBox) {
          e.preventDefault();
          lastBox.focus();
        }
      });
    }
  });

  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var match = /^Digit([1-9])$/.exec(e.code || "");
    if (!match) return;
    // the numbers shown beside the first nine, whatever the search hides
    var all = document.querySelectorAll("[data-aids-list] button[data-insert]");
    var aid = all[Number(match[1]) - 1], box = targetBox();
    if (!aid || !box) return;
    e.preventDefault();
    insert(box, aid.getAttribute("data-insert"));
  });
})();
