// Small behaviours that htmx does not cover. No inline scripts: CSP forbids them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  navigator.clipboard.writeText(source.value || source.textContent).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

// htmx does not swap 4xx/5xx answers: say what happened next to what was clicked,
// instead of a silent nothing (views answer their own errors with 200 fragments;
// this covers the rest: a lost session, a role change, a crash, no network).
(() => {
  const explain = {
    403: "You are not allowed to do that (your role may have changed). Reload the page.",
    404: "Not found: it may have been removed. Reload the page.",
    405: "That action is not available here.",
    429: "Too many requests. Wait a moment and try again.",
  };
  const show = (elt, text) => {
    const anchor = (elt && elt.closest("form")) || elt;
    if (!anchor || !anchor.parentNode) return;
    let note = anchor.nextElementSibling;
    if (!(note && note.hasAttribute("data-htmx-error"))) {
      note = document.createElement("p");
      note.className = "flash flash-error";
      note.setAttribute("role", "alert");
      note.setAttribute("data-htmx-error", "");
      anchor.after(note);
    }
    note.textContent = text;
  };
  document.addEventListener("htmx:responseError", (event) => {
    const status = event.detail.xhr.status;
    show(event.detail.elt, explain[status] || `The console had a problem (HTTP ${status}). Try again.`);
  });
  document.addEventListener("htmx:sendError", (event) => {
    show(event.detail.elt, "The console could not be reached. Check your connection and try again.");
  });
  // A session that expired meanwhile: htmx followed the redirect to the login page;
  // go there whole instead of swapping a login form into a fragment.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const answered = event.detail.xhr.responseURL;
    if (answered && new URL(answered).pathname === "/accounts/login/") {
      event.detail.shouldSwap = false;
      window.location.assign(`/accounts/login/?next=${encodeURIComponent(window.location.pathname)}`);
    }
  });
  // A fresh answer clears the previous complaint.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const anchor = (event.detail.elt && event.detail.elt.closest("form")) || event.detail.elt;
    const note = anchor && anchor.nextElementSibling;
    if (note && note.hasAttribute("data-htmx-error")) note.remove();
  });
})();

// "Select all on this page": ticks every checkbox of that name in the same form.
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-check-all]");
  if (!box || !box.form) return;
  for (const item of box.form.querySelectorAll(`input[type=checkbox][name="${box.dataset.checkAll}"]`)) {
    item.checked = box.checked;
  }
});

// Filter forms marked data-drop-empty skip a request identical to the previous one:
// typing asks on "input", and leaving the field then fires "change" for the same
// value, which would redraw the table under the user's next click.
document.addEventListener("htmx:confirm", (event) => {
  const form = event.detail.elt;
  if (!form.matches || !form.matches("form[data-drop-empty]")) return;
  const query = new URLSearchParams(new FormData(form)).toString();
  if (form.dataset.lastQuery === query) {
    event.preventDefault();
    return;
  }
  form.dataset.lastQuery = query;
});

// Filter forms marked data-drop-empty leave blank fields out of the URL they push.
document.addEventListener("htmx:configRequest", (event) => {
  if (!event.detail.elt.matches || !event.detail.elt.matches("form[data-drop-empty]")) return;
  const params = event.detail.parameters;
  for (const name of Object.keys(params)) {
    if (params[name] === "") delete params[name];
  }
});
