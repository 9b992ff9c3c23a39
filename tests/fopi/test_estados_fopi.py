"""A FOPI's state as the borrower sees it (SPEC §13, docs/reglas.md §13): Pendiente de pago, Pagado (no payment
instructions any more), Pagado con diferencia, Vencido (with any late payment), Cancelado (replaced by FOPI n);
the PDF of an expired or cancelled one marked across the page."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import PagoBancario
from fopi.selectors import EstadoFopi
from fopi.services import fopi_emitir, pago_aplicar_a_prestamo
from oficina.importacion import importar_archivo
from tests.fabricas import texto

ENCABEZADO = "banco,autorizacion,fecha_pago,referencia,importe\n"


def pagos(*filas: str):
    return importar_archivo((ENCABEZADO + "\n".join(filas) + "\n").encode())


@pytest.fixture
def fopi(prestamo_alice):
    return fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1426.08"), hoy=date(2026, 6, 5))


def detalle(cliente, fopi) -> str:
    return cliente.get(reverse("fopi_detalle", args=[fopi.pk])).content.decode()


def test_the_state_is_an_enum_with_label_and_class():
    assert EstadoFopi.PAGADO_CON_DIFERENCIA.etiqueta == "Pagado con diferencia"
    assert all(e.clase.startswith("estado--") for e in EstadoFopi)


@pytest.mark.django_db
def test_pending_shows_the_instructions(cliente_alice, fopi, hoy):
    hoy(date(2026, 6, 6))
    html = detalle(cliente_alice, fopi)
    assert "Pendiente de pago" in html and fopi.clabe in html and "ventanilla" in html


@pytest.mark.django_db
def test_paid_hides_every_payment_instruction(cliente_alice, fopi, hoy):
    hoy(date(2026, 6, 12))
    pagos(f"BBVA,P1,2026-06-10,{fopi.referencia},1426.08")
    html = detalle(cliente_alice, fopi)
    assert "estado--pagado" in html and ">Pagado el 10/06/2026<" in html
    assert fopi.clabe not in html and "Paga por transferencia SPEI" not in html and "ventanilla" not in html
    assert "Comprobante de pago" in html


@pytest.mark.django_db
def test_paid_with_a_difference_says_what_is_still_owed(cliente_alice, fopi, staff, hoy):
    hoy(date(2026, 6, 12))
    pagos(f"BBVA,D1,2026-06-10,{fopi.referencia},1400.00")
    assert detalle(cliente_alice, fopi).count("Pendiente de pago") >= 1
    html = detalle(cliente_alice, fopi)
    assert "recibimos $1,400.00 el 10/06/2026: está en revisión" in html.lower()
    pago_aplicar_a_prestamo(pago=PagoBancario.objects.get(), prestamo=fopi.prestamo, usuario=staff, motivo="Se acepta")
    fopi.refresh_from_db()
    assert fopi.estado == "PAGADO" and fopi.pagado_el == date(2026, 6, 10)
    html = detalle(cliente_alice, fopi)
    assert "Pagado con diferencia" in html and "$26.08" in html and fopi.clabe not in html
    assert reverse("fopi_nuevo") in html


@pytest.mark.django_db
def test_expired_shows_a_late_payment(cliente_alice, fopi, hoy):
    hoy(date(2026, 7, 21))
    pagos(f"BBVA,V1,2026-07-20,{fopi.referencia},500.00")
    html = detalle(cliente_alice, fopi)
    assert ">Vencido<" in html and "recibimos $500.00 el 20/07/2026: está en revisión" in html.lower()
    assert fopi.clabe not in html


@pytest.mark.django_db
def test_cancelled_names_the_fopi_that_replaced_it(cliente_alice, fopi, hoy):
    hoy(date(2026, 6, 6))
    nuevo = fopi_emitir(prestamo=fopi.prestamo, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 6, 6))
    html = detalle(cliente_alice, fopi)
    assert ">Cancelado<" in html and f"reemplazado por el FOPI núm. {nuevo.secuencia:03d}" in html
    assert reverse("fopi_detalle", args=[nuevo.pk]) in html and fopi.clabe not in html
    lista = cliente_alice.get(reverse("fopi_lista")).content.decode()
    assert "estado--cancelado" in lista and "estado--pendiente" in lista


@pytest.mark.django_db
@pytest.mark.parametrize("marca", ["VENCIDO", "CANCELADO"])
def test_an_old_fopi_pdf_still_downloads_marked(cliente_alice, fopi, hoy, marca):
    if marca == "CANCELADO":
        hoy(date(2026, 6, 6))
        fopi_emitir(prestamo=fopi.prestamo, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 6, 6))
    else:
        hoy(date(2026, 7, 1))
    respuesta = cliente_alice.get(reverse("fopi_pdf", args=[fopi.pk]))
    assert respuesta.status_code == 200 and marca in texto(respuesta.content)


@pytest.mark.django_db
def test_a_pending_fopi_pdf_has_no_mark(cliente_alice, fopi, hoy):
    hoy(date(2026, 6, 6))
    contenido = texto(cliente_alice.get(reverse("fopi_pdf", args=[fopi.pk])).content)
    assert "VENCIDO" not in contenido and "CANCELADO" not in contenido


@pytest.mark.django_db
def test_pages_read_a_fixed_number_of_queries(cliente_alice, prestamo_alice, hoy, django_assert_max_num_queries):
    hoy(date(2026, 6, 6))
    for _ in range(6):
        f = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,F1,2026-06-06,{f.referencia},450.00")
    with django_assert_max_num_queries(8):
        cliente_alice.get(reverse("fopi_lista"))
    with django_assert_max_num_queries(10):
        cliente_alice.get(reverse("fopi_detalle", args=[f.pk]))


@pytest.mark.django_db
def test_another_borrower_gets_404(client, fopi, bob):
    client.force_login(bob.usuario)
    assert client.get(reverse("fopi_detalle", args=[fopi.pk])).status_code == 404
    assert client.get(reverse("fopi_pdf", args=[fopi.pk])).status_code == 404


@pytest.mark.django_db
def test_a_new_fopi_leaves_an_expired_one_vencido_not_cancelled(cliente_alice, fopi, hoy):
    hoy(date(2026, 7, 1))
    fopi_emitir(prestamo=fopi.prestamo, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 7, 1))
    fopi.refresh_from_db()
    assert fopi.estado == "VENCIDO"
    assert ">Vencido<" in detalle(cliente_alice, fopi)


@pytest.mark.django_db
def test_the_page_and_pdf_of_a_pending_fopi_read_no_other_fopi(
    cliente_alice, prestamo_alice, hoy, django_assert_max_num_queries
):
    """The load test's two GETs: a pending FOPI's page reads the FOPI, its payments and the banks (another FOPI only
    names the one that replaced a cancelled FOPI); its PDF, only the FOPI and the banks (the mark across the page
    comes from the FOPI's own state). Plus session, user and padrón entry."""
    hoy(date(2026, 6, 6))
    for _ in range(3):
        f = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    with django_assert_max_num_queries(6):
        assert cliente_alice.get(reverse("fopi_detalle", args=[f.pk])).status_code == 200
    with django_assert_max_num_queries(5):
        assert cliente_alice.get(reverse("fopi_pdf", args=[f.pk])).status_code == 200


@pytest.mark.django_db
def test_the_pdf_mark_is_the_pages_state_for_every_state(cliente_alice, prestamo_alice, staff, hoy):
    """The PDF reads its mark from the FOPI alone: the same as the page's state in each case."""
    from fopi.models import Fopi
    from fopi.selectors import marca_de, vistas_fopi

    hoy(date(2026, 6, 6))
    cancelado = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    pagado = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("600.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,M1,2026-06-06,{pagado.referencia},600.00")
    vencido = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 6, 6))
    pendiente = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("700.00"), hoy=date(2026, 6, 6))
    # Still pending in the table but past its vigencia: expired before the daily job marks it.
    Fopi.objects.filter(pk=vencido.pk).update(estado="PENDIENTE", vigencia=date(2026, 6, 1))
    fopis = list(
        Fopi.objects.filter(pk__in=[cancelado.pk, pagado.pk, pendiente.pk, vencido.pk]).select_related("prestamo")
    )
    marcas = {v.fopi.pk: v.estado.marca for v in vistas_fopi(fopis, hoy=date(2026, 6, 6))}
    assert marcas == {f.pk: marca_de(f, hoy=date(2026, 6, 6)) for f in fopis}
    assert marcas == {cancelado.pk: "CANCELADO", pagado.pk: "", pendiente.pk: "", vencido.pk: "VENCIDO"}
    for f in fopis:
        contenido = texto(cliente_alice.get(reverse("fopi_pdf", args=[f.pk])).content)
        for marca in ("VENCIDO", "CANCELADO"):
            assert (marca in contenido) == (marcas[f.pk] == marca)
