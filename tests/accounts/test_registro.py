import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from prestamos.models import Derechohabiente
from tests.accounts.datos import RFC_ALICE, RFC_ANA
from tests.fabricas import CURP_ALICE, CURP_ANA

User = get_user_model()


def datos_registro(**cambios):
    datos = {
        "curp": CURP_ANA,
        "rfc": RFC_ANA,
        "username": "ana.lopez",
        "email": "ana@ejemplo.mx",
        "password1": "Quincena-2026x",
        "password2": "Quincena-2026x",
        "captcha_0": "cualquiera",
        "captcha_1": "PASSED",
    }
    datos.update(cambios)
    return datos


def codigo_del_correo() -> str:
    assert mail.outbox, "no se envió correo"
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)


@pytest.mark.django_db
def test_it_registers_with_a_padron_curp_and_verifies_by_code(client, ana):
    respuesta = client.post(reverse("account_signup"), datos_registro(curp=" losa820420mnlpnn07 "))
    assert respuesta.status_code == 302
    assert respuesta.url == reverse("account_email_verification_sent")

    usuario = User.objects.get(username="ana.lopez")
    ana.refresh_from_db()
    assert ana.usuario == usuario
    assert not EmailAddress.objects.get(user=usuario).verified

    correo = mail.outbox[-1]
    assert "Oficina Virtual" in correo.subject
    assert "Oficina Virtual" in correo.body
    assert "testserver" not in correo.body and "example.com" not in correo.body

    pagina = client.get(reverse("account_email_verification_sent"))
    assert "Verifica tu correo" in pagina.content.decode()

    respuesta = client.post(reverse("account_email_verification_sent"), {"code": codigo_del_correo()})
    assert respuesta.status_code == 302
    assert EmailAddress.objects.get(user=usuario).verified
    inicio = client.get(reverse("inicio"))
    assert "Prestaciones" in inicio.content.decode()


@pytest.mark.django_db
def test_it_refuses_a_wrong_verification_code(client, ana):
    client.post(reverse("account_signup"), datos_registro())
    respuesta = client.post(reverse("account_email_verification_sent"), {"code": "ZZZZZZ"})
    assert respuesta.status_code == 200
    assert not EmailAddress.objects.get(email="ana@ejemplo.mx").verified


def assert_nada_creado():
    assert not User.objects.filter(username="ana.lopez").exists()
    assert not EmailAddress.objects.filter(email="ana@ejemplo.mx").exists()
    assert not mail.outbox


@pytest.mark.django_db
@pytest.mark.parametrize(
    "cambios, mensaje",
    [
        ({"curp": "GAML850312MDFRPR03"}, "dígito verificador"),
        ({"curp": "ABC"}, "18 caracteres"),
        ({"curp": "TOVE881130MVZRLL01"}, "no coinciden con el padrón"),
        ({"rfc": "LOSA820420TR6"}, "no coinciden con el padrón"),
        ({"rfc": "LOSA820420"}, "13 caracteres"),
        ({"rfc": "LOSA821320TR5"}, "formato de una persona física"),
        ({"captcha_1": "EQUIVOCADO"}, "código de seguridad"),
        ({"password2": "Otra-cosa-2026"}, ""),
        ({"password1": "corta", "password2": "corta"}, ""),
    ],
)
def test_it_refuses_bad_registrations_and_creates_nothing(client, ana, cambios, mensaje):
    respuesta = client.post(reverse("account_signup"), datos_registro(**cambios))
    assert respuesta.status_code == 200
    assert mensaje in respuesta.content.decode()
    assert_nada_creado()
    ana.refresh_from_db()
    assert ana.usuario is None


@pytest.mark.django_db
def test_it_refuses_a_second_account_for_the_same_curp_pointing_to_password_recovery(client, alice):
    respuesta = client.post(reverse("account_signup"), datos_registro(curp=CURP_ALICE, rfc=RFC_ALICE))
    html = respuesta.content.decode()
    assert respuesta.status_code == 200
    assert "Ya existe una cuenta registrada con esta CURP" in html
    assert reverse("account_reset_password") in html
    assert_nada_creado()
    alice.refresh_from_db()
    assert alice.usuario.username == "alice"


@pytest.mark.django_db
def test_it_shows_the_form_with_curp_and_captcha_fields(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'name="curp"' in html and 'name="rfc"' in html and "RFC con homoclave" in html
    assert 'name="captcha_1"' in html
    assert 'name="username"' in html and 'name="password2"' in html
    assert html.index('name="curp"') < html.index('name="username"')


@pytest.mark.django_db
def test_it_removes_unverified_accounts_after_seven_days_freeing_the_curp(client, ana):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    client.post(reverse("account_signup"), datos_registro())
    User.objects.filter(username="ana.lopez").update(date_joined=timezone.now() - timedelta(days=8))
    call_command("depurar_registros")
    ana.refresh_from_db()
    assert ana.usuario is None
    assert not User.objects.filter(username="ana.lopez").exists()


@pytest.mark.django_db
def test_it_keeps_verified_and_recent_accounts(client, ana, alice):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    client.post(reverse("account_signup"), datos_registro())
    User.objects.filter(username="alice").update(date_joined=timezone.now() - timedelta(days=30))
    call_command("depurar_registros")
    assert User.objects.filter(username__in=["ana.lopez", "alice"]).count() == 2


@pytest.mark.django_db
def test_it_refuses_the_link_when_the_curp_was_taken_meanwhile(ana, django_user_model):
    from accounts.services import CurpYaRegistrada, derechohabiente_vincular_usuario

    primero = django_user_model.objects.create_user(username="primero")
    segundo = django_user_model.objects.create_user(username="segundo")
    derechohabiente_vincular_usuario(curp=ana.curp, rfc=RFC_ANA, usuario=primero)
    with pytest.raises(CurpYaRegistrada):
        derechohabiente_vincular_usuario(curp=ana.curp, rfc=RFC_ANA, usuario=segundo)
    assert Derechohabiente.objects.get(curp=ana.curp).usuario == primero
    assert not django_user_model.objects.filter(username="segundo").exists()


@pytest.mark.django_db
def test_a_wrong_captcha_shows_a_summary_at_the_top_that_says_to_retype_the_passwords(client, ana):
    """Issue 26: the errors sat ~1,200 px down on a phone and the passwords were emptied silently."""
    html = client.post(reverse("account_signup"), datos_registro(captcha_1="MAL")).content.decode()
    resumen = html.index('id="resumen-errores"')
    assert resumen < html.index('name="curp"')  # above the fields
    assert 'tabindex="-1"' in html[resumen - 200 : resumen + 200] and "js/errores.js" in html
    assert "escríbelas otra vez" in html
    assert 'value="LOSA820420MNLPNN07"' in html or "LOSA820420MNLPNN07" in html  # what she typed stays


@pytest.mark.django_db
def test_the_data_do_not_match_message_links_the_capp_phone_and_email(client, ana):
    html = client.post(reverse("account_signup"), datos_registro(rfc="LOSA820420AAA")).content.decode()
    assert "Los datos no coinciden con el padrón" in html
    assert 'href="tel:+525540001000"' in html.split("Los datos no coinciden", 1)[1][:600]
    assert 'href="mailto:capp@issste.gob.mx"' in html.split("Los datos no coinciden", 1)[1][:700]


def test_the_home_page_says_the_rfc_con_homoclave_is_needed_and_where_to_find_it(client, db):
    html = client.get("/").content.decode()
    assert "RFC con homoclave" in html and "talón de pago" in html
