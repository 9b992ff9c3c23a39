"""Nobody opens a payslip PDF (docs/reglas.md §10, rev. 3, issue 24): staff and its borrower see its pages as
PNG images the server renders with poppler (at most 5); the original is kept for the record and reaches
staff only, as a download, never inline."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from recuperacion import talones
from tests.accounts.datos import entrar
from tests.fabricas import CONTRASENA
from tests.recuperacion import talones_prueba as t
from tests.recuperacion.test_aclaraciones_resolver import HOY, pagina, presentar

FIRMA_PNG = b"\x89PNG\r\n\x1a\n"


def ancho_alto(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.mark.parametrize("paginas", [1, 3, 5])
def test_each_page_of_a_pdf_is_rendered_to_a_png(paginas):
    contenido = t.pdf_de_paginas(paginas)
    assert talones.paginas(contenido, talones.PDF) == paginas
    imagenes = [talones.pagina_png(contenido, n) for n in range(1, paginas + 1)]
    assert all(png.startswith(FIRMA_PNG) for png in imagenes)
    assert all(max(ancho_alto(png)) == talones.LADO_MAXIMO for png in imagenes)
    assert len(set(imagenes)) == paginas  # each page its own image


def test_a_giant_page_is_scaled_not_rendered_at_its_size():
    """A MediaBox of 200 × 200 inches would be 20,000 × 20,000 pixels at 100 dpi."""
    contenido = t._pdf_minimo(
        b"<< /Type /Catalog /Pages 2 0 R >>", t.PAGINAS[0],
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] >>",
    )
    assert ancho_alto(talones.pagina_png(contenido, 1)) == (talones.LADO_MAXIMO, talones.LADO_MAXIMO)


def test_a_page_out_of_range_or_a_file_poppler_cannot_read_is_an_error_not_an_image():
    with pytest.raises(talones.TalonIlegible):
        talones.pagina_png(t.pdf(), 2)
    with pytest.raises(talones.TalonIlegible):
        talones.pagina_png(b"%PDF-1.7\n%%EOF\n", 1)


def test_an_image_payslip_is_one_page():
    assert talones.paginas(t.imagen("PNG"), talones.PNG) == talones.paginas(t.imagen("JPEG"), talones.JPEG) == 1


# --- pages ------------------------------------------------------------------------------------------------


@pytest.fixture
def operacion(django_user_model):
    usuario = django_user_model.objects.create_user(username="operacion", password=CONTRASENA, is_staff=True)
    usuario.user_permissions.set(Permission.objects.filter(codename__in=["view_aclaracion", "resolver_aclaracion"]))
    return usuario


@pytest.fixture
def caso_pdf(prestamo_alice, hoy):
    hoy(HOY)
    return presentar(prestamo_alice, talon=t.archivo(t.pdf_de_paginas(2)))


def url_pagina(caso, numero: int) -> str:
    return reverse("talon_pagina", args=[caso.folio, numero])


@pytest.mark.django_db
def test_staff_see_a_pdf_payslip_as_its_page_images_never_framed(client, operacion, caso_pdf):
    entrar(client, operacion)
    html = client.get(pagina(caso_pdf)).content.decode()

    assert "<iframe" not in html and "<object" not in html and "<embed" not in html
    for numero in (1, 2):
        assert f'<img class="expediente__talon" src="{url_pagina(caso_pdf, numero)}"' in html
        respuesta = client.get(url_pagina(caso_pdf, numero))
        assert respuesta.status_code == 200 and respuesta["Content-Type"] == "image/png"
        assert respuesta.content.startswith(FIRMA_PNG)
        assert "sandbox" in respuesta["Content-Security-Policy"] and respuesta["X-Content-Type-Options"] == "nosniff"
    assert client.get(url_pagina(caso_pdf, 3)).status_code == 404
    assert client.get(url_pagina(caso_pdf, 0)).status_code == 404
    assert f'href="{reverse("talon_aclaracion", args=[caso_pdf.folio])}"' in html  # the original, to download


@pytest.mark.django_db
def test_the_original_reaches_staff_only_and_only_as_a_download(client, operacion, caso_pdf, prestamo_alice):
    original = reverse("talon_aclaracion", args=[caso_pdf.folio])
    entrar(client, operacion)
    respuesta = client.get(original)
    assert respuesta.status_code == 200
    assert respuesta["Content-Disposition"] == f'attachment; filename="talon-{caso_pdf.folio}.pdf"'
    assert respuesta["Content-Type"] == "application/octet-stream" and "sandbox" in respuesta["Content-Security-Policy"]
    assert b"".join(respuesta.streaming_content) == caso_pdf.talon.open("rb").read()

    entrar(client, prestamo_alice.derechohabiente.usuario)
    assert client.get(original).status_code == 404


@pytest.mark.django_db
def test_the_borrower_sees_her_payslip_as_page_images_too(client, caso_pdf, prestamo_alice):
    entrar(client, prestamo_alice.derechohabiente.usuario)
    html = client.get(reverse("aclaraciones")).content.decode()
    assert f'href="{url_pagina(caso_pdf, 1)}"' in html and f'href="{url_pagina(caso_pdf, 2)}"' in html
    assert reverse("talon_aclaracion", args=[caso_pdf.folio]) + '"' not in html
    assert client.get(url_pagina(caso_pdf, 2)).content.startswith(FIRMA_PNG)


@pytest.mark.django_db
def test_an_image_payslip_is_its_own_single_page(client, operacion, prestamo_alice, hoy):
    hoy(HOY)
    caso = presentar(prestamo_alice)  # a PNG photo
    entrar(client, operacion)
    respuesta = client.get(url_pagina(caso, 1))
    assert respuesta["Content-Type"] == "image/png" and respuesta.content == caso.talon.open("rb").read()
    assert client.get(url_pagina(caso, 2)).status_code == 404


@pytest.mark.django_db
def test_pages_are_a_404_for_anyone_else(client, caso_pdf, prestamo_bob, django_user_model):
    entrar(client, prestamo_bob.derechohabiente.usuario)
    assert client.get(url_pagina(caso_pdf, 1)).status_code == 404
    entrar(client, django_user_model.objects.create_user(username="becario", password="x", is_staff=True))
    assert client.get(url_pagina(caso_pdf, 1)).status_code == 404


def test_poppler_runs_with_limits_and_a_timeout(monkeypatch):
    llamadas = []

    def run(argumentos, **opciones):
        llamadas.append((argumentos, opciones))
        raise talones.subprocess.TimeoutExpired(argumentos, opciones["timeout"])

    monkeypatch.setattr(talones.subprocess, "run", run)
    with pytest.raises(talones.TalonIlegible):
        talones.pagina_png(t.pdf(), 1)
    [(argumentos, opciones)] = llamadas
    assert argumentos[0] == talones.PDFTOPPM and "-scale-to" in argumentos
    assert opciones["timeout"] <= 30 and opciones["preexec_fn"] is talones._limitar_recursos
    assert opciones["env"] == {} and opciones["stdin"] is talones.subprocess.DEVNULL
