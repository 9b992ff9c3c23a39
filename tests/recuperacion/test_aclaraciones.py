"""A borrower files an aclaración with her payslip (docs/reglas.md §10): the form, the folio, the list with
each answer, the private payslip, and the hostile files refused without writing anything."""

import re
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.urls import reverse

from recuperacion.models import Aclaracion
from tests.accounts.datos import entrar
from tests.fabricas import FOLIO_ALICE
from tests.recuperacion import talones_prueba as t

LISTA = reverse("aclaraciones")
NUEVA = reverse("aclaracion_nueva")


def datos(talon, **cambios):
    return {
        "prestamo": FOLIO_ALICE,
        "quincena": "2026-Q11",
        "importe": "701.12",
        "talon": talon,
        "comentario": "Mi talón sí trae el descuento.",
        **cambios,
    }


def archivos_guardados(settings) -> list[Path]:
    raiz = Path(settings.MEDIA_ROOT)
    return [p for p in raiz.rglob("*") if p.is_file()] if raiz.exists() else []


@pytest.fixture
def en_julio(prestamo_alice, hoy):
    return hoy(date(2026, 7, 20))


@pytest.mark.django_db
def test_the_section_links_to_aclaraciones(cliente_alice, en_julio):
    html = cliente_alice.get(reverse("recuperacion")).content.decode()
    assert f'<a href="{LISTA}">Aclaraciones</a>' in html
    assert f'href="{NUEVA}"' in cliente_alice.get(LISTA).content.decode()


@pytest.mark.django_db
def test_the_form_has_the_contract_fields_with_labels(cliente_alice, en_julio):
    html = cliente_alice.get(NUEVA).content.decode()
    for campo in ("prestamo", "quincena", "importe", "talon", "comentario"):
        assert f'name="{campo}"' in html and f'for="id_{campo}"' in html
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert "1ª quincena de julio de 2026, del 1 al 15 de julio" in html  # the last quincena already due
    assert "2026-Q14" not in html


@pytest.mark.django_db
def test_it_files_an_aclaracion_with_a_folio_and_keeps_the_payslip_privately(cliente_alice, en_julio, settings):
    contenido = t.pdf()
    respuesta = cliente_alice.post(NUEVA, datos(t.archivo(contenido, nombre="mi talón.pdf")))
    aclaracion = Aclaracion.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == LISTA
    assert re.fullmatch(r"ACL-2026\d{6}", aclaracion.folio)
    assert (aclaracion.estado, aclaracion.importe, str(aclaracion.quincena)) == ("RECIBIDA", D("701.12"), "2026-Q11")
    assert aclaracion.talon_tipo == "application/pdf" and aclaracion.talon_nombre == "mi talón.pdf"
    [guardado] = archivos_guardados(settings)
    assert guardado.read_bytes() == contenido
    assert guardado.relative_to(settings.MEDIA_ROOT).parts[:2] == ("privado", "aclaraciones")
    assert "talón" not in guardado.name and guardado.suffix == ".pdf"  # a random name, never the borrower's
    assert guardado.stat().st_mode & 0o777 == 0o640
    html = cliente_alice.get(LISTA).content.decode()
    assert aclaracion.folio in html and "Recibida" in html and "1ª quincena de junio de 2026, del 1 al 15 de junio" in html
    assert "Aún sin respuesta" in html and f"Recibimos tu aclaración {aclaracion.folio}" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("contenido", "nombre", "mensaje"),
    [
        (t.EJECUTABLE, "talon.pdf", "no es un PDF, JPEG ni PNG"),
        (t.SVG, "talon.svg", "no es un PDF, JPEG ni PNG"),
        (t.SVG, "talon.png", "no es un PDF, JPEG ni PNG"),
        (t.pdf_con_javascript("openaction"), "talon.pdf", "JavaScript"),
        (t.pdf_con_javascript("comprimido"), "talon.pdf", "JavaScript"),
        (b"", "talon.pdf", "está vacío"),
        (b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024), "talon.pdf", "pesa 50.0 MB y el máximo es de 5 MB"),
    ],
    ids=[
        "ejecutable-renombrado",
        "svg",
        "svg-renombrado",
        "pdf-con-javascript",
        "pdf-js-comprimido",
        "cero-bytes",
        "50-mb",
    ],
)
def test_it_refuses_hostile_files_with_a_clear_message_and_writes_nothing(
    cliente_alice, en_julio, settings, contenido, nombre, mensaje
):
    respuesta = cliente_alice.post(NUEVA, datos(t.archivo(contenido, nombre=nombre)))
    assert respuesta.status_code == 200
    assert mensaje in respuesta.content.decode()
    assert not Aclaracion.objects.exists() and archivos_guardados(settings) == []


