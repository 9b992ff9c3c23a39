"""`manage.py simular_abono` plays the bank against the running portal (issue 26): signed like the bank, it is
applied, or goes to review with another amount."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from fopi.models import PagoBancario
from fopi.services import fopi_emitir

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_it_pays_a_fopi_through_the_spei_endpoint(live_server, prestamo_alice, settings, hoy):
    settings.SPEI_SECRETO = "secreto-de-simulacion-para-la-prueba-1234"
    hoy(date(2026, 6, 5))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    salida = io.StringIO()
    call_command("simular_abono", fopi.referencia, "--url", live_server.url, stdout=salida)
    assert '"confirmar"' in salida.getvalue()
    pago = PagoBancario.objects.get()
    assert pago.estado == "APLICADO" and pago.importe == D("1500.00")

    call_command("simular_abono", fopi.clabe, "--monto", "$1,400.00", "--url", live_server.url, stdout=salida)
    assert PagoBancario.objects.filter(estado="EN_REVISION", importe=D("1400.00")).exists()


def test_an_unknown_fopi_is_a_clear_message(db):
    with pytest.raises(CommandError, match="No hay un FOPI"):
        call_command("simular_abono", "9" * 22)
