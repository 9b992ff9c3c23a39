"""Every writer locks loans in id order (prestamos/libro.py `bloquear`): a bank file that lists its loans in
descending order and a remesa over the same loans, loaded at the same time again and again, never
deadlock and never apply anything twice. PostgreSQL: row locks."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from fopi.models import PagoBancario
from fopi.services import fopi_emitir
from oficina.importacion import importar_archivo
from prestamos import posiciones
from prestamos.calculo import Quincena
from prestamos.models import Dependencia, Movimiento, Prestamo
from tests.fabricas import ENCABEZADO, a_la_vez, filas_de, prestamos_de

PAGOS = "banco,autorizacion,fecha_pago,referencia,importe\n"
VUELTAS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_bank_file_and_a_remesa_over_the_same_loans_in_opposite_orders_never_deadlock(hoy):
    hoy(date(2026, 6, 16))
    sep = Dependencia.objects.create(clave="SEP", nombre="SEP")
    prestamos = prestamos_de(sep, 12)
    for vuelta in range(VUELTAS):
        periodo = Quincena(2026, 11 + vuelta)
        dia = hoy(periodo.vencimiento + timedelta(days=1))  # each remesa the day after its quincena
        quincena = str(periodo)
        remesa = (ENCABEZADO + "".join(f"SEP,{quincena},{f},{c},{i}\n" for f, c, i in filas_de(prestamos))).encode()
        fopis = [fopi_emitir(prestamo=p, tipo="PARCIAL", importe=D("150.00"), hoy=dia)
                 for p in reversed(prestamos)]  # the file lists the loans from the highest id down
        pagos = (PAGOS + "".join(f"BBVA,V{vuelta}-{n},{dia},{f.referencia},150.00\n"
                                 for n, f in enumerate(fopis))).encode()
        tareas = iter([lambda r=remesa: importar_archivo(r), lambda p=pagos: importar_archivo(p)])
        _, errores = a_la_vez(lambda t=tareas: next(t)(), veces=2)
        assert errores == [], f"vuelta {vuelta}: {errores}"
    assert PagoBancario.objects.filter(estado="APLICADO").count() == VUELTAS * len(prestamos)
    for prestamo in Prestamo.objects.filter(dependencia=sep):
        recibidos = Movimiento.objects.filter(prestamo=prestamo).recibidos()
        assert recibidos.filter(tipo="DESCUENTO").count() == VUELTAS
        assert recibidos.filter(tipo="PAGO").count() == VUELTAS
        assert posiciones.posicion(prestamo) == posiciones.posicion(prestamo, reproducir=True)
