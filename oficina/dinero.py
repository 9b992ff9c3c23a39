"""Money: `Decimal`, two decimals, half up, rounded once per stored amount by the one helper here
(docs/reglas.md §4). Pure: no Django. The shared base, so every layer rounds the same way."""

from decimal import ROUND_HALF_UP, Decimal

CENTAVO = Decimal("0.01")


def round2(valor: Decimal) -> Decimal:
    """Round to centavos, half up: the only rounding rule for money in the project."""
    if type(valor) is Decimal:  # nearly every call, and pages format hundreds of amounts
        return valor.quantize(CENTAVO, rounding=ROUND_HALF_UP)
    # A float has already lost centavos (0.1 + 0.2 != 0.3), so it is refused rather than "fixed".
    if isinstance(valor, float) or isinstance(valor, bool) or not isinstance(valor, (Decimal, int)):
        raise TypeError(f"round2 requiere Decimal, no {type(valor).__name__}")
    return Decimal(valor).quantize(CENTAVO, rounding=ROUND_HALF_UP)
