"""Issue 15, items 1–2: every allauth page a borrower meets looks like the portal and speaks "tú", with the CAPP's
contact a tap away; login has one forgot-password link; the code page can send a new code."""

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core import mail
from django.urls import reverse

from tests.accounts.test_registro import codigo_del_correo, datos_registro
from tests.fabricas import CONTRASENA

# What allauth's and Django's Spanish catalogues say where the portal says "tú".
USTED = re.compile(
    r"\busted\b|\bSu (contraseña|dirección|correo|cuenta)|\bsu (contraseña|dirección|correo|cuenta)\b|Introduzca|Por favor|"
    r"¿Ha olvidado|Inténtelo|[Ee]scriba su|Debe escribir|Ha iniciado sesión|Restablecer Contraseña|Nueva contraseña \(de nuevo\)"
)
TEL = 'href="tel:+525540001000"'
CORREO = 'href="mailto:capp@issste.gob.mx"'


def _main(html: str) -> str:
    return html[html.index("<main"): html.index("</main>")]


def _revisar(html: str) -> None:
    assert not USTED.search(html), USTED.search(html).group(0)
    assert 'class="tarjeta tarjeta--angosta"' in _main(html), "sin el aspecto del portal"
    assert TEL in html and CORREO in html


def _enlace_de_recuperacion(usuario) -> str:
    return reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(usuario), "key": default_token_generator.make_token(usuario)},
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "nombre", ["account_login", "account_signup", "account_reset_password", "account_reset_password_done"]
)
def test_it_shows_the_entrance_pages_in_the_portals_look_and_voice(client, nombre):
    _revisar(client.get(reverse(nombre)).content.decode())


@pytest.mark.django_db
def test_the_password_reset_page_names_the_capp_with_its_phone_and_email(client):
    html = _main(client.get(reverse("account_reset_password")).content.decode())
    assert "Recupera tu contraseña" in html and TEL in html and CORREO in html
    assert 'class="boton">Enviarme el enlace</button>' in html


@pytest.mark.django_db
def test_it_walks_the_password_reset_in_the_portals_voice(client, alice):
    respuesta = client.post(reverse("account_reset_password"), {"email": "alice@ejemplo.mx"})
    assert respuesta.status_code == 302
    _revisar(client.get(respuesta.url, follow=True).content.decode())

    pagina = client.get(_enlace_de_recuperacion(alice.usuario), follow=True)
    html = pagina.content.decode()
    _revisar(html)
    assert "Elige tu contraseña nueva" in html and "Contraseña nueva" in html and "Al menos 10 caracteres" in html

    url = pagina.redirect_chain[-1][0]
    distintas = client.post(url, {"password1": "Quincena-2026x", "password2": "Quincena-2026y"}).content.decode()
    assert "Las dos contraseñas no son iguales" in distintas
    _revisar(distintas)

    hecho = client.post(url, {"password1": "Quincena-2026x", "password2": "Quincena-2026x"}, follow=True)
    _revisar(hecho.content.decode())
    assert "cambiaste tu contraseña" in hecho.content.decode()


@pytest.mark.django_db
def test_a_used_or_bad_reset_link_says_so_and_offers_a_new_one(client, alice):
    html = client.get(
        reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "no-sirve"}), follow=True
    ).content.decode()
    _revisar(html)
    assert "El enlace ya no sirve" in html and reverse("account_reset_password") in html


@pytest.mark.django_db
def test_an_unknown_address_gets_a_mail_in_our_voice(client):
    client.post(reverse("account_reset_password"), {"email": "nadie@ejemplo.mx"})
    correo = mail.outbox[-1]
    assert "No encontramos una cuenta" in correo.subject
    assert not USTED.search(correo.body) and "Oficina Virtual" in correo.body


@pytest.mark.django_db
@pytest.mark.parametrize("nombre", ["account_logout", "account_change_password", "account_email"])
def test_it_shows_the_logged_in_account_pages_in_the_portals_look_and_voice(cliente_alice, nombre):
    _revisar(cliente_alice.get(reverse(nombre)).content.decode())


@pytest.mark.django_db
def test_login_labels_the_user_field_and_offers_one_forgot_password_link(client):
    html = _main(client.get(reverse("account_login")).content.decode())
    assert 'for="id_login">Usuario o correo electrónico' in html
    assert html.count(reverse("account_reset_password")) == 1
    assert "¿Olvidaste tu contraseña?" in html and "placeholder" not in html


@pytest.mark.django_db
def test_a_failed_login_is_told_in_our_voice(client, alice):
    html = client.post(reverse("account_login"), {"login": "alice", "password": "no-es"}).content.decode()
    assert "El usuario o correo, o la contraseña, no son correctos" in html
    _revisar(html)


@pytest.mark.django_db
def test_it_greets_the_borrower_by_the_name_in_the_padron(client, alice):
    respuesta = client.post(reverse("account_login"), {"login": "alice", "password": CONTRASENA}, follow=True)
    html = respuesta.content.decode()
    assert "Hola, Alicia. Iniciaste sesión." in html and "alice" not in _main(html)


@pytest.mark.django_db
def test_it_greets_an_account_without_padron_by_its_user_name(client, staff):
    respuesta = client.post(reverse("account_login"), {"login": "capp", "password": CONTRASENA}, follow=True)
    assert "Hola, capp. Iniciaste sesión." in respuesta.content.decode()


@pytest.mark.django_db
def test_a_deactivated_account_is_told_to_call_the_capp(client, alice):
    alice.usuario.is_active = False
    alice.usuario.save()
    html = client.post(reverse("account_login"), {"login": "alice", "password": CONTRASENA}, follow=True).content.decode()
    assert "Tu cuenta está desactivada" in html
    _revisar(html)


@pytest.mark.django_db
def test_the_code_page_resends_a_code_and_keeps_cancel_secondary(client, ana):
    assert client.post(reverse("account_signup"), datos_registro()).status_code == 302
    primero = codigo_del_correo()
    pagina = client.get(reverse("account_email_verification_sent")).content.decode()
    _revisar(pagina)
    html = _main(pagina)
    assert '<button type="submit" class="boton">Verificar</button>' in html
    assert '<button type="submit" class="boton boton--secundario">Reenviar código</button>' in html
    assert '<button type="submit" class="boton boton--enlace">Cancelar</button>' in html

    respuesta = client.post(reverse("account_email_verification_sent"), {"action": "resend"}, follow=True)
    assert "Te enviamos un código de verificación a ana@ejemplo.mx" in respuesta.content.decode()
    assert len(mail.outbox) == 2
    nuevo = codigo_del_correo()
    assert nuevo != primero

    # The old code no longer works; the new one does.
    assert client.post(reverse("account_email_verification_sent"), {"code": primero}).status_code == 200
    assert client.post(reverse("account_email_verification_sent"), {"code": nuevo}).status_code == 302


@pytest.mark.django_db
def test_the_code_page_stops_offering_new_codes_after_three(client, ana):
    client.post(reverse("account_signup"), datos_registro())
    for _ in range(3):
        client.post(reverse("account_email_verification_sent"), {"action": "resend"})
    html = _main(client.get(reverse("account_email_verification_sent")).content.decode())
    assert "Reenviar código" not in html and "usa el del correo más reciente" in html
    assert len(mail.outbox) == 4
