"""Issue 15, item 8: the CAPP's phone is a tel: link and its e-mail a mailto: link on every page — the footer
of each, and the text of the error pages (the 500 renders without context processors or database)."""

import pytest
from django.test import Client
from django.urls import reverse

TEL = '<a class="contacto__tel" href="tel:+525540001000">55 4000 1000, opción 5 (CAPP)</a>'
CORREO = '<a class="contacto__correo" href="mailto:capp@issste.gob.mx">capp@issste.gob.mx</a>'


def _contactos(html: str) -> int:
    return min(html.count(TEL), html.count(CORREO))


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/cuenta/login/", "/cuenta/signup/", "/verificar/"])
def test_every_page_carries_the_capp_contact_as_links(client, url):
    assert _contactos(client.get(url).content.decode()) >= 1


@pytest.mark.django_db
def test_a_borrowers_pages_carry_it_too(cliente_alice, prestamo_alice):
    for nombre in ("prestaciones", "recuperacion", "estado_cuenta", "fopi_nuevo"):
        assert _contactos(cliente_alice.get(reverse(nombre)).content.decode()) >= 1, nombre


@pytest.mark.django_db
def test_the_error_pages_name_the_capp_with_links(client, rf):
    from oficina.views import error_servidor

    assert _contactos(client.get("/no-existe/").content.decode()) == 2  # the text and the footer
    assert _contactos(error_servidor(rf.get("/")).content.decode()) == 2
    assert _contactos(Client(enforce_csrf_checks=True).post(reverse("account_login")).content.decode()) == 2
