// "Add a row" for a formset table: clone the last row, renumber its fields, clear them, bump TOTAL_FORMS.
document.querySelectorAll("[data-add-row]").forEach(function (button) {
  button.addEventListener("click", function () {
    const prefix = button.getAttribute("data-add-row");
    const body = document.querySelector("#" + prefix + "-rows");
    const total = document.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    const last = body.querySelector("tr:last-child");
    const index = parseInt(total.value, 10);
    const row = last.cloneNode(true);
    row.querySelectorAll("input, select, textarea").forEach(function (field) {
      ["name", "id"].forEach(function (attr) {
        const value = field.getAttribute(attr);
        if (value) field.setAttribute(attr, value.replace(new RegExp(prefix + "-\\d+-"), prefix + "-" + index + "-"));
      });
      field.classList.remove("is-invalid");
      if (field.tagName === "SELECT") field.selectedIndex = 0; else field.value = "";
    });
    row.querySelectorAll(".invalid-feedback").forEach(function (node) { node.remove(); });
    body.appendChild(row);
    total.value = index + 1;
    const first = row.querySelector("input, select");
    if (first) first.focus();
  });
});
