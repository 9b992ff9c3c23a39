"""The borrower's documents (SPEC §9): what each PDF says, whose loans they may be about, and their codes."""

import re
from datetime import date

import pytest
from django.urls import reverse

from oficina.verificacion import agrupado
from prestamos.models import Derechohabiente, Prestamo
from recuperacion.models import DocumentoVerificable
from tests.fabricas import CURP_ALICE, cargar_prestamos, texto

FOLIO_ANTIGUO = "10000000009"  # Alice's loan paid off in 2020, loaded as history


def plano(pdf: bytes) -> str:
    return " ".join(texto(pdf).split())


@pytest.fixture
def antiguo(alice):
    Derechohabiente.objects.filter(pk=alice.pk).update(rfc="GAML850312AB1", segundo_apellido="Sánchez")
    cargar_prestamos(f"{FOLIO_ANTIGUO},{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    return Prestamo.objects.get(folio=FOLIO_ANTIGUO)


def codigo_en(pdf: bytes) -> str:
    return re.search(r"Código de verificación: ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4})", plano(pdf)).group(1)


# --- Carta de liquidación ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_carta_carries_the_same_code_on_every_download(cliente_alice, antiguo, hoy, client):
    hoy(date(2026, 6, 5))
    primera = cliente_alice.get(reverse("carta_liquidacion", args=[FOLIO_ANTIGUO])).content
    hoy(date(2026, 8, 1))
    segunda = cliente_alice.get(reverse("carta_liquidacion", args=[FOLIO_ANTIGUO])).content

    documento = DocumentoVerificable.objects.get()
    assert documento.tipo == "CARTA_LIQUIDACION" and documento.prestamo == antiguo
    assert codigo_en(primera) == codigo_en(segunda) == agrupado(documento.codigo)
    assert "Ciudad de México, a 05/06/2026" in plano(segunda)  # the date of first issue, on every copy
    assert f"Folio: {documento.folio}" in plano(segunda)

    client.logout()
    pagina = client.get(reverse("verificar", args=[codigo_en(segunda)])).content.decode()
    assert "Documento válido" in pagina and documento.folio in pagina and "Alicia G. S." in pagina
