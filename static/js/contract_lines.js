// Contract lines as people enter them (issue 12, point 4): add and remove rows in place, each line's amount and the
// total as typed, the contract amount in capital numerals (大写), and the mismatch with the contract amount before
// submission. The server checks the same again when the draft is saved; this only shows it early.
(function () {
  "use strict";

  const table = document.getElementById("contract-lines");
  if (!table) return;
  const prefix = table.getAttribute("data-prefix");
  const body = document.getElementById("lines-rows");
  const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  const template = document.getElementById("lines-empty");
  const addButton = document.getElementById("lines-add");
  const amountInput = document.getElementById("id_amount");
  const capitalOut = document.getElementById("amount-capital");
  const totalOut = document.getElementById("lines-total");
  const mismatch = document.getElementById("lines-mismatch");

  // ---- money as whole fen (BigInt), never floats -------------------------------------------------------------
  function parseDecimal(raw, places) {
    // "1,234.5" -> 123450n for places=2; null when it is not a number with at most ``places`` decimals.
    const text = String(raw || "").replace(/[,，\s¥￥]/g, "");
    const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
    if (!match || (match[2] === "" && !match[3])) return null;
    const fraction = match[3] || "";
    if (fraction.length > places) return null;
    const units = BigInt((match[2] || "0") + fraction.padEnd(places, "0"));
    return match[1] === "-" ? -units : units;
  }

  function yuan(fen) {
    // 123456789n -> "¥1,234,567.89" (as the server's format_yuan prints it)
    const negative = fen < 0n;
    const abs = negative ? -fen : fen;
    const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const cents = (abs % 100n).toString().padStart(2, "0");
    return (negative ? "-" : "") + "¥" + whole + "." + cents;
  }

  const DIGITS = "零壹贰叁肆伍陆柒捌玖";
  const PLACES = ["仟", "佰", "拾", ""];
  const SECTIONS = ["", "万", "亿", "万"];

  function capital(fen) {
    // The capital numerals of an amount in fen, as the server's capital_yuan (cn2an "rmb") writes them.
    if (fen === 0n) return "零元整";
    const sign = fen < 0n ? "负" : "";
    const abs = fen < 0n ? -fen : fen;
    const whole = abs / 100n;
    const jiao = Number((abs / 10n) % 10n);
    const fenDigit = Number(abs % 10n);
    let text = "";
    if (whole > 0n) {
      const digits = whole.toString();
      const groups = [];
      for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
      let zeroPending = false;
      groups.forEach(function (group, index) {
        const value = parseInt(group, 10);
        const section = SECTIONS[groups.length - 1 - index];
        if (value === 0) {
          if (text) zeroPending = true;
          return;
        }
        if (text && (zeroPending || value < 1000)) text += "零";
        zeroPending = false;
        const padded = group.padStart(4, "0");
        let zero = false;
        let started = false;
        for (let i = 0; i < 4; i += 1) {
          const d = parseInt(padded[i], 10);
          if (d === 0) {
            if (started) zero = true;
            continue;
          }
          if (zero) text += "零";
          zero = false;
          started = true;
          text += DIGITS[d] + PLACES[i];
        }
        text += section;
      });
      text += "元";
    }
    if (jiao === 0 && fenDigit === 0) return sign + text + "整";
    if (jiao > 0) text += DIGITS[jiao] + "角";
    if (fenDigit > 0) text += (jiao === 0 && whole > 0n ? "零" : "") + DIGITS[fenDigit] + "分";
    return sign + text;
  }
  window.portalCapital = function (raw) { // for the browser test: the same conversion on any amount
    const fen = parseDecimal(raw, 2);
    return fen === null ? null : capital(fen);
  };

  // ---- rows -------------------------------------------------------------------------------------------------
  function field(row, name) {
    return row.querySelector("[name$='-" + name + "']");
  }

  function isDeleted(row) {
    const box = field(row, "DELETE");
    return row.hidden || (box && box.checked);
  }

  function lineFen(row) {
    // quantity (3 decimals) × unit price (fen), rounded half up to the fen as the server does; null if incomplete
    const quantity = parseDecimal(field(row, "quantity").value, 3);
    const price = parseDecimal(field(row, "unit_price").value, 2);
    if (quantity === null || price === null) return null;
    const product = quantity * price; // in thousandths of a fen
    return (product + 500n) / 1000n;
  }

  function hasContent(row) {
    return ["description", "quantity", "unit_price"].some(function (name) {
      return field(row, name) && field(row, name).value.trim() !== "";
    });
  }

  function refresh() {
    let sum = 0n;
    let counted = 0;
    body.querySelectorAll("tr.contract-line").forEach(function (row) {
      const out = row.querySelector(".line-amount");
      const fen = isDeleted(row) ? null : lineFen(row);
      out.textContent = fen === null ? "—" : yuan(fen);
      if (fen !== null && hasContent(row)) {
        sum += fen;
        counted += 1;
      }
    });
    totalOut.textContent = counted ? yuan(sum) : "—";
    const amount = amountInput ? parseDecimal(amountInput.value, 2) : null;
    if (capitalOut) {
      capitalOut.textContent = amount === null ? "" : capitalOut.getAttribute("data-prefix") + capital(amount);
    }
    if (counted && amount !== null && sum !== amount) {
      const diff = sum > amount ? sum - amount : amount - sum;
      mismatch.textContent = mismatch.getAttribute("data-template")
        .replace("{total}", yuan(sum)).replace("{amount}", yuan(amount)).replace("{difference}", yuan(diff));
      mismatch.hidden = false;
    } else {
      mismatch.hidden = true;
    }
  }

  function equip(row) {
    // The DELETE box stays in the form (the server reads it); a button removes the row from view in place.
    const box = field(row, "DELETE");
    if (!box || row.querySelector(".line-remove")) return;
    box.hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-danger text-nowrap line-remove";
    button.textContent = table.getAttribute("data-remove-label");
    button.addEventListener("click", function () {
      box.checked = true;
      row.hidden = true;
      refresh();
    });
    box.parentNode.appendChild(button);
  }

  function addRow() {
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    const holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    const row = holder.firstElementChild;
    body.appendChild(row);
    total.value = index + 1;
    equip(row);
    const first = row.querySelector("input");
    if (first) first.focus();
    refresh();
  }

  body.querySelectorAll("tr.contract-line").forEach(equip);
  body.addEventListener("input", refresh);
  if (amountInput) amountInput.addEventListener("input", refresh);
  addButton.hidden = false;
  addButton.addEventListener("click", addRow);
  refresh();
})();
