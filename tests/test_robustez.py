"""Hostile input never gives a 500 and a refusal writes nothing (forms, uploaded files, URLs)."""


import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fopi.models import Fopi, PagoBancario
from oficina.importacion import ArchivoRechazado, importadores, importar_archivo
from prestamos.models import Dependencia, Derechohabiente, Movimiento, Prestamo

AJUSTES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
texto = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
hostil = st.one_of(
    texto,
    st.sampled_from(
        [
            "=cmd|' /C calc'!A0", "+SUM(1,2)", "-1", "@A1", "1e308", "NaN", "Infinity", "-0.00", "99999999999999999999",
            "2026-02-30", "0000-00-00", "2026-Q00", "2026-Q99", "\ufeffGAML850312MDFRPR02", "<script>alert(1)</script>",
            "' OR 1=1 --", "a" * 5000, "１２３４", "\x00", "١٢٣",
        ]
    ),
)


def conteos():
    return tuple(m.objects.count() for m in (Dependencia, Derechohabiente, Prestamo, Movimiento, Fopi, PagoBancario))


@pytest.mark.django_db
@AJUSTES
@given(datos=st.fixed_dictionaries({"prestamo": hostil, "tipo": hostil, "importe": hostil}))
def test_it_never_fails_on_the_fopi_form(cliente_alice, prestamo_alice, datos):
    antes = Fopi.objects.count()
    respuesta = cliente_alice.post(reverse("fopi_nuevo"), datos)
    assert respuesta.status_code in (200, 302)
    if respuesta.status_code == 200:
        assert Fopi.objects.count() == antes
    assert cliente_alice.get(reverse("fopi_nuevo"), {**datos}).status_code == 200


@pytest.mark.django_db
@AJUSTES
@given(
    datos=st.fixed_dictionaries(
        {"curp": hostil, "username": hostil, "email": hostil, "password1": hostil, "password2": hostil,
         "captcha_0": hostil, "captcha_1": hostil}
    )
)
def test_it_never_fails_on_registration_and_creates_nothing_on_refusal(client, ana, django_user_model, datos):
    antes = django_user_model.objects.count()
    respuesta = client.post(reverse("account_signup"), datos)
    assert respuesta.status_code in (200, 302, 429)
    if respuesta.status_code != 302:
        assert django_user_model.objects.count() == antes


@pytest.mark.django_db
@AJUSTES
@given(login=hostil, password=hostil)
def test_it_never_fails_on_login(client, alice, login, password):
    assert client.post(reverse("account_login"), {"login": login, "password": password}).status_code in (200, 302, 429)


@pytest.mark.django_db
@AJUSTES
@given(folio=hostil)
def test_it_never_fails_on_regularization_or_loan_urls(cliente_alice, prestamo_alice, folio):
    assert cliente_alice.post(reverse("regularizacion"), {"prestamo": folio}).status_code in (302, 404)
    from urllib.parse import quote

    url = f"/prestaciones/recuperacion-de-credito/prestamos/{quote(folio[:50], safe='')}/"
    assert cliente_alice.get(url).status_code in (200, 404)
    assert not Fopi.objects.exists()


celdas = st.lists(hostil, min_size=0, max_size=13)


@pytest.mark.django_db
@AJUSTES
@given(
    indice=st.integers(min_value=0, max_value=20),
    filas=st.lists(celdas, min_size=0, max_size=4),
    bom=st.booleans(),
    codificacion=st.sampled_from(["utf-8", "latin-1", "utf-16"]),
)
def test_it_never_fails_on_any_file_kind_and_writes_nothing_on_refusal(prestamo_alice, indice, filas, bom, codificacion):
    import csv
    import io

    clases = importadores()
    clase = clases[indice % len(clases)]
    salida = io.StringIO()
    escritor = csv.writer(salida)
    escritor.writerow(clase.columnas)
    for fila in filas:
        escritor.writerow(fila)
    contenido = ("\ufeff" if bom else "") + salida.getvalue()
    try:
        datos = contenido.encode(codificacion)
    except UnicodeEncodeError:
        datos = contenido.encode("utf-8")
    antes = conteos()
    try:
        importar_archivo(datos)
    except ArchivoRechazado as rechazo:
        assert rechazo.errores and conteos() == antes


@pytest.mark.django_db
@AJUSTES
@given(datos=st.binary(max_size=2000))
def test_it_rejects_random_bytes_cleanly(alice, datos):
    antes = conteos()
    try:
        importar_archivo(datos)
    except ArchivoRechazado:
        assert conteos() == antes


@pytest.mark.django_db
def test_it_keeps_the_statement_working_for_a_borrower_without_loans(cliente_alice):
    respuesta = cliente_alice.get(reverse("estado_cuenta"))
    assert respuesta.status_code == 200 and "$0.00" in respuesta.content.decode()
    assert cliente_alice.get(reverse("fopi_nuevo")).status_code == 200
    assert cliente_alice.get(reverse("estado_cuenta_pdf")).status_code == 200


@pytest.mark.django_db
def test_it_answers_403_with_a_message_for_an_account_outside_the_padron(cliente_staff):
    client = cliente_staff  # staff (with their second factor) have no padrón entry
    respuesta = client.get(reverse("estado_cuenta"))
    assert respuesta.status_code == 403 and "CAPP" in respuesta.content.decode()
