// Device page and onboarding behaviours. No inline scripts (CSP), no eval (htmx config):
// everything hangs off data- attributes, also in fragments htmx swaps in later.
(() => {
  // <x data-expires-in="30" data-expired-clear="#a, #b" data-expired-text="expired">: counts
  // down to 0, then wipes the credential it guards (a play URL, an init code) from the page.
  const startCountdowns = (root) => {
    root.querySelectorAll("[data-expires-in]:not([data-counting])").forEach((el) => {
      el.dataset.counting = "1";
      const deadline = Date.now() + Number(el.dataset.expiresIn) * 1000;
      const tick = () => {
        if (!el.isConnected) return;
        const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
        if (left > 0) {
          el.textContent = `${left} s`;
          setTimeout(tick, 250);
          return;
        }
        el.textContent = el.dataset.expiredText || "expired";
        el.classList.add("expired");
        const targets = el.dataset.expiredClear ? document.querySelectorAll(el.dataset.expiredClear) : [];
        targets.forEach((target) => {
          if ("value" in target) target.value = "";
          else target.textContent = "expired";
          target.setAttribute("disabled", "");
        });
      };
      tick();
    });
  };

  // <input type=range data-output="#out">: shows the slider's value.
  document.addEventListener("input", (event) => {
    const out = event.target.dataset && event.target.dataset.output;
    if (out) {
      const el = document.querySelector(out);
      if (el) el.textContent = event.target.value;
    }
  });

  // <button data-fill="#input" data-value="...">: puts a scanned network's name in the form.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-fill]");
    if (!button) return;
    const input = document.querySelector(button.dataset.fill);
    if (input) {
      input.value = button.dataset.value;
      input.focus();
    }
  });

  // A snapshot <img> that fails to load becomes a message, never a broken image.
  // (error events do not bubble: listen in the capture phase.)
  document.addEventListener("error", (event) => {
    const img = event.target;
    if (!(img instanceof HTMLImageElement) || !img.hasAttribute("data-snapshot")) return;
    const note = document.createElement("p");
    note.className = "flash flash-error";
    note.setAttribute("role", "status");
    note.textContent = img.dataset.fallback || "The picture could not be loaded.";
    img.replaceWith(note);
  }, true);

  document.addEventListener("DOMContentLoaded", () => startCountdowns(document));
  document.addEventListener("htmx:load", (event) => startCountdowns(event.target));
})();
