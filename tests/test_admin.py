import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:prestamos_dependencia_changelist",
        "admin:prestamos_derechohabiente_changelist",
    ],
)
def test_it_answers_200_for_staff(cliente_staff, alice, url):
    assert cliente_staff.get(reverse(url)).status_code == 200


@pytest.mark.django_db
def test_it_searches_and_filters_the_padron(cliente_staff, alice, bob):
    url = reverse("admin:prestamos_derechohabiente_changelist")
    html = cliente_staff.get(url, {"q": alice.curp.lower()}).content.decode()
    assert alice.curp in html and bob.curp not in html
    html = cliente_staff.get(url, {"dependencia__id__exact": bob.dependencia_id}).content.decode()
    assert bob.curp in html and alice.curp not in html
    html = cliente_staff.get(url, {"con_cuenta": "no"}).content.decode()
    assert alice.curp not in html


@pytest.mark.django_db
def test_it_refuses_borrowers(cliente_alice):
    respuesta = cliente_alice.get(reverse("admin:prestamos_derechohabiente_changelist"))
    assert respuesta.status_code in (302, 403)
    assert cliente_alice.get(reverse("admin:index")).status_code in (302, 403)


@pytest.mark.django_db
def test_it_sends_anonymous_admin_visitors_to_the_rate_limited_login(client):
    respuesta = client.get(reverse("admin:login"))
    assert respuesta.status_code == 302 and reverse("account_login") in respuesta.url
