// Amounts and total as the estimator types (the server computes them again on submission).
(function () {
  const body = document.getElementById("lines-rows");
  const total = document.getElementById("costing-total");
  const fmt = (n) => "¥" + n.toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  function num(field) { return field ? parseFloat(String(field.value).replace(/[,，¥\s]/g, "")) : NaN; }
  function update() {
    let sum = 0;
    body.querySelectorAll("tr").forEach(function (row) {
      const q = num(row.querySelector("[name$='-quantity']"));
      const p = num(row.querySelector("[name$='-unit_price']"));
      const cell = row.querySelector("[data-row-amount]");
      if (isFinite(q) && isFinite(p)) { const a = Math.round(q * p * 100) / 100; sum += a; cell.textContent = fmt(a); }
      else { cell.textContent = "—"; }
    });
    total.textContent = fmt(sum);
  }
  body.addEventListener("input", update);
  document.querySelector("[data-add-row='lines']").addEventListener("click", update);
  update();
})();
