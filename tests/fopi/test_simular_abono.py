"""`manage.py simular_abono` plays the bank against the running portal (issue 26): signed like the bank, it is
applied, or goes to review with another amount."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hipotesis
from hypothesis import strategies as st

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
    with pytest.raises(CommandError, match="No hay un FOPI"):
        call_command("simular_abono", "²")  # a digit to str.isdigit, not to int()


@pytest.mark.parametrize(
    ("monto", "mensaje"),
    [
        ("9" * 30, "El importe es demasiado grande"),  # 30 digits: the field's limit, not a decimal error
        ("9" * 30 + ".99", "El importe es demasiado grande"),
        ("9" * 200, "Escribe el importe en pesos"),  # more digits than any Decimal context holds
        ("0", "El importe debe ser mayor que cero"),
        ("mil", "Escribe el importe en pesos"),
        (" ", "Escribe el importe en pesos"),
    ],
)
def test_an_amount_it_cannot_send_is_a_clear_message_and_nothing_is_posted(
    prestamo_alice, settings, hoy, monto, mensaje
):
    settings.SPEI_SECRETO = "secreto-de-simulacion-para-la-prueba-1234"
    hoy(date(2026, 6, 5))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    salida = io.StringIO()
    # A closed port: had it tried to post, the message would be "No se pudo conectar".
    with pytest.raises(CommandError, match=mensaje):
        call_command("simular_abono", fopi.referencia, "--monto", monto, "--url", "http://127.0.0.1:9", stdout=salida)
    assert salida.getvalue() == "" and not PagoBancario.objects.exists()


@pytest.fixture
def fopi_simulado(prestamo_alice, settings, hoy):
    settings.SPEI_SECRETO = "secreto-de-simulacion-para-la-prueba-1234"
    hoy(date(2026, 6, 5))
    return fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))


@hipotesis(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(monto=st.one_of(st.text(max_size=60), st.integers(min_value=0, max_value=10**60).map(str)))
def test_any_amount_gives_a_command_error_never_a_traceback(fopi_simulado, monto):
    """Whatever `--monto` says, the command answers in Spanish: it sends nothing it cannot, and here the portal
    is not running, so what it can send ends in "No se pudo conectar"."""
    with pytest.raises(CommandError) as error:
        call_command(
            "simular_abono",
            fopi_simulado.referencia,
            f"--monto={monto}",
            "--url",
            "http://127.0.0.1:9",
            stdout=io.StringIO(),
        )
    assert str(error.value).startswith(("Escribe el importe", "El importe", "No se pudo conectar"))
    assert not PagoBancario.objects.exists()
