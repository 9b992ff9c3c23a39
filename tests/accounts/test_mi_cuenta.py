"""Mi cuenta (docs/reglas.md §14): name, e-mail and password links, the last sign-ins and closing the others."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import InicioSesion
from accounts.sesiones import describir_dispositivo, lugar_aproximado
from tests.fabricas import CONTRASENA

ANDROID = "Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"


def _entrar(usuario, agente, ip="187.190.44.12") -> Client:
    cliente = Client(HTTP_USER_AGENT=agente, REMOTE_ADDR=ip)
    respuesta = cliente.post(reverse("account_login"), {"login": usuario.username, "password": CONTRASENA})
    assert respuesta.status_code == 302
    return cliente


@pytest.mark.django_db
def test_the_header_links_mi_cuenta_and_it_shows_the_account(cliente_alice, alice):
    assert f'href="{reverse("mi_cuenta")}">Mi cuenta</a>' in cliente_alice.get(reverse("prestaciones")).content.decode()
    html = cliente_alice.get(reverse("mi_cuenta")).content.decode()
    assert alice.usuario.username in html and alice.usuario.email in html
    assert reverse("account_email") in html and reverse("account_change_password") in html


@pytest.mark.django_db
def test_it_lists_the_last_sign_ins_with_device_and_approximate_place(alice):
    _entrar(alice.usuario, ANDROID)
    telefono = _entrar(alice.usuario, IPHONE, ip="10.0.0.7")
    html = telefono.get(reverse("mi_cuenta")).content.decode()
    assert "Chrome en Android" in html and "Safari en iPhone" in html
    assert "Dirección 187.190.x.x" in html and "187.190.44.12" not in html and "Red local" in html
    assert "(esta sesión)" in html


@pytest.mark.django_db
def test_closing_the_other_sessions_signs_out_every_other_device(alice):
    otro = _entrar(alice.usuario, ANDROID)
    este = _entrar(alice.usuario, IPHONE)
    assert otro.get(reverse("mi_cuenta")).status_code == 200
    este.post(reverse("cerrar_las_demas_sesiones"))
    assert otro.get(reverse("mi_cuenta")).status_code == 302  # back to the login page
    assert este.get(reverse("mi_cuenta")).status_code == 200
    assert InicioSesion.objects.filter(usuario=alice.usuario, cerrada__isnull=False).count() == 1


@pytest.mark.django_db
def test_it_keeps_only_the_last_twenty(alice):
    for _ in range(23):
        _entrar(alice.usuario, ANDROID)
    assert InicioSesion.objects.filter(usuario=alice.usuario).count() == 20


def test_devices_and_places_in_words():
    assert describir_dispositivo(ANDROID) == "Chrome en Android"
    assert describir_dispositivo("") == "Dispositivo desconocido"
    assert lugar_aproximado(None) == "Ubicación no disponible" and lugar_aproximado("192.168.1.5") == "Red local"
