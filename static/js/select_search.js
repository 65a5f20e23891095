// A search box above a long list of people (select[data-searchable]): typing a name or a unit keeps only the
// matching options (and their unit groups) in the list. Without JavaScript the list works as it is.
(function () {
  "use strict";
  document.querySelectorAll("select[data-searchable]").forEach(function (select) {
    const box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 select-search";
    box.placeholder = select.getAttribute("data-search-placeholder") || "";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      const query = box.value.trim().toLowerCase();
      select.querySelectorAll("optgroup").forEach(function (group) {
        const unitMatches = group.label.toLowerCase().includes(query);
        let shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          const match = !query || unitMatches || option.text.toLowerCase().includes(query) || option.selected;
          option.hidden = !match;
          if (match) shown += 1;
        });
        group.hidden = shown === 0;
      });
    });
  });
})();
