// Small behaviours shared by every page. htmx sends the CSRF token from the <body hx-headers> attribute.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
  }
});
