/* "Copiar" buttons on the FOPI page (the reference, and the SPEI box's CLABE, amount and concept): progressive
   enhancement. Without JavaScript (or without the clipboard API) the buttons stay hidden and the values remain
   plain, selectable text. Each button reports in the status line of its own part of the page. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) { return; }
  document.querySelectorAll("button[data-copiar]").forEach(function (boton) {
    var zona = boton.closest("[data-zona-copia]");
    var estado = zona ? zona.querySelector("[data-copiado]") : null;
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
