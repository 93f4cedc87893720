// Small progressive enhancements; every page works without them.
// Loaded in <head> without defer so the page is marked as scripted before it first paints.
document.documentElement.classList.replace("no-js", "js");

document.addEventListener("DOMContentLoaded", () => {
  // Phone menu: a disclosure button; Escape closes it and returns focus to the button.
  const toggle = document.querySelector(".nav-toggle");
  const nav = document.getElementById("primary-nav");
  if (toggle && nav) {
    const setOpen = (open) => {
      toggle.setAttribute("aria-expanded", String(open));
      nav.classList.toggle("is-open", open);
    };
    toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  // Forms that change something irreversible ask first (without JavaScript they just submit).
  document.addEventListener("submit", (event) => {
    const message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // After htmx replaces part of a page, say what changed in the page's live region.
  document.body.addEventListener("htmx:afterSettle", () => {
    const summary = document.querySelector("[data-announce]");
    const live = document.getElementById("live-status");
    if (summary && live) live.textContent = summary.dataset.announce;
  });
});
