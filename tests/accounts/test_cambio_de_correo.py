"""Issue 24, item 5 (docs/reglas.md §3, rev. 3): a new e-mail address asks for the password again, and the
account's address is told ("Si no fuiste tú, llama al CAPP"), the old one when the main address changes."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.accounts.test_registro import codigo_del_correo
from tests.fabricas import CONTRASENA

NUEVO = "ladron@ejemplo.mx"


def agregar(cliente, correo=NUEVO):
    return cliente.post(reverse("account_email"), {"action_add": "", "email": correo})


def confirmar_contrasena(cliente, pagina):
    return cliente.post(pagina, {"password": CONTRASENA})


def correos_a(direccion: str) -> list:
    return [m for m in mail.outbox if direccion in m.to]


@pytest.mark.django_db
def test_adding_an_address_asks_for_the_password_first(cliente_alice, alice):
    respuesta = agregar(cliente_alice)
    assert respuesta.status_code == 302 and respuesta.url.startswith(reverse("account_reauthenticate"))
    assert not correos_a(NUEVO) and not EmailAddress.objects.filter(email=NUEVO).exists()


@pytest.mark.django_db
def test_the_account_is_told_when_an_address_is_added_and_the_old_one_when_the_main_changes(cliente_alice, alice):
    retenida = agregar(cliente_alice)
    confirmar_contrasena(cliente_alice, retenida.url)
    assert correos_a(NUEVO), "no se envió el código al correo nuevo"
    cliente_alice.post(reverse("account_email_verification_sent"), {"code": codigo_del_correo()})
    assert EmailAddress.objects.get(email=NUEVO).verified

    aviso = correos_a("alice@ejemplo.mx")[-1]
    assert NUEVO in aviso.body and "Si no fuiste tú, llama al CAPP" in aviso.body and "55 4000 1000" in aviso.body
    assert "Oficina Virtual" in aviso.subject

    mail.outbox.clear()
    cliente_alice.post(reverse("account_email"), {"action_primary": "", "email": NUEVO})
    assert EmailAddress.objects.get(email=NUEVO).primary
    aviso = correos_a("alice@ejemplo.mx")[-1]
    assert NUEVO in aviso.body and "Si no fuiste tú, llama al CAPP" in aviso.body
