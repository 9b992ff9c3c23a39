from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.utils import timezone

from prestamos.models import Derechohabiente, Movimiento, Prestamo
from recuperacion.selectors import estado_de_cuenta


@pytest.mark.django_db
def test_it_loads_the_demo_twice_telling_each_borrowers_story():
    call_command("cargar_demo")
    call_command("cargar_demo")
    assert Prestamo.objects.count() == 6 and Movimiento.objects.filter(tipo="DESCUENTO").count() == 3
    hoy = timezone.localdate()
    maria = estado_de_cuenta(derechohabiente=Derechohabiente.objects.get(usuario__username="maria"), hoy=hoy)
    juan = estado_de_cuenta(derechohabiente=Derechohabiente.objects.get(usuario__username="juan"), hoy=hoy)
    ramon = estado_de_cuenta(derechohabiente=Derechohabiente.objects.get(usuario__username="ramon"), hoy=hoy)
    assert not maria.omisiones and maria.vigente.estado == "VIGENTE"
    assert any(v.liquidado for v in juan.prestamos) and juan.vigente is not None
    assert ramon.omisiones
    # Rosa, a pensioner: a monthly loan, and the pension payroll's last remesa came without her deduction.
    rosa = estado_de_cuenta(derechohabiente=Derechohabiente.objects.get(usuario__username="rosa"), hoy=hoy)
    assert str(rosa.vigente.primer_periodo).startswith(f"{hoy.year - (1 if hoy.month <= 10 else 0)}-M")
    assert rosa.vigente.prestamo.cuota == D("1405.21")
    assert rosa.omisiones and rosa.pension_suspendida and not ramon.pension_suspendida
    assert juan.prestamos[-1].fecha_termino is None
    historico = next(v for v in juan.prestamos if v.liquidado)
    assert historico.posicion.cuotas[-1].vencimiento <= historico.posicion.fecha_liquidacion
    # Issue 15, item 10: his 2019 loan ends with 2020-Q24, paid by the opening entry on its due date, the day it
    # was paid off — nothing in 2021.
    assert str(historico.posicion.cuotas[-1].periodo) == "2020-Q24"
    assert [m.fecha_valor for m in historico.movimientos] == [date(2020, 12, 31)] == [historico.posicion.fecha_liquidacion]
    assert historico.concepto(historico.movimientos[0]).detalle == "48 quincenas, de la 1ª quincena de enero de 2019 a la 2ª quincena de diciembre de 2020 (01/01/2019 – 31/12/2020)"
    assert Derechohabiente.objects.filter(curp="LOSA820420MNLPNN07", usuario__isnull=True).exists()
