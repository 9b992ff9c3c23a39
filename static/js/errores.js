// A form that came back with errors: take the focus to its summary at the top, so a phone user (and a screen
// reader) lands on what to fix instead of at the top of the page with the message 1,200 px below.
document.addEventListener("DOMContentLoaded", function () {
  var resumen = document.getElementById("resumen-errores");
  if (resumen) {
    resumen.focus();
  }
});
