"""Verification codes for the documents others rely on (docs/reglas.md §9): carta de liquidación, aviso de suspensión
de descuentos, constancia de no adeudo, comprobante de pago.

A code is random, not derived from the document: nothing about a folio or a CURP lets anyone guess
another document's code, and rotating `SECRET_KEY` does not void the papers already printed (a signed
code would). 100 bits from `secrets`, written in Crockford's base32 — digits and capitals without I, L, O
and U, so a code read aloud or typed from paper survives the usual confusions — as five groups of four.
The issued document and its code are recorded by the app that issues it (`recuperacion.verificacion`);
this module only knows what a code looks like and where it is checked.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.urls import reverse

ALFABETO = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
BITS = 100
LONGITUD = BITS // 5  # 20 characters, 5 bits each
GRUPO = 4
# What people type for what they read: Crockford's decoding rules.
_EQUIVALENTES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_SEPARADORES = str.maketrans("", "", "- \u00a0\u2010\u2011\u2012\u2013\u2014")


def nuevo_codigo() -> str:
    """A fresh code, canonical form (20 characters, no separators)."""
    numero = secrets.randbits(BITS)
    return "".join(ALFABETO[(numero >> (5 * k)) & 31] for k in reversed(range(LONGITUD)))


def agrupado(codigo: str) -> str:
    """`ABCD-EFGH-JKMN-PQRS-TVWX`: how a code is printed and put in the URL."""
    return "-".join(codigo[k : k + GRUPO] for k in range(0, len(codigo), GRUPO))


def normalizar(texto: str) -> str | None:
    """The canonical code for what someone typed or scanned, or None when it cannot be a code.

    Case, dashes and spaces do not matter, and I, L and O read as 1, 1 and 0.
    """
    if not isinstance(texto, str) or len(texto) > 3 * LONGITUD:
        return None
    codigo = texto.upper().translate(_SEPARADORES).translate(_EQUIVALENTES)
    if len(codigo) != LONGITUD or any(c not in ALFABETO for c in codigo):
        return None
    return codigo


def url_verificacion(codigo: str) -> str:
    """The public address printed and encoded in the QR: `PORTAL_URL` + `/verificar/<código>/`."""
    return settings.PORTAL_URL.rstrip("/") + reverse("verificar", args=[agrupado(codigo)])


def nombre_con_iniciales(nombre: str, *apellidos: str) -> str:
    """The name in full and each surname reduced to its initial: ("María", "López", "Sánchez") → "María L. S.".

    What a public page may show: enough to tell the document belongs to the person in front of you,
    not enough to learn someone's full name from a code.
    """
    iniciales = [f"{apellido.strip()[0].upper()}." for apellido in apellidos if apellido and apellido.strip()]
    return " ".join([" ".join(nombre.split()), *iniciales]).strip()
