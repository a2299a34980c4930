// Firmware upload progress. htmx sends the form (multipart, hx-encoding) and reports
// the upload's progress as htmx:xhr:progress on the form; this file only draws it.
// No inline script: CSP forbids them.
(() => {
  const formOf = (event) => {
    const form = event.target.closest && event.target.closest("form[data-upload-progress]");
    return form || null;
  };
  const parts = (form) => ({
    bar: document.querySelector(form.dataset.uploadProgress),
    status: form.querySelector(".upload-status"),
  });
  const megabytes = (bytes) => (bytes / 1048576).toLocaleString(undefined, { maximumFractionDigits: 1 });

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = formOf(event);
    if (!form) return;
    const { bar, status } = parts(form);
    if (bar) {
      bar.value = 0;
      bar.hidden = false;
    }
    if (status) status.textContent = "Uploading…";
  });

  // Upload and download progress share the event name: the bar only moves forward,
  // so the short download of the answer never sends it back.
  document.addEventListener("htmx:xhr:progress", (event) => {
    const form = formOf(event);
    if (!form || !event.detail.lengthComputable || !event.detail.total) return;
    const { bar, status } = parts(form);
    const percent = Math.floor((100 * event.detail.loaded) / event.detail.total);
    if (!bar || percent < bar.value) return;
    bar.value = percent;
    if (status) {
      status.textContent = percent >= 100
        ? "Uploaded; checking the image…"
        : `Uploading… ${percent} % (${megabytes(event.detail.loaded)} of ${megabytes(event.detail.total)} MB)`;
    }
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = formOf(event);
    if (!form || event.detail.successful) return;
    const { bar, status } = parts(form);
    if (bar) bar.hidden = true;
    if (status) status.textContent = "";
  });
})();
