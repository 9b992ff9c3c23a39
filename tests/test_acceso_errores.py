"""Issue 12, finding 11: the portal's own error pages in Spanish with the CAPP contact, private caching of
borrower pages and PDFs, and a limit on new captchas."""

import pytest
from django.test import Client
from django.urls import reverse

CAPP = ("55 4000 1000", "capp@issste.gob.mx")


def en_espanol_con_capp(respuesta, *textos) -> str:
    html = respuesta.content.decode()
    assert 'lang="es-MX"' in html and all(t in html for t in CAPP + textos), html[:3000]
    for ingles in ("Not Found", "Server Error", "Forbidden", "Too Many Requests", "Bad Request"):
        assert ingles not in html
    return html


@pytest.mark.django_db
def test_it_answers_404_in_spanish(client):
    respuesta = client.get("/no-existe/")
    assert respuesta.status_code == 404
    en_espanol_con_capp(respuesta, "No encontramos esta página")


@pytest.mark.django_db
def test_it_answers_another_borrowers_object_with_the_spanish_404(cliente_alice, prestamo_bob):
    respuesta = cliente_alice.get(reverse("prestamo", args=[prestamo_bob.folio]))
    assert respuesta.status_code == 404
    en_espanol_con_capp(respuesta)


@pytest.mark.django_db
def test_it_answers_400_in_spanish(client, settings):
    settings.ALLOWED_HOSTS = ["oficinavirtual.example.mx"]
    respuesta = client.get("/", HTTP_HOST="otro.example.com")
    assert respuesta.status_code == 400
    en_espanol_con_capp(respuesta, "No pudimos entender tu solicitud")


@pytest.mark.django_db
def test_the_losing_concurrent_signup_gets_the_spanish_403(client, ana, django_user_model, monkeypatch):
    from accounts.forms import RegistroForm
    from prestamos.models import Derechohabiente
    from tests.accounts.test_registro import datos_registro

    validar = RegistroForm.clean

    def y_otro_registro_gana(self):
        datos = validar(self)
        ganador = django_user_model.objects.create_user(username="ganador")
        Derechohabiente.objects.filter(pk=ana.pk).update(usuario=ganador)
        return datos

    monkeypatch.setattr(RegistroForm, "clean", y_otro_registro_gana)
    respuesta = client.post(reverse("account_signup"), datos_registro())
    assert respuesta.status_code == 403
    en_espanol_con_capp(respuesta, "No tienes permiso", reverse("account_reset_password"))
    assert not django_user_model.objects.filter(username="ana.lopez").exists()


@pytest.mark.django_db
def test_it_answers_a_csrf_failure_in_spanish(alice):
    cliente = Client(enforce_csrf_checks=True)
    respuesta = cliente.post(reverse("account_login"), {"login": "alice", "password": "x"})
    assert respuesta.status_code == 403
    en_espanol_con_capp(respuesta, "El formulario caducó")


@pytest.mark.django_db
def test_it_answers_500_in_spanish_without_touching_the_database(rf, django_assert_num_queries):
    from oficina import urls
    from oficina.views import error_servidor

    assert urls.handler500 == "oficina.views.error_servidor"
    with django_assert_num_queries(0):
        respuesta = error_servidor(rf.get("/"))
    assert respuesta.status_code == 500
    en_espanol_con_capp(respuesta, "Algo salió mal")


@pytest.mark.django_db
def test_a_view_that_fails_gets_the_spanish_500(monkeypatch):
    from oficina import views

    def falla(*args, **kwargs):
        raise RuntimeError("prueba")

    monkeypatch.setattr(views, "render", falla)
    respuesta = Client(raise_request_exception=False).get(reverse("inicio"))
    assert respuesta.status_code == 500
    en_espanol_con_capp(respuesta, "Algo salió mal")


@pytest.mark.django_db
def test_allauths_429_is_the_portals_spanish_page(client, alice):
    for _ in range(12):
        respuesta = client.post(reverse("account_reset_password"), {"email": "alice@ejemplo.mx"})
        if respuesta.status_code == 429:
            break
    assert respuesta.status_code == 429
    en_espanol_con_capp(respuesta, "Demasiados intentos")


@pytest.mark.django_db
def test_it_limits_new_captchas_per_client(client):
    from captcha.models import CaptchaStore

    url = "/captcha/refresh/"
    respuestas = [client.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest") for _ in range(25)]
    assert [r.status_code for r in respuestas[:20]] == [200] * 20
    assert respuestas[20].status_code == 429
    en_espanol_con_capp(respuestas[20], "Demasiados intentos")
    assert CaptchaStore.objects.count() == 20
    otro = Client(REMOTE_ADDR="192.0.2.9")
    assert otro.get(url, HTTP_X_REQUESTED_WITH="XMLHttpRequest").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", ["inicio", "prestaciones", "recuperacion", "estado_cuenta", "fopi_lista"])
def test_borrower_pages_are_private_and_not_stored(cliente_alice, prestamo_alice, nombre):
    respuesta = cliente_alice.get(reverse(nombre))
    assert respuesta.status_code == 200
    assert respuesta["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_pdfs_are_private_and_not_stored(cliente_alice, prestamo_alice):
    respuesta = cliente_alice.get(reverse("estado_cuenta_pdf"))
    assert respuesta["Content-Type"].startswith("application/pdf")
    assert respuesta["Cache-Control"] == "private, no-store"


@pytest.mark.django_db
def test_public_pages_keep_their_caching(client):
    assert "no-store" not in client.get(reverse("inicio")).get("Cache-Control", "")


@pytest.mark.django_db
def test_it_answers_405_in_spanish_keeping_the_allowed_methods(cliente_staff):
    anonimo = Client().post(reverse("account_reset_password_done"))
    assert anonimo.status_code == 405 and "GET" in anonimo["Allow"]
    en_espanol_con_capp(anonimo, "Esta página no acepta esa operación")
    respuesta = cliente_staff.get(reverse("admin_carga_reintentar", args=[1]))
    assert respuesta.status_code == 405 and respuesta["Allow"] == "POST"
    html = en_espanol_con_capp(respuesta, "Esta página no acepta esa operación")
    assert "Method Not Allowed" not in html


@pytest.mark.django_db
def test_a_405_that_already_says_why_is_left_as_it_is(client):
    respuesta = client.get(reverse("spei_abonos"))
    assert respuesta.status_code == 405 and respuesta.json() == {"error": "Envía las notificaciones con POST."}
