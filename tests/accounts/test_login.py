import pytest
from django.urls import reverse

from tests.fabricas import CONTRASENA


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["alice", "alice@ejemplo.mx"])
def test_it_logs_in_by_user_name_or_email(client, alice, login):
    respuesta = client.post(reverse("account_login"), {"login": login, "password": CONTRASENA})
    assert respuesta.status_code == 302
    html = client.get(reverse("inicio")).content.decode()
    assert "Prestaciones" in html
    assert "Cerrar sesión" in html


@pytest.mark.django_db
def test_it_refuses_a_wrong_password(client, alice):
    respuesta = client.post(reverse("account_login"), {"login": "alice", "password": "no-es-la-buena"})
    assert respuesta.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_logs_out_by_post(client, alice):
    client.force_login(alice.usuario)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_rate_limits_failed_logins(client, alice):
    for _ in range(6):
        client.post(reverse("account_login"), {"login": "alice", "password": "mal"})
    respuesta = client.post(reverse("account_login"), {"login": "alice", "password": CONTRASENA})
    assert "_auth_user_id" not in client.session
    assert respuesta.status_code in (200, 429)


@pytest.mark.django_db
def test_it_sends_a_password_reset_email(client, alice):
    from django.core import mail

    respuesta = client.post(reverse("account_reset_password"), {"email": "alice@ejemplo.mx"})
    assert respuesta.status_code == 302
    assert "Oficina Virtual" in mail.outbox[-1].subject
    assert "/cuenta/password/reset/key/" in mail.outbox[-1].body
