// The repair feedback sheet on the technician's phone: the customer signs on the screen (signature_pad),
// the drawing is posted as a PNG data URL in the hidden "signature" field; the server checks it.
(function () {
  "use strict";
  var canvas = document.getElementById("signature-pad");
  var form = document.getElementById("report-form");
  if (!canvas || !form || typeof SignaturePad === "undefined") { return; }
  var pad = new SignaturePad(canvas, { minWidth: 1, maxWidth: 3, penColor: "#000" });
  function resize() {
    // Draw at the device's pixel density so the signature stays sharp; resizing clears, so keep the strokes.
    var data = pad.toData();
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  }
  window.addEventListener("resize", resize);
  resize();
  document.getElementById("signature-clear").addEventListener("click", function () { pad.clear(); });
  var solvedPart = document.getElementById("solved-part");
  var unsolvedPart = document.getElementById("unsolved-part");
  function toggle() {
    var solved = form.querySelector("input[name=solved]:checked");
    var yes = !solved || solved.value === "yes";
    solvedPart.hidden = !yes;
    unsolvedPart.hidden = yes;
    if (yes) { resize(); }
  }
  form.querySelectorAll("input[name=solved]").forEach(function (r) { r.addEventListener("change", toggle); });
  toggle();
  form.addEventListener("submit", function () {
    form.querySelector("input[name=signature]").value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
})();
