""""Comprobante de pago" (docs/reglas.md §11): a PDF for every applied payment, listed in the borrower's payments,
downloadable only by its owner."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import PagoBancario
from fopi.pdf import DatosComprobante, render_comprobante
from fopi.services import fopi_emitir, pago_aplicar_a_prestamo
from oficina.importacion import importar_archivo
from tests.fabricas import FOLIO_ALICE, paginas, texto

ENCABEZADO = "banco,autorizacion,fecha_pago,referencia,importe\n"


def pagos(*filas: str):
    return importar_archivo((ENCABEZADO + "\n".join(filas) + "\n").encode())


def comprobante(**cambios) -> DatosComprobante:
    datos = dict(
        folio="CP-00000042",
        nombre="María Núñez Ibáñez",
        curp="NUIM850312MDFXBR05",
        folio_prestamo="20000000001",
        canal="Transferencia SPEI",
        importe=D("1500.00"),
        fecha_valor=date(2026, 6, 10),
        aplicado=date(2026, 6, 10),
        datos_pago=(("Clave de rastreo", "MBAN01002606100000001"), ("Banco de origen", "BBVA MÉXICO")),
        moratorios=D("0.00"),
        interes=D("143.75"),
        capital=D("1356.25"),
        excedente=D("0.00"),
    )
    datos.update(cambios)
    return DatosComprobante(**datos)


def test_it_is_one_page_with_the_payment_and_how_it_was_applied():
    pdf = render_comprobante(comprobante())
    assert pdf.startswith(b"%PDF") and paginas(pdf) == 1
    contenido = texto(pdf)
    for esperado in ("Comprobante de pago", "Folio CP-00000042", "María Núñez Ibáñez", "20000000001",
                     "Transferencia SPEI", "MBAN01002606100000001", "$1,500.00", "10/06/2026",
                     "A intereses ordinarios", "$143.75", "A capital", "$1,356.25", "Total aplicado"):
        assert esperado in contenido, esperado
    assert "Saldo a favor" not in contenido  # only when part of the payment went beyond what was owed


def test_it_shows_the_saldo_a_favor_and_the_capp_note_when_there_are():
    contenido = texto(render_comprobante(comprobante(capital=D("1000.00"), excedente=D("356.25"),
                                                     nota="Pago revisado y aplicado por el CAPP.")))
    assert "Saldo a favor (por devolver)" in contenido and "$356.25" in contenido
    assert "Pago revisado y aplicado por el CAPP." in contenido


def test_a_name_outside_winansi_still_prints():
    assert "Łukasz" in texto(render_comprobante(comprobante(nombre="Łukasz Nowak")))


@pytest.fixture
def pago_aplicado(prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,A1,2026-06-10,{fopi.referencia},1500.00")
    return PagoBancario.objects.get(autorizacion="A1")


@pytest.mark.django_db
def test_the_borrower_lists_her_payments_and_downloads_each_receipt(cliente_alice, pago_aplicado):
    html = cliente_alice.get(reverse("pago_lista")).content.decode()
    url = reverse("pago_comprobante", args=[pago_aplicado.pk])
    assert f'<a href="{url}">Comprobante de pago</a>' in html and "$1,500.00" in html and "10/06/2026" in html

    respuesta = cliente_alice.get(url)
    assert respuesta.status_code == 200 and respuesta["Content-Type"] == "application/pdf"
    contenido = texto(respuesta.content)
    assert f"Folio CP-{pago_aplicado.pk:08d}" in contenido and "Autorización" in contenido and "A1" in contenido
    assert "Pago en banco con FOPI" in contenido and FOLIO_ALICE in contenido
    movimiento = pago_aplicado.movimiento
    assert movimiento.interes + movimiento.capital + movimiento.moratorios + movimiento.excedente == D("1500.00")


@pytest.mark.django_db
def test_the_page_of_a_paid_fopi_links_its_receipt(cliente_alice, pago_aplicado):
    html = cliente_alice.get(reverse("fopi_detalle", args=[pago_aplicado.fopi_id])).content.decode()
    assert reverse("pago_comprobante", args=[pago_aplicado.pk]) in html and "Pagado el 10/06/2026" in html


@pytest.mark.django_db
def test_another_borrower_gets_404(client, pago_aplicado, prestamo_bob):
    client.force_login(prestamo_bob.derechohabiente.usuario)
    assert client.get(reverse("pago_comprobante", args=[pago_aplicado.pk])).status_code == 404
    assert "Comprobante de pago" not in client.get(reverse("pago_lista")).content.decode()


@pytest.mark.django_db
def test_a_payment_under_review_has_no_receipt_until_staff_apply_it(cliente_alice, prestamo_alice, staff):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,R1,2026-06-20,{fopi.referencia},800.00")  # after the vigencia
    pago = PagoBancario.objects.get()
    url = reverse("pago_comprobante", args=[pago.pk])
    assert cliente_alice.get(url).status_code == 404

    pago_aplicar_a_prestamo(pago=pago, prestamo=prestamo_alice, usuario=staff, motivo="Pagó tarde; se acepta")
    contenido = texto(cliente_alice.get(url).content)
    assert "Pago revisado y aplicado por el CAPP." in contenido and "$800.00" in contenido


@pytest.mark.django_db
def test_the_list_reads_a_fixed_number_of_queries(cliente_alice, prestamo_alice, django_assert_max_num_queries):
    for n in range(5):
        fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
        pagos(f"BBVA,Q{n},2026-06-10,{fopi.referencia},500.00")
    with django_assert_max_num_queries(8):
        assert cliente_alice.get(reverse("pago_lista")).content.decode().count("Comprobante de pago</a>") == 5
