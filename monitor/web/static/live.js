// Latest, live: every few seconds ask the server for alerts newer than the top of the list
// and put them there. The page works without this script; it only saves a reload.
(function () {
  "use strict";
  var list = document.getElementById("stories");
  if (!list || !list.dataset.updates || !window.fetch) { return; }
  var url = list.dataset.updates;
  var seconds = Math.max(1, Number(list.dataset.pollSeconds) || 20);
  var status = document.getElementById("live-status");

  function check() {
    if (document.hidden) { return schedule(); }
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (response.status !== 200) { return null; }
        var next = response.headers.get("X-Updates-Url");
        if (next) { url = next; }
        return response.text();
      })
      .then(function (html) {
        if (html) { insert(html); }
      })
      .catch(function () { /* offline for a moment: try again later */ })
      .then(schedule);
  }

  function insert(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var fresh = parsed.querySelectorAll("li.story");
    if (!fresh.length) { return; }
    for (var i = fresh.length - 1; i >= 0; i--) {
      var item = document.importNode(fresh[i], true);
      item.classList.add("fresh");
      list.insertBefore(item, list.firstChild);
    }
    var empty = document.getElementById("no-stories");
    if (empty) { empty.remove(); }
    if (status) {
      status.textContent = (list.dataset.newLabel || "{count}").replace("{count}", String(fresh.length));
    }
  }

  function schedule() { window.setTimeout(check, seconds * 1000); }
  schedule();
}());
