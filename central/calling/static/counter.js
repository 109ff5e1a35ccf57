// The counter page: waiting figures refreshed every 3 s; a pressed button is disabled until the
// page comes back (the form's idempotency key already makes a double click harmless).
"use strict";
(function () {
  document.querySelectorAll("form").forEach((form) => {
    form.addEventListener("submit", () => {
      setTimeout(() => form.querySelectorAll("button").forEach((b) => { b.disabled = true; }), 0);
    });
  });
  async function refresh() {
    try {
      const answer = await fetch("/counter/state.json", { cache: "no-store", headers: { Accept: "application/json" } });
      if (answer.status === 401) { window.location.href = "/counter/login"; return; }
      const view = await answer.json();
      (view.waiting || []).forEach((s) => {
        const row = document.querySelector('#waiting tr[data-service="' + s.id + '"]');
        if (!row) return;
        row.querySelector('[data-field="waiting"]').textContent = String(s.waiting);
        row.querySelector('[data-field="serving"]').textContent = s.serving || "—";
      });
    } catch (e) { /* the next round tries again */ }
  }
  setInterval(refresh, 3000);
})();
