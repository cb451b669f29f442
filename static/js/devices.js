// Scan-in page: a camera button where the browser can read barcodes (BarcodeDetector); without
// it the page works as it is (a keyboard-wedge scanner or typing, one server round trip a row).
(function () {
  "use strict";
  var form = document.querySelector("form[data-scan-in]");
  if (!form) return;
  var serial = form.querySelector("input[name=serial]");
  var button = form.querySelector("[data-camera-scan]");
  var view = form.querySelector("[data-camera-view]");
  if (!serial || !button || !view || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  button.hidden = false;
  var video = view.querySelector("video");
  var stream = null;
  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    view.hidden = true;
  }
  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["code_128", "code_39", "ean_13", "qr_code", "data_matrix"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s;
      video.srcObject = s;
      view.hidden = false;
      video.play();
      function look() {
        if (!stream) return;
        detector.detect(video).then(function (codes) {
          if (codes.length) {
            var value = codes[0].rawValue;
            var match = /\/d\/([^/]+)\/?$/.exec(value); // one of our own labels' QR codes
            serial.value = match ? decodeURIComponent(match[1]) : value;
            stop();
            form.querySelector("button[value=add]").click();
          } else {
            window.requestAnimationFrame(look);
          }
        }).catch(function () { window.requestAnimationFrame(look); });
      }
      look();
    }).catch(function () { stop(); });
  });
})();
