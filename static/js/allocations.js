// Allocations: progressive enhancement only; every page works without this file.
// 1. The device picker refreshes its list of devices as the officer types or scans.
// 2. The handover screen's signature pad: Pointer Events (finger, stylus, mouse) on a canvas,
//    stored as a PNG data URL in the hidden "signature" field. The typed name stays available.
(function () {
  "use strict";

  var search = document.querySelector("form[data-device-search]");
  var results = document.querySelector("[data-device-results]");
  if (search && results && window.fetch && window.DOMParser) {
    var input = search.querySelector("[data-device-search-input]");
    var timer = null;
    var latest = 0;
    var refresh = function () {
      var ticket = ++latest;
      var url = search.getAttribute("action") || window.location.pathname;
      url += "?" + new URLSearchParams({ q: input.value }).toString();
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html || ticket !== latest) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-device-results]");
          if (fresh) results.innerHTML = fresh.innerHTML;
        })
        .catch(function () { /* the Search button still works */ });
    };
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    });
  }

  var box = document.querySelector("[data-signature]");
  var form = document.querySelector("form[data-acceptance-form]");
  if (!box || !form || !window.PointerEvent) return;
  var canvas = box.querySelector("[data-signature-pad]");
  var field = form.querySelector("[data-signature-input]");
  var status = box.querySelector("[data-signature-status]");
  var clear = box.querySelector("[data-signature-clear]");
  if (!canvas || !field || !canvas.getContext) return;
  box.hidden = false;
  var ctx = canvas.getContext("2d");
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#0b0c0c";
  var drawing = false;
  var inked = false;
  var point = function (e) {
    var rect = canvas.getBoundingClientRect();
    return { x: (e.clientX - rect.left) * canvas.width / rect.width, y: (e.clientY - rect.top) * canvas.height / rect.height };
  };
  canvas.addEventListener("pointerdown", function (e) {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    var p = point(e);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
    e.preventDefault();
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drawing) return;
    var p = point(e);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    inked = true;
  });
  var end = function () {
    if (!drawing) return;
    drawing = false;
    if (inked) {
      field.value = canvas.toDataURL("image/png");
      if (status) status.textContent = box.getAttribute("data-signed-text") || "";
    }
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("pointerleave", end);
  if (clear) {
    clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      inked = false;
      field.value = "";
      if (status) status.textContent = "";
    });
  }
})();
