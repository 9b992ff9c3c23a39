"""Every FOPI carries its own CLABE (docs/reglas.md §11): issued with it, shown on its page and PDF, and given to
the FOPIs issued before SPEI by the migration."""

import importlib
from datetime import date
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fopi.clabe import es_clabe_valida
from fopi.models import Fopi
from fopi.services import fopi_emitir
from tests.fabricas import texto

HOY = date(2026, 6, 5)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["PARCIAL", "LIQUIDACION"]), min_size=1, max_size=6))
def test_every_clabe_issued_is_valid_and_unique(prestamo_alice, staff, tipos):
    # Issued by staff: the examples share one database, past the borrower's daily limit of FOPIs.
    for tipo in tipos:
        fopi_emitir(prestamo=prestamo_alice, tipo=tipo, importe=D("500.00"), hoy=HOY, usuario=staff)
    clabes = list(Fopi.objects.values_list("clabe", flat=True))
    assert all(es_clabe_valida(c) and c.startswith("6461802010") for c in clabes)
    assert len(set(clabes)) == len(clabes)


@pytest.mark.django_db
def test_its_seven_digits_are_the_fopis_number_under_the_configured_prefix(prestamo_alice, settings):
    settings.SPEI_PREFIJO = "7788"
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=HOY)
    assert fopi.clabe[:10] == "6461807788" and int(fopi.clabe[10:17]) == fopi.pk
    assert Fopi.objects.get(pk=fopi.pk).clabe == fopi.clabe


@pytest.mark.django_db
def test_the_migration_gives_a_clabe_to_the_fopis_issued_before_spei(prestamo_alice):
    migracion = importlib.import_module("fopi.migrations.0002_spei_clabe_abonos_y_avisos")
    fopis = [fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D(i), hoy=HOY) for i in (500, 600)]
    Fopi.objects.update(clabe=None)

    migracion.dar_clabe_a_los_fopi_emitidos(apps, None)

    assert [Fopi.objects.get(pk=f.pk).clabe for f in fopis] == [f.clabe for f in fopis]


@pytest.mark.django_db
def test_the_page_of_a_pending_fopi_shows_how_to_pay_it_by_spei(cliente_alice, prestamo_alice, hoy, settings):
    settings.SPEI_BENEFICIARIO = "ISSSTE Préstamos Personales"
    hoy(HOY)
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    html = cliente_alice.get(reverse("fopi_detalle", args=[fopi.pk])).content.decode()

    grupos = f"<span>{fopi.clabe[:3]}</span><span>{fopi.clabe[3:6]}</span><span>{fopi.clabe[6:17]}</span>"
    assert grupos in html  # spaced by CSS, so a hand-made copy is the 18 digits alone
    assert "ISSSTE Préstamos Personales" in html and "$1,500.00" in html and fopi.referencia in html
    # Copy buttons carry the raw values and stay hidden until the script finds a clipboard.
    for valor in (fopi.clabe, "1500.00", fopi.referencia):
        assert f'data-copiar="{valor}" hidden>' in html
    assert "fopi/copiar.js" in html and "<script>" not in html  # CSP: no inline script


@pytest.mark.django_db
def test_a_paid_or_cancelled_fopi_offers_no_clabe(cliente_alice, prestamo_alice, hoy):
    hoy(HOY)
    viejo = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=HOY)
    fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("600.00"), hoy=HOY)  # cancels it
    html = cliente_alice.get(reverse("fopi_detalle", args=[viejo.pk])).content.decode()
    assert "Cancelado" in html and "Paga por transferencia SPEI" not in html and "data-copiar" not in html


@pytest.mark.django_db
def test_the_pdf_prints_the_clabe_beneficiary_amount_and_concept(cliente_alice, prestamo_alice, hoy, settings):
    settings.SPEI_BENEFICIARIO = "ISSSTE Préstamos Personales"
    hoy(HOY)
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=HOY)
    contenido = texto(cliente_alice.get(reverse("fopi_pdf", args=[fopi.pk])).content)
    assert fopi.clabe in contenido and f"{fopi.clabe[:3]} {fopi.clabe[3:6]} {fopi.clabe[6:17]}" in contenido
    assert "ISSSTE Préstamos Personales" in contenido and "$1,500.00" in contenido
    assert "Concepto" in contenido and fopi.referencia in contenido


# --- the 9,999,999 numbers are reused (docs/reglas.md §11) ---------------------------------------------------


@pytest.fixture
def agotadas(prestamo_alice, staff, monkeypatch):
    """Five FOPIs issued long ago, then the numbers run out: the next FOPI's id is past the last number.

    Their vigencias and states are set as time would have left them, today being 05/06/2026."""
    viejos = [
        fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D(500 + i), hoy=HOY, usuario=staff)
        for i in range(5)
    ]
    estados = [  # (vigencia, estado): only the first two are dead for more than a year
        (date(2025, 5, 15), "CANCELADO"),
        (date(2025, 6, 4), "PENDIENTE"),  # never marked VENCIDO by the daily job: expired all the same
        (date(2025, 6, 6), "CANCELADO"),  # 364 days ago: not yet
        (date(2025, 1, 15), "PAGADO"),  # paid: its CLABE names a payment for good
        (date(2026, 6, 15), "PENDIENTE"),  # the current one
    ]
    for fopi, (vigencia, estado) in zip(viejos, estados, strict=True):
        Fopi.objects.filter(pk=fopi.pk).update(vigencia=vigencia, estado=estado)
    monkeypatch.setattr("fopi.services.NUMERO_MAXIMO", max(f.pk for f in viejos))
    return viejos


@pytest.mark.django_db
def test_once_the_numbers_run_out_the_clabes_of_fopis_dead_for_over_a_year_are_reused(
    prestamo_alice, staff, agotadas
):
    from django.core.exceptions import ValidationError

    nuevos = [
        fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D(900 + i), hoy=HOY, usuario=staff)
        for i in range(2)
    ]
    assert [f.clabe for f in nuevos] == [agotadas[0].clabe, agotadas[1].clabe]  # the lowest number first
    viejo = Fopi.objects.get(pk=agotadas[0].pk)
    assert viejo.clabe == agotadas[0].clabe and viejo.clabe_reasignada  # kept for the record
    with pytest.raises(ValidationError, match="No quedan cuentas CLABE"):
        fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("999.00"), hoy=HOY, usuario=staff)


@pytest.mark.django_db
def test_a_deposit_to_a_reused_clabe_pays_the_fopi_that_holds_it_now(
    client, prestamo_alice, staff, agotadas, settings, hoy
):
    from fopi.models import PagoBancario
    from tests.fopi.abonos import SECRETO, enviar, notificacion

    settings.SPEI_SECRETO = SECRETO
    hoy(HOY)
    nuevo = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("900.00"), hoy=HOY, usuario=staff)
    assert enviar(client, notificacion(nuevo, fechaOperacion=20260605)).json() == {"mensaje": "confirmar"}
    pago = PagoBancario.objects.get()
    assert (pago.fopi, pago.estado) == (nuevo, "APLICADO")
