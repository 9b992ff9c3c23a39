import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_it_shows_registro_and_iniciar_sesion_when_logged_out(client):
    html = client.get("/").content.decode()
    assert f'href="{reverse("account_signup")}">Registro</a>' in html
    assert f'href="{reverse("account_login")}">Iniciar sesión</a>' in html
    assert "55 4000 1000" in html and "capp@issste.gob.mx" in html


@pytest.mark.django_db
def test_it_shows_the_menu_when_logged_in(cliente_alice):
    html = cliente_alice.get("/").content.decode()
    assert f'href="{reverse("prestaciones")}">Prestaciones</a>' in html
    html = cliente_alice.get(reverse("prestaciones")).content.decode()
    assert f'href="{reverse("recuperacion")}">Recuperación de crédito</a>' in html
    assert cliente_alice.get(reverse("recuperacion")).status_code == 200


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_login(client):
    respuesta = client.get(reverse("prestaciones"))
    assert respuesta.status_code == 302 and reverse("account_login") in respuesta.url


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", ["account_login", "account_signup", "account_reset_password"])
def test_it_serves_allauth_pages_in_spanish_in_the_portal_look(client, nombre):
    html = client.get(reverse(nombre)).content.decode()
    assert 'lang="es-MX"' in html and "ISSSTE" in html and "CAPP" in html
