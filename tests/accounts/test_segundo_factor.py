"""docs/reglas.md §3: staff enter the admin only after a TOTP second factor (allauth.mfa), required of every staff
account; borrowers log in as before."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from tests.accounts.datos import SECRETO_TOTP, activar_totp, codigo_totp
from tests.fabricas import CONTRASENA


def entrar(client, login="capp"):
    return client.post(reverse("account_login"), {"login": login, "password": CONTRASENA})


@pytest.mark.django_db
def test_it_sends_staff_without_totp_to_set_it_up(client, staff):
    client.force_login(staff)
    respuesta = client.get(reverse("admin:index"))
    assert respuesta.status_code == 302 and respuesta.url.startswith(reverse("mfa_activate_totp"))


@pytest.mark.django_db
def test_it_sends_a_session_without_the_second_factor_to_the_totp_step(client, staff):
    activar_totp(staff)
    client.force_login(staff)
    for url in (reverse("admin:index"), reverse("admin:prestamos_derechohabiente_changelist"), reverse("admin_cargar_archivo")):
        respuesta = client.get(url)
        assert respuesta.status_code == 302 and respuesta.url.startswith(reverse("mfa_reauthenticate")), url


@pytest.mark.django_db
def test_staff_with_totp_are_asked_for_the_code_at_login_and_then_enter_the_admin(client, staff):
    activar_totp(staff)
    respuesta = entrar(client)
    assert respuesta.status_code == 302 and respuesta.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.post(reverse("mfa_authenticate"), {"code": codigo_totp()}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_a_new_staff_member_sets_up_totp_gets_recovery_codes_and_enters(client, staff, monkeypatch):
    entrar(client)
    respuesta = client.get(reverse("admin:index"))
    assert respuesta.url.startswith(reverse("mfa_activate_totp"))
    # allauth asks for the password again before a second factor is set up.
    pedir_contrasena = client.get(respuesta.url)
    assert pedir_contrasena.url.startswith(reverse("account_reauthenticate"))
    respuesta = client.post(pedir_contrasena.url, {"password": CONTRASENA})
    assert respuesta.status_code == 302 and respuesta.url.startswith(reverse("mfa_activate_totp"))
    pagina = client.get(respuesta.url)
    secreto = client.session["mfa.totp.secret"]
    html = pagina.content.decode()
    assert pagina.status_code == 200 and "data:image/svg+xml" in html and secreto in html
    respuesta = client.post(reverse("mfa_activate_totp"), {"code": codigo_totp(secreto)})
    assert respuesta.status_code == 302 and respuesta.url == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=staff, type="recovery_codes").exists()

    # Setting it up is not using it: the admin asks for a code once.
    respuesta = client.get(reverse("admin:index"))
    assert respuesta.url.startswith(reverse("mfa_reauthenticate"))
    import time

    despues = time.time() + 30  # a code is good once: the next one, 30 seconds later
    monkeypatch.setattr(time, "time", lambda: despues)
    respuesta = client.post(respuesta.url, {"code": codigo_totp(secreto)})
    assert respuesta.status_code == 302 and respuesta.url == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_a_recovery_code_replaces_a_lost_phone(client, staff):
    activar_totp(staff)
    codigos = RecoveryCodes.activate(staff).get_unused_codes()
    entrar(client)
    assert client.post(reverse("mfa_authenticate"), {"code": codigos[0]}).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_borrowers_log_in_without_a_second_factor(client, alice):
    assert entrar(client, "alice").url == reverse("inicio")


@pytest.mark.django_db
def test_the_fixture_secret_is_a_valid_base32_totp_secret():
    import base64

    assert len(base64.b32decode(SECRETO_TOTP)) == 20
