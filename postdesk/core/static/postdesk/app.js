// postdesk: small helpers shared by every page (no framework).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const target = document.querySelector(button.dataset.copyTarget || "");
  const text = button.dataset.copy;
  if (target && "value" in target) {
    const start = target.selectionStart ?? target.value.length;
    target.value = target.value.slice(0, start) + text + target.value.slice(target.selectionEnd ?? start);
    target.dispatchEvent(new Event("input", { bubbles: true }));
    target.focus();
  } else if (navigator.clipboard) {
    navigator.clipboard.writeText(text).catch(() => {});
  }
});
