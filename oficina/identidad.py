"""A person's identity as the padrón records it: CURP and RFC con homoclave, normalized and validated with a
Spanish message for each part that can be wrong (docs/reglas.md §3). Shared base: the padrón's importer and
model (prestamos) and the registration (accounts) use the same rules.

CURP: python-stdnum's `stdnum.mx.curp` has the authoritative structure, state list and check digit, but its
errors are English and coarse, so each part is checked here first to tell the borrower exactly what to fix;
stdnum has the last word.

RFC: normalized, its format checked by python-stdnum. stdnum's own check of the last digit stays off: some
RFCs in use were issued with a wrong check digit, and the padrón's RFC, not the algorithm, is what the
registration compares against.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

EDAD_MINIMA = 15
ENTIDADES = frozenset(
    "AS BC BS CC CH CL CM CS DF DG GR GT HG JC MC MN MS NE NL NT OC PL QR QT "
    "SL SP SR TC TL TS VZ YN ZS".split()
)


def normalizar_curp(valor: str) -> str:
    # NFC first, as the RFC below: a decomposed "Ñ" must not count as two characters.
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFC", valor or "")).upper()


def fecha_nacimiento(curp: str) -> date | None:
    """The birth date, with the century from the 17th character (digit: 1900s, letter: 2000s)."""
    anio = int(curp[4:6]) + (1900 if curp[16].isdigit() else 2000)
    try:
        return date(anio, int(curp[6:8]), int(curp[8:10]))
    except ValueError:
        return None


def _cumple_anios(nacimiento: date, hoy: date) -> int:
    return hoy.year - nacimiento.year - ((hoy.month, hoy.day) < (nacimiento.month, nacimiento.day))


def validar_curp(valor: str, *, hoy: date | None = None) -> str:
    """Return the normalized CURP or raise ValidationError saying which part is wrong."""
    hoy = hoy or timezone.localdate()
    curp = normalizar_curp(valor)
    if len(curp) != 18:
        raise ValidationError(
            "La CURP debe tener 18 caracteres; escribiste %(n)s.", code="longitud", params={"n": len(curp)}
        )
    if not re.fullmatch(r"[A-Z]{4}", curp[:4]):
        raise ValidationError(
            "Los primeros 4 caracteres de la CURP (iniciales de apellidos y nombre) deben ser letras.",
            code="iniciales",
        )
    if not curp[4:10].isdigit():
        raise ValidationError(
            "Los caracteres 5 a 10 de la CURP deben ser números: tu fecha de nacimiento (AAMMDD).",
            code="fecha_formato",
        )
    if curp[10] not in "HM":
        raise ValidationError("El carácter 11 de la CURP (sexo) debe ser H o M.", code="sexo")
    if curp[11:13] not in ENTIDADES:
        raise ValidationError(
            "La clave de entidad federativa «%(clave)s» (caracteres 12 y 13) no existe; "
            "quien nació en el extranjero usa NE.",
            code="entidad",
            params={"clave": curp[11:13]},
        )
    if not re.fullmatch(r"[A-Z]{3}", curp[13:16]):
        raise ValidationError(
            "Los caracteres 14 a 16 de la CURP (consonantes internas) deben ser letras.", code="consonantes"
        )
    if not re.fullmatch(r"[0-9A-Z]", curp[16]):
        raise ValidationError(
            "El carácter 17 de la CURP debe ser un número (nacidos hasta 1999) o una letra (desde 2000).",
            code="siglo",
        )
    if not curp[17].isdigit():
        raise ValidationError("El último carácter de la CURP (dígito verificador) debe ser un número.", code="digito")
    nacimiento = fecha_nacimiento(curp)
    if nacimiento is None:
        raise ValidationError(
            "La fecha de nacimiento de la CURP (caracteres 5 a 10) no es una fecha real.", code="fecha_invalida"
        )
    if nacimiento > hoy:
        raise ValidationError("La fecha de nacimiento de la CURP está en el futuro.", code="fecha_futura")
    if _cumple_anios(nacimiento, hoy) < EDAD_MINIMA:
        raise ValidationError(
            "La CURP corresponde a una persona menor de %(edad)s años.", code="menor", params={"edad": EDAD_MINIMA}
        )
    if curp[17] != stdnum_curp.calc_check_digit(curp):
        raise ValidationError(
            "El dígito verificador de la CURP (último carácter) no corresponde: revisa que la hayas escrito bien.",
            code="verificador",
        )
    try:
        stdnum_curp.validate(curp)
    except StdnumError:
        raise ValidationError("La CURP no es válida.", code="invalida")
    return curp


def normalizar_rfc(valor: str) -> str:
    # NFC first: an "Ñ" typed as N + U+0303 (some phones, text copied from a PDF) is one character.
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFC", valor or "")).upper()


def validar_rfc(valor: str) -> str:
    """Return the normalized 13-character RFC of a person or raise ValidationError in Spanish."""
    rfc = normalizar_rfc(valor)
    if len(rfc) != 13:
        raise ValidationError(
            "El RFC con homoclave debe tener 13 caracteres; escribiste %(n)s.", code="longitud", params={"n": len(rfc)}
        )
    try:
        stdnum_rfc.validate(rfc)
    except StdnumError:
        raise ValidationError(
            "El RFC no tiene el formato de una persona física: 4 letras, tu fecha de nacimiento (AAMMDD) y "
            "3 caracteres de homoclave.",
            code="formato",
        )
    return rfc
