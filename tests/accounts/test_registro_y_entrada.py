"""Issue 12, finding 5: someone who has just registered can log in at once and reach the code page."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.accounts.test_registro import codigo_del_correo, datos_registro


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["ana.lopez", "ana@ejemplo.mx"])
def test_a_borrower_logs_in_right_after_registering_and_the_first_code_still_works(client, ana, login):
    assert client.post(reverse("account_signup"), datos_registro()).status_code == 302
    codigo = codigo_del_correo()

    otro_navegador = Client()
    for _ in range(3):  # and again: impatience is not an attack
        respuesta = otro_navegador.post(reverse("account_login"), {"login": login, "password": "Quincena-2026x"})
        assert respuesta.status_code == 302, respuesta.content.decode()[:500]
        assert respuesta.url == reverse("account_email_verification_sent")
        pagina = otro_navegador.get(respuesta.url)
        assert pagina.status_code == 200 and "Verifica tu correo" in pagina.content.decode()
    assert len(mail.outbox) == 1  # no new mail: the code already sent is still good

    respuesta = otro_navegador.post(reverse("account_email_verification_sent"), {"code": codigo})
    assert respuesta.status_code == 302
    assert EmailAddress.objects.get(email="ana@ejemplo.mx").verified
    assert "_auth_user_id" in otro_navegador.session


@pytest.mark.django_db
def test_a_new_code_is_mailed_at_login_once_the_first_one_expired(client, ana, settings, monkeypatch):
    client.post(reverse("account_signup"), datos_registro())
    import time

    ahora = time.time()
    monkeypatch.setattr(time, "time", lambda: ahora + 16 * 60)
    otro_navegador = Client()
    respuesta = otro_navegador.post(reverse("account_login"), {"login": "ana.lopez", "password": "Quincena-2026x"})
    assert respuesta.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 2
