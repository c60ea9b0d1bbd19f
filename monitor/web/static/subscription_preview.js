// Subscriptions, live preview: as the reader types, ask the server what the query and
// filters would have matched and put its answer in place of the preview. The form works
// without this script (its Preview button asks the same with a full page).
(function () {
  "use strict";
  var form = document.getElementById("subscription-form");
  var region = document.getElementById("preview");
  if (!form || !region || !form.dataset.preview || !window.fetch || !window.URLSearchParams) { return; }
  var status = document.getElementById("preview-status");
  var WAIT_MS = 400;
  var timer = null;
  var pending = null;
  var asked = "";

  function parameters() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      // The CSRF token and the button stay out of a GET's URL.
      if (name !== "csrf" && name !== "action" && typeof value === "string") {
        params.append(name, value);
      }
    });
    return params.toString();
  }

  function refresh() {
    var query = parameters();
    if (query === asked) { return; }
    asked = query;
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    region.setAttribute("aria-busy", "true");
    fetch(form.dataset.preview + "?" + query, {
      credentials: "same-origin",
      headers: { "Accept": "text/html" },
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) { return response.status === 200 ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var fresh = parsed.getElementById("preview-body");
        var current = document.getElementById("preview-body");
        if (!fresh || !current) { return; }
        current.replaceWith(document.importNode(fresh, true));
        var summary = document.getElementById("preview-summary");
        if (status) { status.textContent = summary ? summary.textContent : ""; }
        region.removeAttribute("aria-busy");
      })
      .catch(function () { /* aborted by a newer question, or offline: the next keystroke asks again */ });
  }

  function later() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(refresh, WAIT_MS);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  asked = parameters();
}());
