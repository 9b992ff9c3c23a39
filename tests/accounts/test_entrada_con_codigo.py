"""Issue 24, low: 5 wrong passwords from anywhere lock an account (staff too); the per-account limit stays, and its
owner gets in meanwhile with a one-time code mailed to the account's address. Staff still need their TOTP."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.datos import activar_totp, codigo_totp
from tests.fabricas import CONTRASENA


def bloquear(login: str) -> None:
    for n in range(5):
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(reverse("account_login"), {"login": login, "password": "mal-2026"})


def codigo_de_entrada() -> str:
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)


def pedir_codigo(cliente, correo):
    return cliente.post(reverse("account_request_login_code"), {"email": correo})


def dentro(cliente) -> bool:
    return "_auth_user_id" in cliente.session


@pytest.mark.django_db
def test_a_locked_out_borrower_gets_in_with_a_code_sent_to_her_email(client, alice):
    bloquear("alice")
    bloqueada = client.post(reverse("account_login"), {"login": "alice", "password": CONTRASENA})
    html = bloqueada.content.decode()
    assert "Demasiados intentos" in html and reverse("account_request_login_code") in html
    assert not dentro(client)

    mail.outbox.clear()
    respuesta = pedir_codigo(client, "alice@ejemplo.mx")
    assert respuesta.status_code == 302 and respuesta.url == reverse("account_confirm_login_code")
    correo = mail.outbox[-1]
    assert correo.to == ["alice@ejemplo.mx"] and "Oficina Virtual" in correo.subject
    assert "código para entrar" in correo.body and "Si no fuiste tú" in correo.body
    pagina = client.get(reverse("account_confirm_login_code")).content.decode()
    assert "Escribe el código" in pagina
    assert client.post(reverse("account_confirm_login_code"), {"code": codigo_de_entrada()}).status_code == 302
    assert dentro(client)


@pytest.mark.django_db
def test_the_login_page_offers_the_code(client):
    html = client.get(reverse("account_login")).content.decode()
    assert reverse("account_request_login_code") in html and "Entrar con un código" in html
    pagina = client.get(reverse("account_request_login_code")).content.decode()
    assert "Te enviaremos un código" in pagina and 'name="email"' in pagina


@pytest.mark.django_db
def test_staff_locked_out_still_need_their_second_factor_after_the_code(client, staff):
    activar_totp(staff)
    bloquear("capp")
    pedir_codigo(client, "capp@ejemplo.mx")
    respuesta = client.post(reverse("account_confirm_login_code"), {"code": codigo_de_entrada()})
    assert respuesta.status_code == 302 and respuesta.url == reverse("mfa_authenticate")
    assert not dentro(client)
    assert client.post(reverse("mfa_authenticate"), {"code": codigo_totp()}).status_code == 302
    assert dentro(client)
