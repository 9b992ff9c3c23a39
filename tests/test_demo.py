import pytest
from django.core.management import call_command
from django.utils import timezone

from prestamos.models import Derechohabiente, Movimiento, Prestamo
from recuperacion.selectors import estado_de_cuenta


@pytest.mark.django_db
def test_it_loads_the_demo_twice_telling_each_borrowers_story():
    call_command("cargar_demo")
    call_command("cargar_demo")
    assert Prestamo.objects.count() == 4 and Movimiento.objects.filter(tipo="DESCUENTO").count() == 2
    hoy = timezone.localdate()
    maria = estado_de_cuenta(derechohabiente=Derechohabiente.objects.get(usuario__username="maria"), hoy=hoy)
    juan = estado_de_cuenta(derechohabiente=Derechohabiente.objects.get(usuario__username="juan"), hoy=hoy)
    ramon = estado_de_cuenta(derechohabiente=Derechohabiente.objects.get(usuario__username="ramon"), hoy=hoy)
    assert not maria.omisiones and maria.vigente.estado == "VIGENTE"
    assert any(v.liquidado for v in juan.prestamos) and juan.vigente is not None
    assert ramon.omisiones
    assert Derechohabiente.objects.filter(curp="LOSA820420MNLPNN07", usuario__isnull=True).exists()
