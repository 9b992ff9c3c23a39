"""Issue 24, low: a "Ñ" typed as N + U+0303 (what some phones and PDFs produce) is one character, not two."""

import unicodedata

import pytest
from django.urls import reverse

from oficina.identidad import normalizar_curp, validar_rfc
from prestamos.models import Derechohabiente
from tests.accounts.test_registro import datos_registro

RFC_NUNEZ = "NUÑA820420TR5"
RFC_NUNEZ_DESCOMPUESTO = unicodedata.normalize("NFD", RFC_NUNEZ)


def test_a_decomposed_enye_in_the_rfc_is_one_character():
    assert len(RFC_NUNEZ_DESCOMPUESTO) == 14
    assert validar_rfc(RFC_NUNEZ_DESCOMPUESTO.lower()) == RFC_NUNEZ


def test_the_curp_is_normalized_the_same_way():
    assert normalizar_curp(unicodedata.normalize("NFD", "ñuña820420")) == "ÑUÑA820420"


@pytest.mark.django_db
def test_it_registers_with_a_decomposed_enye_against_the_padrons(client, ana):
    Derechohabiente.objects.filter(pk=ana.pk).update(rfc=RFC_NUNEZ)
    respuesta = client.post(reverse("account_signup"), datos_registro(rfc=RFC_NUNEZ_DESCOMPUESTO))
    assert respuesta.status_code == 302
    assert Derechohabiente.objects.get(pk=ana.pk).usuario.username == "ana.lopez"
