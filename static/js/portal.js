// Small behaviours shared by every page. htmx sends the CSRF token from the <body hx-headers> attribute.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});

// A select that submits its form when changed (the language switch), without an inline handler (CSP).
document.addEventListener("change", function (event) {
  const select = event.target.closest("[data-submit-on-change]");
  if (select && select.form) {
    select.form.submit();
  }
});
