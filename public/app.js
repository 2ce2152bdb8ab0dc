// Small progressive enhancements; every page works without this file.
// New migration: show only the source panel (upload or connection) that is selected.
function syncSourcePanels(root) {
  const checked = root.querySelector("input[data-toggle-source]:checked");
  if (!checked) return;
  for (const panel of root.querySelectorAll(".source-panel[data-source]")) {
    const on = panel.getAttribute("data-source") === checked.value;
    panel.hidden = !on;
    // Hidden inputs must not block submission through `required`, nor be sent.
    for (const el of panel.querySelectorAll("input, select")) el.disabled = !on;
  }
}
document.addEventListener("change", (e) => {
  if (e.target instanceof HTMLInputElement && e.target.hasAttribute("data-toggle-source")) syncSourcePanels(document);
});
document.addEventListener("DOMContentLoaded", () => syncSourcePanels(document));
document.addEventListener("htmx:afterSettle", () => syncSourcePanels(document));
