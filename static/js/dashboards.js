// The dashboard's filter: only the fields of the chosen kind of period are shown (all of them without script).
(function () {
  "use strict";
  const form = document.getElementById("dashboard-filter");
  if (!form) { return; }
  const kind = form.querySelector("[name=period]");
  function show() {
    const value = kind.value || "year";
    form.querySelectorAll("[data-period-field]").forEach(function (box) {
      box.hidden = box.getAttribute("data-period-field").split(" ").indexOf(value) < 0;
    });
  }
  kind.addEventListener("change", show);
  show();
})();
