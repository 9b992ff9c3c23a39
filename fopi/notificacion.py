"""An STP-style SPEI deposit notification (docs/reglas.md §11): its signature and its fields, checked.

The bank posts a JSON body and signs it: header `X-Firma` = hex HMAC-SHA256 of the raw body with the
shared secret. Plain HMAC rather than Django's `salted_hmac`, because the other side computes it with its
own tools from the secret alone. Everything here answers with a value or with `NotificacionInvalida`
(its message in Spanish, for the 400 answer), whatever the body holds: malformed JSON, missing fields,
wrong types, huge numbers, other scripts' digits. Pure functions, no Django imports.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

# A notification is about 1 KB; anything much larger is not one.
TAMANIO_MAXIMO = 16 * 1024
# PagoBancario.importe / Movimiento.importe: 12 digits, 2 of them decimals.
MONTO_MAXIMO = Decimal("9999999999.99")
CENTAVO = Decimal("0.01")

CAMPOS = (
    "id",
    "fechaOperacion",
    "institucionOrdenante",
    "claveRastreo",
    "monto",
    "cuentaBeneficiario",
    "nombreOrdenante",
    "cuentaOrdenante",
    "conceptoPago",
)

# `[0-9]`, never `\d`: \d matches other scripts' digits too, which int() and Decimal() would read.
_CLAVE_RASTREO = re.compile(r"[A-Za-z0-9]{1,30}")
_ID = re.compile(r"[A-Za-z0-9-]{1,40}")
_DIGITOS = re.compile(r"[0-9]+")
_MONTO = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?")
_FIRMA = re.compile(r"[0-9a-f]{64}")
# Bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the
# left-to-right / right-to-left marks. In a payer's name they reorder what staff and the receipt show, so a
# name can pass for a CLABE or a reference; a Mexican bank's name or concept never needs them.
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F])


class NotificacionInvalida(ValueError):
    """The body is not a deposit notification we can record; the message says why, in Spanish."""


@dataclass(frozen=True)
class Abono:
    id: str
    fecha_operacion: date
    institucion_ordenante: str
    clave_rastreo: str
    monto: Decimal
    cuenta_beneficiario: str
    nombre_ordenante: str
    cuenta_ordenante: str
    concepto_pago: str


def firmar(cuerpo: bytes, secreto: str) -> str:
    """The hex HMAC-SHA256 of the raw body: what the bank sends in `X-Firma` (and what bench/spei.py does)."""
    return hmac.new(secreto.encode(), cuerpo, hashlib.sha256).hexdigest()


def firma_valida(cuerpo: bytes, firma: str, secreto: str) -> bool:
    """Compared in constant time; without a configured secret nothing is valid."""
    if not secreto or not isinstance(firma, str):
        return False
    firma = firma.strip().lower()
    if _FIRMA.fullmatch(firma) is None:  # also keeps non-ASCII text away from compare_digest
        return False
    return hmac.compare_digest(firmar(cuerpo, secreto).encode(), firma.encode())


def _constante(nombre: str):
    raise NotificacionInvalida(f"El JSON contiene «{nombre}», que no es un número válido.")


def leer(cuerpo: bytes) -> Abono:
    """The deposit in `cuerpo` (a signed body), or NotificacionInvalida."""
    if len(cuerpo) > TAMANIO_MAXIMO:
        raise NotificacionInvalida("La notificación es demasiado grande.")
    try:
        texto = cuerpo.decode("utf-8")
    except UnicodeDecodeError:
        raise NotificacionInvalida("La notificación debe estar codificada en UTF-8.") from None
    try:
        # Decimals straight from the text: a float would turn 1234.56 into 1234.5599999…
        datos = json.loads(texto, parse_float=Decimal, parse_constant=_constante)
    except NotificacionInvalida:
        raise
    except (ValueError, RecursionError):  # JSONDecodeError, an integer of thousands of digits, deep nesting
        raise NotificacionInvalida("La notificación no es un JSON válido.") from None
    if not isinstance(datos, dict):
        raise NotificacionInvalida("La notificación debe ser un objeto JSON.")
    faltan = [c for c in CAMPOS if c not in datos]
    if faltan:
        raise NotificacionInvalida(f"Faltan campos: {', '.join(f'«{c}»' for c in faltan)}.")
    return Abono(
        id=_id(datos["id"]),
        fecha_operacion=_fecha(datos["fechaOperacion"]),
        institucion_ordenante=_numerico(datos["institucionOrdenante"], "institucionOrdenante", 10),
        clave_rastreo=_clave_rastreo(datos["claveRastreo"]),
        monto=_monto(datos["monto"]),
        cuenta_beneficiario=_numerico(datos["cuentaBeneficiario"], "cuentaBeneficiario", 20, texto_solo=True),
        nombre_ordenante=_texto(datos["nombreOrdenante"], "nombreOrdenante", 120),
        cuenta_ordenante=_texto(datos["cuentaOrdenante"], "cuentaOrdenante", 20, numero=True),
        concepto_pago=_texto(datos["conceptoPago"], "conceptoPago", 120),
    )


def _es_entero(valor) -> bool:
    return isinstance(valor, int) and not isinstance(valor, bool)  # JSON true is not 1


def _id(valor) -> str:
    if _es_entero(valor) and 0 <= valor < 10**18:
        return str(valor)
    if isinstance(valor, str) and _ID.fullmatch(valor):
        return valor
    raise NotificacionInvalida("«id» debe ser un número entero o un texto de hasta 40 letras y números.")


def _fecha(valor) -> date:
    texto = str(valor) if _es_entero(valor) else valor
    if not isinstance(texto, str) or len(texto) != 8 or _DIGITOS.fullmatch(texto) is None:
        raise NotificacionInvalida("«fechaOperacion» debe tener el formato AAAAMMDD.")
    try:
        return date(int(texto[:4]), int(texto[4:6]), int(texto[6:]))
    except ValueError:
        raise NotificacionInvalida(f"«fechaOperacion» no es una fecha del calendario: {texto}.") from None


def _numerico(valor, campo: str, longitud: int, *, texto_solo: bool = False) -> str:
    if _es_entero(valor) and not texto_solo and 0 <= valor < 10**longitud:
        return str(valor)
    if isinstance(valor, str) and len(valor) <= longitud and _DIGITOS.fullmatch(valor):
        return valor
    tipo = "un texto" if texto_solo else "un número o un texto"
    raise NotificacionInvalida(f"«{campo}» debe ser {tipo} de 1 a {longitud} dígitos (0-9).")


def _clave_rastreo(valor) -> str:
    if isinstance(valor, str) and _CLAVE_RASTREO.fullmatch(valor):
        return valor
    raise NotificacionInvalida("«claveRastreo» debe ser un texto de 1 a 30 letras y números, sin espacios.")


def _monto(valor) -> Decimal:
    if _es_entero(valor) or isinstance(valor, Decimal):
        monto = Decimal(valor)
    elif isinstance(valor, str) and _MONTO.fullmatch(valor):
        monto = Decimal(valor)
    else:
        raise NotificacionInvalida("«monto» debe ser un número con hasta dos decimales, p. ej. 1500.00.")
    if not monto.is_finite() or not 0 < monto <= MONTO_MAXIMO:
        raise NotificacionInvalida("«monto» debe ser mayor que cero y menor que 10,000,000,000.00.")
    try:
        exacto = monto == monto.quantize(CENTAVO)
    except InvalidOperation:
        exacto = False
    if not exacto:
        raise NotificacionInvalida("«monto» admite hasta dos decimales (centavos).")
    return monto.quantize(CENTAVO)


def _texto(valor, campo: str, longitud: int, *, numero: bool = False) -> str:
    """Names and concepts are shown, not matched: cleaned and cut rather than refused, so a deposit is
    never bounced over an ordering bank's formatting."""
    if numero and _es_entero(valor) and valor >= 0:
        valor = str(valor)
    if not isinstance(valor, str):
        raise NotificacionInvalida(f"«{campo}» debe ser un texto.")
    # Control characters (NUL among them, which PostgreSQL refuses) become spaces; lone surrogates (not
    # UTF-8, so not storable) and bidirectional controls go.
    valor = valor.translate(_BIDI)
    limpio = "".join(" " if (categoria := unicodedata.category(c)) == "Cc" else "" if categoria == "Cs" else c
                     for c in valor)
    return " ".join(limpio.split())[:longitud]
