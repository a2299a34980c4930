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

// The device list's bulk bar: "3 selected · select all 48 matching · clear", kept as
// boxes are ticked (the bar itself shows once one is: app.css).
(() => {
  const update = (form) => {
    const count = form.querySelector("#bulk-count");
    if (!count) return;
    const ticked = form.querySelectorAll("input[type=checkbox][name=device]:checked").length;
    const matching = form.querySelector("input[name=all_matching]");
    if (matching && matching.checked) {
      count.textContent = matching.dataset.matching ? `All ${matching.dataset.matching} matching selected` : "All matching selected";
    } else {
      count.textContent = `${ticked} selected`;
    }
  };
  document.addEventListener("change", (event) => {
    const form = event.target.closest && event.target.closest("#bulk-form");
    if (form) update(form);
  });
  document.addEventListener("click", (event) => {
    const clear = event.target.closest("[data-bulk-clear]");
    if (!clear || !clear.form) return;
    for (const box of clear.form.querySelectorAll("input[type=checkbox][name=device], input[name=all_matching], [data-check-all]")) {
      box.checked = false;
    }
    update(clear.form);
  });
  // New rows (a filter, a sort, "More devices") come unticked, or add to the ticked ones.
  document.addEventListener("htmx:afterSettle", () => {
    const form = document.querySelector("#bulk-form");
    if (form) update(form);
  });
})();

// A filter chip's "×" clears that control of the filter form and lets htmx fetch the list
// ("*": every control); without script the link is the list without that filter.
document.addEventListener("click", (event) => {
  const chip = event.target.closest("[data-clear-filter]");
  if (!chip) return;
  const form = document.querySelector("#device-filters");
  if (!form || !window.htmx) return;
  const name = chip.dataset.clearFilter;
  const controls = name === "*" ? form.querySelectorAll("input:not([type=hidden]), select") : form.querySelectorAll(`[name="${CSS.escape(name)}"]`);
  if (!controls.length) return;
  event.preventDefault();
  for (const control of controls) control.value = "";
  controls[0].dispatchEvent(new Event("change", { bubbles: true }));
});

// A confirmation opened inside a polled part of a page (the rollout's progress) stays open
// when the poll replaces that part: details[data-keep-open] with an id.
(() => {
  let open = [];
  document.addEventListener("htmx:beforeSwap", () => {
    open = [...document.querySelectorAll("details[data-keep-open][open][id]")].map((el) => el.id);
  });
  document.addEventListener("htmx:afterSwap", () => {
    for (const id of open) {
      const details = document.getElementById(id);
      if (details) details.open = true;
    }
  });
})();