@pytest.mark.django_db
def test_a_payslip_past_the_limit_is_not_kept_while_it_uploads(rf, alice, en_julio, settings):
    """The upload handler swallows what passes the limit: the form gets only its size."""
    from django.core.files.uploadhandler import MemoryFileUploadHandler

    from recuperacion.talones import LimiteDeTalon, TalonExcedido

    settings.ACLARACION_TALON_MAXIMO = 100
    limite, memoria = LimiteDeTalon(), MemoryFileUploadHandler()
    peticion = rf.post(NUEVA, {"talon": t.archivo(b"%PDF-" + b"x" * 1000)})
    peticion.upload_handlers = [limite, memoria]
    talon = peticion.FILES["talon"]
    assert isinstance(talon, TalonExcedido) and talon.size > 100 and talon.read() == b""


@pytest.mark.django_db
def test_it_accepts_a_photo_of_the_payslip(cliente_alice, en_julio):
    cliente_alice.post(NUEVA, datos(t.archivo(t.imagen("JPEG"), nombre="IMG_2026.jpeg", tipo="image/jpeg")))
    assert Aclaracion.objects.get().talon_tipo == "image/jpeg"


@pytest.mark.django_db
def test_one_open_case_per_quincena(cliente_alice, en_julio):
    cliente_alice.post(NUEVA, datos(t.archivo(t.pdf())))
    folio = Aclaracion.objects.get().folio
    html = cliente_alice.post(NUEVA, datos(t.archivo(t.pdf()))).content.decode()
    assert f"Ya tienes la aclaración {folio} en trámite" in html and Aclaracion.objects.count() == 1
    cliente_alice.post(NUEVA, datos(t.archivo(t.pdf()), quincena="2026-Q12"))
    assert Aclaracion.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cambios", "mensaje"),
    [
        ({"quincena": "2025-Q24"}, "no es una quincena ya vencida de tu préstamo"),
        ({"importe": "7011.21"}, "tu descuento quincenal es de $701.12"),
        ({"importe": "0"}, "mayor que cero"),
        ({"importe": "abc"}, "p. ej. 3000, 3,000.00"),
        ({"quincena": "2026-Q14"}, "Elige una de las quincenas de la lista"),
        ({"prestamo": "20000000002"}, "Elige uno de tus préstamos vigentes"),
    ],
)
def test_it_explains_what_is_wrong_in_spanish(cliente_alice, en_julio, prestamo_bob, cambios, mensaje):
    html = cliente_alice.post(NUEVA, datos(t.archivo(t.pdf()), **cambios)).content.decode()
    assert mensaje in html and not Aclaracion.objects.exists()


# --- the payslip: only its borrower and staff ------------------------------------------------------------


@pytest.fixture
def aclaracion(cliente_alice, en_julio):
    cliente_alice.post(NUEVA, datos(t.archivo(t.imagen("PNG"), nombre="talon.png", tipo="image/png")))
    return Aclaracion.objects.get()


