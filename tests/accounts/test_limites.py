"""Issue 12, findings 2 and 6: rate limits count per client behind our proxies, and per account."""

import pytest
from django.urls import reverse

from tests.fabricas import CONTRASENA

PROXY = "10.0.0.1"


def entrar(client, login, password, *, xff=None):
    extra = {"REMOTE_ADDR": PROXY}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.post(reverse("account_login"), {"login": login, "password": password}, **extra)


def dentro(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_two_clients_behind_one_trusted_proxy_do_not_lock_each_other_out(client, alice, settings):
    from django.test import Client

    settings.TRUSTED_PROXY_COUNT = 1
    atacante = Client()
    for n in range(12):
        entrar(atacante, f"nadie{n}", "mal", xff="203.0.113.5")
    assert "Demasiados" in entrar(atacante, "otro", "mal", xff="203.0.113.5").content.decode()

    respuesta = entrar(client, "alice", CONTRASENA, xff="198.51.100.7")
    assert respuesta.status_code == 302 and dentro(client)


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_changes_nothing_without_trusted_proxies(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(12):
        entrar(client, f"nadie{n}", "mal", xff=f"192.0.2.{n}")
    respuesta = entrar(client, "alice", CONTRASENA, xff="192.0.2.200")
    assert not dentro(client) and respuesta.status_code in (200, 429)


@pytest.mark.django_db
def test_addresses_the_client_prepends_are_not_the_clients(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(12):
        entrar(client, f"nadie{n}", "mal", xff=f"192.0.2.{n}, 203.0.113.5")
    entrar(client, "alice", CONTRASENA, xff="192.0.2.200, 203.0.113.5")
    assert not dentro(client)


@pytest.mark.django_db
@pytest.mark.parametrize("primero, despues", [("alice", "alice@ejemplo.mx"), ("ALICE@ejemplo.mx", "alice")])
def test_user_name_and_email_share_the_accounts_failed_login_counter(client, alice, primero, despues):
    for _ in range(5):
        entrar(client, primero, "no-es-la-buena")
    respuesta = entrar(client, despues, CONTRASENA)
    assert not dentro(client)
    assert "Demasiados" in respuesta.content.decode()


@pytest.mark.django_db
def test_another_accounts_failures_do_not_count_against_alice(client, alice, bob):
    for _ in range(5):
        entrar(client, "bob", "no-es-la-buena")
    assert entrar(client, "alice@ejemplo.mx", CONTRASENA).status_code == 302 and dentro(client)


def test_it_reads_the_nth_address_from_the_right(rf, settings):
    from oficina.cliente import ip_del_cliente

    peticion = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5, 10.0.0.9")
    for proxies, esperada in [(0, PROXY), (1, "10.0.0.9"), (2, "203.0.113.5"), (3, "1.1.1.1"), (4, PROXY)]:
        settings.TRUSTED_PROXY_COUNT = proxies
        assert ip_del_cliente(peticion) == esperada
    settings.TRUSTED_PROXY_COUNT = 1
    assert ip_del_cliente(rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="no-es-ip")) == PROXY
    assert ip_del_cliente(rf.get("/", REMOTE_ADDR=PROXY)) == PROXY
