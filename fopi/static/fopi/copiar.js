/* "Copiar" buttons on the FOPI page: progressive enhancement. Without JavaScript (or without the
   clipboard API) the buttons stay hidden and the values remain plain, selectable text. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  var estado = document.querySelector(".spei__copiado");
  document.querySelectorAll("button[data-copiar]").forEach(function (boton) {
    boton.hidden = false;
    boton.addEventListener("click", function () {
      navigator.clipboard.writeText(boton.getAttribute("data-copiar")).then(function () {
        if (estado) { estado.textContent = "Copiado: " + boton.textContent.replace(/^Copiar /, "") + "."; }
      }, function () {
        if (estado) { estado.textContent = "No se pudo copiar; selecciona el texto y cópialo."; }
      });
    });
  });
})();