@pytest.mark.django_db
def test_the_payslip_is_shown_to_its_borrower_as_its_image_never_as_the_original(cliente_alice, aclaracion):
    respuesta = cliente_alice.get(reverse("talon_pagina", args=[aclaracion.folio, 1]))
    assert respuesta.status_code == 200 and respuesta["Content-Type"] == "image/png"
    assert respuesta.content == aclaracion.talon.open("rb").read()
    assert respuesta["Content-Disposition"] == f'inline; filename="talon-{aclaracion.folio}-1.png"'
    assert "no-store" in respuesta["Cache-Control"] and "private" in respuesta["Cache-Control"]
    assert respuesta["X-Content-Type-Options"] == "nosniff" and "sandbox" in respuesta["Content-Security-Policy"]
    assert cliente_alice.get(reverse("talon_aclaracion", args=[aclaracion.folio])).status_code == 404  # staff only


@pytest.mark.django_db
def test_the_payslip_is_a_404_for_anyone_else(client, aclaracion, prestamo_bob, django_user_model):
    url = reverse("talon_aclaracion", args=[aclaracion.folio])
    entrar(client, prestamo_bob.derechohabiente.usuario)
    assert client.get(url).status_code == 404
    sin_permiso = django_user_model.objects.create_user(username="becario", password="x", is_staff=True)
    entrar(client, sin_permiso)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login
    assert client.get(reverse("talon_aclaracion", args=["ACL-2026999999"])).status_code == 302


@pytest.mark.django_db
def test_staff_who_review_aclaraciones_see_it(client, aclaracion, staff):
    entrar(client, staff)
    assert client.get(reverse("talon_aclaracion", args=[aclaracion.folio])).status_code == 200


@pytest.mark.django_db
def test_no_public_url_serves_it(client, cliente_alice, aclaracion, settings):
    ruta = aclaracion.talon.name
    assert client.get(f"/{settings.MEDIA_URL}{ruta}").status_code == 404
    with pytest.raises(ValueError):
        _ = aclaracion.talon.url
    assert ruta not in cliente_alice.get(LISTA).content.decode()


@pytest.mark.django_db
def test_another_borrower_never_sees_the_case(client, aclaracion, prestamo_bob):
    client.get(LISTA)  # Alice reads her confirmation message (the test client keeps its cookies)
    entrar(client, prestamo_bob.derechohabiente.usuario)
    assert aclaracion.folio not in client.get(LISTA).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 8])
def test_the_pages_take_a_fixed_number_of_queries(cliente_alice, en_julio, django_assert_max_num_queries, n):
    for k in range(n):
        cliente_alice.post(NUEVA, datos(t.archivo(t.pdf()), quincena=f"2026-Q{1 + k:02d}"))
    assert Aclaracion.objects.count() == n
    with django_assert_max_num_queries(5):
        assert cliente_alice.get(LISTA).status_code == 200
    with django_assert_max_num_queries(5):
        assert cliente_alice.get(NUEVA).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "importe",
    ["٧٠١.١٢", "７０１.１２", "۷۰۱.۱۲", "७०१.१२", "701.1٢"],
    ids=["arabe-indico", "ancho-completo", "persa", "devanagari", "mezclado"],
)
def test_the_amount_takes_ascii_digits_only(cliente_alice, en_julio, settings, importe):
    """Django's DecimalField reads other scripts' digits as numbers; an amount is written 0-9 (README)."""
    respuesta = cliente_alice.post(NUEVA, datos(t.archivo(t.imagen("PNG"), nombre="talon.png"), importe=importe))
    assert respuesta.status_code == 200
    assert "Escribe el importe en pesos, p. ej. 3000, 3,000.00 o $3,000.50." in respuesta.content.decode()
    assert not Aclaracion.objects.exists() and archivos_guardados(settings) == []


def test_the_amount_staff_apply_takes_ascii_digits_only_too():
    from recuperacion.formularios import ResolverAclaracionForm

    formulario = ResolverAclaracionForm({"dictamen": "PROCEDENTE", "importe": "٧٠١.١٢"})
    assert not formulario.is_valid() and "p. ej. 3000, 3,000.00" in formulario.errors["importe"][0]
    assert ResolverAclaracionForm({"dictamen": "PROCEDENTE", "importe": "$701.12"}).is_valid()
