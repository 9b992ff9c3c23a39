"""The format rules of the padrón's fields, shared by the importers and the admin's forms, so that staff
cannot type what a file would be refused for (docs/reglas.md §8). ASCII digits only: `\\d` would also
accept other scripts' digits."""

import re

from django.core.validators import RegexValidator

CLAVE = re.compile(r"[A-Z0-9][A-Z0-9_.-]*")
NOMBRE_PROPIO = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ.' -]+")
RFC_PERSONA = re.compile(r"[A-Z&Ñ]{4}[0-9]{6}([A-Z0-9]{3})?")

validar_clave = RegexValidator(
    r"\A" + CLAVE.pattern + r"\Z",
    "La clave sólo lleva letras mayúsculas sin acentos, números, punto o guiones, y empieza con letra o número.",
)
validar_nombre = RegexValidator(
    r"\A" + NOMBRE_PROPIO.pattern + r"\Z", "Sólo letras (con acentos y ñ), espacios, punto, apóstrofo o guion."
)
# A dependencia's RFC (docs/reglas.md §18): a persona moral's 12 characters (13 accepted for a persona física).
RFC_EMISOR = re.compile(r"[A-Z&Ñ]{3,4}[0-9]{6}[A-Z0-9]{3}")
validar_rfc_emisor = RegexValidator(
    r"\A" + RFC_EMISOR.pattern + r"\Z", "El RFC de la dependencia tiene 3 letras, 6 dígitos y la homoclave."
)

validar_rfc = RegexValidator(r"\A" + RFC_PERSONA.pattern + r"\Z", "El RFC de persona física tiene 4 letras, 6 dígitos y la homoclave.")
