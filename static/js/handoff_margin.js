// Live margin next to the decision amount: main-contract amount minus the amount typed, and its rate.
(function () {
  const box = document.getElementById("live-margin");
  const input = document.getElementById("id_amount");
  if (!box || !input) return;
  const main = parseFloat(box.getAttribute("data-main"));
  const out = box.querySelector("[data-margin]");
  function show() {
    const amount = parseFloat(String(input.value).replace(/[,，¥\s]/g, ""));
    if (!isFinite(amount) || !main) { out.textContent = "—"; return; }
    const margin = main - amount;
    out.textContent = "¥" + margin.toLocaleString("zh-CN", {minimumFractionDigits: 2, maximumFractionDigits: 2})
      + "（" + (margin * 100 / main).toFixed(2) + "%）";
    out.classList.toggle("text-danger", margin < 0);
  }
  input.addEventListener("input", show);
  show();
})();
