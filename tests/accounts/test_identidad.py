"""Issue 12, findings 1 and 3: a CURP alone does not open an account, and the form tells nothing about the
padrón until the captcha is solved; CAPP can give a CURP back to its rightful owner."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import LiberacionCurp
from prestamos.models import Derechohabiente
from tests.accounts.datos import RFC_ALICE, RFC_ANA
from tests.accounts.test_registro import datos_registro
from tests.fabricas import CURP_ALICE, CURP_ANA

User = get_user_model()


def errores(respuesta) -> dict:
    form = respuesta.context["form"]
    return {campo: [str(e) for e in lista] for campo, lista in form.errors.items()}


@pytest.mark.django_db
def test_it_refuses_a_takeover_with_the_victims_curp_and_a_wrong_rfc(client, prestamo_alice, ana):
    # The audit's scenario: a loan imported for a CURP without an account; the attacker knows the CURP only.
    Derechohabiente.objects.filter(pk=prestamo_alice.derechohabiente_id).update(usuario=None)
    datos = datos_registro(curp=CURP_ALICE, rfc="GAML850312XY1", username="intruso", email="intruso@ejemplo.mx")
    respuesta = client.post(reverse("account_signup"), datos)
    assert respuesta.status_code == 200
    assert "no coinciden con el padrón" in respuesta.content.decode()
    assert not User.objects.filter(username="intruso").exists()
    assert Derechohabiente.objects.get(curp=CURP_ALICE).usuario is None


@pytest.mark.django_db
def test_it_binds_the_account_only_when_curp_and_rfc_match(client, ana):
    respuesta = client.post(reverse("account_signup"), datos_registro(rfc=f" {RFC_ANA.lower()} "))
    assert respuesta.status_code == 302
    assert Derechohabiente.objects.get(curp=CURP_ANA).usuario.username == "ana.lopez"


@pytest.mark.django_db
def test_it_says_the_same_for_a_curp_outside_the_padron_and_a_wrong_rfc(client, ana):
    fuera = errores(client.post(reverse("account_signup"), datos_registro(curp="TOVE881130MVZRLL01")))
    rfc_malo = errores(client.post(reverse("account_signup"), datos_registro(rfc="LOSA820420TR6")))
    assert fuera == rfc_malo
    assert "55 4000 1000" in fuera["__all__"][0] and "capp@issste.gob.mx" in fuera["__all__"][0]


@pytest.mark.django_db
def test_it_refuses_a_padron_entry_without_rfc(client, ana):
    Derechohabiente.objects.filter(pk=ana.pk).update(rfc="")
    respuesta = client.post(reverse("account_signup"), datos_registro())
    assert "no coinciden con el padrón" in respuesta.content.decode()
    assert not User.objects.filter(username="ana.lopez").exists()


@pytest.mark.django_db
def test_it_says_the_curp_has_an_account_only_after_curp_and_rfc_match(client, alice):
    otro_rfc = client.post(reverse("account_signup"), datos_registro(curp=CURP_ALICE, rfc="GAML850312XY1"))
    assert "Ya existe una cuenta" not in otro_rfc.content.decode()
    assert "no coinciden con el padrón" in otro_rfc.content.decode()
    coincide = client.post(reverse("account_signup"), datos_registro(curp=CURP_ALICE, rfc=RFC_ALICE))
    html = coincide.content.decode()
    assert "Ya existe una cuenta" in html and reverse("account_reset_password") in html and "CAPP" in html


@pytest.mark.django_db
def test_it_says_nothing_about_the_curp_while_the_captcha_is_wrong(client, ana, alice):
    respuestas = [
        errores(client.post(reverse("account_signup"), datos_registro(curp=curp, rfc=rfc, captcha_1="MAL")))
        for curp, rfc in [
            ("TOVE881130MVZRLL01", "TOVE881130VZ4"),  # not in the padrón
            (CURP_ALICE, RFC_ALICE),  # has an account
            (CURP_ALICE, "GAML850312XY1"),  # wrong RFC
            (CURP_ANA, RFC_ANA),  # free
        ]
    ]
    assert all(r == respuestas[0] for r in respuestas), respuestas
    assert list(respuestas[0]) == ["captcha"]


@pytest.mark.django_db
def test_capp_gives_a_curp_back_to_its_owner_closing_the_other_account(client, cliente_staff, staff, alice):
    impostor = alice.usuario
    url = reverse("admin:accounts_liberacioncurp_add")
    motivo = "INE y talón de pago revisados en ventanilla; atención 2026-118."
    respuesta = cliente_staff.post(url, {"curp": CURP_ALICE.lower(), "motivo": motivo})
    assert respuesta.status_code == 302, respuesta.content.decode()[:2000]

    alice.refresh_from_db()
    impostor.refresh_from_db()
    assert alice.usuario is None and not impostor.is_active
    liberacion = LiberacionCurp.objects.get()
    assert (liberacion.por, liberacion.cuenta, liberacion.cuenta_usuario, liberacion.motivo) == (
        staff, impostor, "alice", motivo
    )
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(user=staff, object_id=str(liberacion.pk)).exists()

    # The rightful owner registers with CURP and RFC.
    client.logout()
    datos = datos_registro(curp=CURP_ALICE, rfc=RFC_ALICE, username="alicia.garcia", email="alicia@ejemplo.mx")
    assert client.post(reverse("account_signup"), datos).status_code == 302
    assert Derechohabiente.objects.get(curp=CURP_ALICE).usuario.username == "alicia.garcia"


@pytest.mark.django_db
def test_capp_cannot_edit_or_delete_the_record_nor_free_a_curp_without_account(cliente_staff, staff, alice, ana):
    url = reverse("admin:accounts_liberacioncurp_add")
    respuesta = cliente_staff.post(url, {"curp": CURP_ANA, "motivo": "x"})
    assert respuesta.status_code == 200 and "no tiene una cuenta vinculada" in respuesta.content.decode()
    cliente_staff.post(url, {"curp": CURP_ALICE, "motivo": "INE revisada"})
    liberacion = LiberacionCurp.objects.get()
    borrar = reverse("admin:accounts_liberacioncurp_delete", args=[liberacion.pk])
    assert cliente_staff.post(borrar, {"post": "yes"}).status_code == 403
    cambiar = reverse("admin:accounts_liberacioncurp_change", args=[liberacion.pk])
    cliente_staff.post(cambiar, {"motivo": "otro"})
    liberacion.refresh_from_db()
    assert liberacion.motivo == "INE revisada"
