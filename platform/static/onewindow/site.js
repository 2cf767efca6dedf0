// Behaviour shared by every page. Scripts come only from static files: the Content-Security-Policy
// allows no inline script.
document.addEventListener("DOMContentLoaded", () => {
  // The language menu applies the choice at once.
  document.querySelectorAll("select[data-submit-on-change]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
});
