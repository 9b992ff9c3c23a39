"""RFC con homoclave as typed at registration (docs/reglas.md §3): normalized, its format checked by python-stdnum.

stdnum's own check of the last digit stays off: some RFCs in use were issued with a wrong check digit, and
the padrón's RFC, not the algorithm, is what the registration compares against.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import rfc as stdnum_rfc


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
