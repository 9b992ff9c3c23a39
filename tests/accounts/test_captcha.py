"""Issue 15, item 3: the registration captcha can be changed for another image and, where the speech synthesizer
is installed, heard; its characters have no look-alikes."""

import pytest
from django.urls import reverse

from accounts.captcha import CARACTERES, reto_sin_confusiones


def test_it_draws_codes_without_look_alike_characters():
    for _ in range(200):
        reto, respuesta = reto_sin_confusiones()
        assert len(reto) == 5 and set(reto) <= set(CARACTERES) and respuesta == reto.lower()
    assert not set("OQ0IL1SZ2B8G") & set(CARACTERES)


@pytest.mark.django_db
def test_it_offers_another_image_as_a_link_that_works_without_javascript(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert '<a href="" class="captcha__otra" data-captcha-otra data-url="/captcha/refresh/">Otra imagen</a>' in html
    assert 'name="captcha_0"' in html and 'name="captcha_1"' in html
    assert "/static/js/captcha.js" in html


@pytest.mark.django_db
def test_without_flite_it_offers_no_audio_and_points_to_the_capp(client, monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", None)
    html = client.get(reverse("account_signup")).content.decode()
    assert "Escuchar el código" not in html
    assert "¿No puedes ver la imagen?" in html and 'href="tel:+525540001000"' in html


@pytest.mark.django_db
def test_with_flite_it_offers_the_code_as_audio(client, monkeypatch):
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", "/usr/bin/flite")
    html = client.get(reverse("account_signup")).content.decode()
    assert 'class="captcha__audio" data-captcha-audio>Escuchar el código</a>' in html
    assert "/captcha/audio/" in html


@pytest.mark.django_db
def test_the_refresh_answers_a_new_key_and_image_for_the_script(client):
    respuesta = client.get("/captcha/refresh/", HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    datos = respuesta.json()
    assert respuesta.status_code == 200 and datos["image_url"] == f"/captcha/image/{datos['key']}/"
