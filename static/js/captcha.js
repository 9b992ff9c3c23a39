/* "Otra imagen" on the captcha without reloading the form: progressive enhancement of a link that, without
   JavaScript, reloads the page. Asks django-simple-captcha's /captcha/refresh/ (limited per client) for a new
   key, then swaps the image, the hidden key and the audio link, empties the answer and puts the cursor there. */
(function () {
  "use strict";
  if (!window.fetch) { return; }
  document.querySelectorAll("[data-captcha]").forEach(function (caja) {
    var enlace = caja.querySelector("[data-captcha-otra]");
    var imagen = caja.querySelector("img");
    var clave = caja.querySelector("input[type=hidden]");
    var respuesta = caja.querySelector("input:not([type=hidden])");
    var audio = caja.querySelector("[data-captcha-audio]");
    var estado = caja.querySelector("[data-captcha-estado]");
    if (!enlace || !imagen || !clave) { return; }
    enlace.addEventListener("click", function (evento) {
      evento.preventDefault();
      enlace.setAttribute("aria-disabled", "true");
      fetch(enlace.getAttribute("data-url"), {
        headers: { "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (datos) {
        imagen.src = datos.image_url;
        clave.value = datos.key;
        if (audio && datos.audio_url) { audio.href = datos.audio_url; }
        if (respuesta) { respuesta.value = ""; respuesta.focus(); }
        estado.textContent = "Listo: te mostramos otra imagen. Escribe sus caracteres.";
      }).catch(function (error) {
        estado.textContent = error.message === "429"
          ? "Pediste muchas imágenes seguidas. Espera un minuto y vuelve a intentarlo."
          : "No pudimos traer otra imagen. Revisa tu conexión e inténtalo de nuevo.";
      }).then(function () {
        enlace.removeAttribute("aria-disabled");
      });
    });
  });
})();
