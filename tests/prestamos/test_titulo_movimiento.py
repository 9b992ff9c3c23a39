"""prestamos/selectors.py `_titulo`: a movement's kind named as `get_tipo_display()` names it."""

from prestamos.models import Movimiento
from prestamos.selectors import _titulo


def test_cada_tipo_como_get_tipo_display():
    for tipo in [*Movimiento.Tipo.values, "DESCONOCIDO"]:
        movimiento = Movimiento(tipo=tipo)
        assert _titulo(movimiento) == movimiento.get_tipo_display()
    assert _titulo(Movimiento(tipo=Movimiento.Tipo.DESCUENTO)) == "Descuento vía nómina"
