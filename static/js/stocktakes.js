// Stocktake scan page. Without JavaScript the scan form posts and the page reloads. With it,
// each scan (a keyboard-wedge scanner types the code and presses Enter) is posted with fetch,
// the input is cleared at once and keeps focus, so rapid successive scans are queued and
// sent in order; the counts and lists update in place and the outcome is announced through
// the aria-live status region.
(function () {
  "use strict";

  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }

  var form = document.querySelector("form[data-stocktake-scan]");
  if (!form || !window.fetch || !window.FormData) { return; }
  var input = form.querySelector("input[name=code]");
  var status = form.querySelector("[data-scan-status]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var queue = [];
  var busy = false;

  function announce(text, kind) {
    status.hidden = false;
    status.textContent = text;
    status.className = "govuk-inset-text app-scan-status app-scan-status--" + kind;
  }

  function setCount(name, value) {
    var el = document.querySelector("[data-count=" + name + "]");
    if (el) { el.textContent = value; }
  }

  function cell(text) {
    var td = document.createElement("td");
    td.className = "govuk-table__cell";
    td.textContent = text;
    return td;
  }

  function now() {
    return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  function apply(data) {
    var item = data.item;
    if (data.result === "found") {
      var row = document.querySelector("[data-list=missing] [data-item='" + item.id + "']");
      var found = document.querySelector("[data-list=found]");
      if (row && found) {
        row.lastElementChild.textContent = now();
        found.insertBefore(row, found.firstChild);
      }
    } else if (data.result === "unexpected") {
      var list = document.querySelector("[data-list=unexpected]");
      var tr = document.createElement("tr");
      tr.className = "govuk-table__row";
      tr.setAttribute("data-item", item.id);
      tr.appendChild(cell(item.code));
      tr.appendChild(cell(form.getAttribute("data-not-listed") || ""));
      tr.appendChild(cell(now()));
      if (list) { list.insertBefore(tr, list.firstChild); }
    } else if (data.result === "duplicate") {
      var dup = document.querySelector("[data-count=duplicates]");
      if (dup) { dup.textContent = String(parseInt(dup.textContent, 10) + 1); }
    }
    Object.keys(data.counts).forEach(function (k) { setCount(k, data.counts[k]); });
    announce(data.message, data.result);
  }

  function next() {
    if (busy || !queue.length) { return; }
    busy = true;
    var code = queue.shift();
    var body = new FormData();
    body.append("code", code);
    body.append("csrfmiddlewaretoken", csrf);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (r) {
      if (r.ok) { apply(r.data); } else {
        announce(r.data.error || form.getAttribute("data-failed"), "error");
      }
    }).catch(function () {
      // Nothing is lost: the code goes back into the box to be sent again.
      if (!input.value) { input.value = code; }
      announce(form.getAttribute("data-failed"), "error");
    }).then(function () {
      busy = false;
      next();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value.trim();
    input.value = "";
    input.focus();
    if (!code) { return; }
    queue.push(code);
    next();
  });
})();
