"""Pagos en exceso (docs/reglas.md §6, rev. 3): a remesa for a period the borrower already paid is saldo a
favor with its origin on the page; the borrower chooses "Abonar a capital" or "Solicitar devolución"; an
aclaración procedente for a regularized period returns the moratorios paid for it."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from prestamos import posiciones
from prestamos.calculo import Quincena
from prestamos.models import Movimiento
from prestamos.services import prestamo_aplicar_pago
from recuperacion.devoluciones import devolucion_solicitar
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, remesa

URL = reverse("saldo_a_favor")
CUOTA = D("701.12")


@pytest.fixture
def pagado_dos_veces(prestamo_alice, hoy):
    """Alice paid Q11 at the bank on 18/06 (after its due date); on 20/06 the SEP's remesa brings Q11 too."""
    hoy(date(2026, 6, 20))
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=CUOTA, fecha_valor=date(2026, 6, 18), tipo="PAGO",
                          origen="FOPI")
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    return prestamo_alice


@pytest.mark.django_db
def test_the_page_says_where_the_saldo_a_favor_came_from(pagado_dos_veces, cliente_alice, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        html = cliente_alice.get(URL).content.decode()
    assert "$701.12" in html
    assert "Pago en exceso: la remesa de la 1ª quincena de junio de 2026" in html and "trajo $701.12 que ya habías pagado" in html
    assert "Abonar a capital" in html and "Solicitar devolución" in html


@pytest.mark.django_db
def test_abonar_a_capital_moves_it_to_the_loan_and_shortens_the_term(pagado_dos_veces, cliente_alice):
    antes = posiciones.posicion(pagado_dos_veces)
    respuesta = cliente_alice.post(reverse("saldo_a_favor_abonar"), {"prestamo": FOLIO_ALICE}, follow=True)
    assert "Abonamos $701.12 de tu saldo a favor" in respuesta.content.decode()
    despues = posiciones.posicion(pagado_dos_veces)
    assert despues.excedentes == 0 and despues.capital_insoluto == antes.capital_insoluto - CUOTA
    assert len(despues.cuotas) < len(antes.cuotas)  # the cuota stays, the term shortens
    abono = Movimiento.objects.get(prestamo=pagado_dos_veces, tipo=Movimiento.Tipo.ABONO_SALDO)
    assert abono.capital == CUOTA and abono.registrado_por is not None
    assert posiciones.posicion(pagado_dos_veces) == posiciones.posicion(pagado_dos_veces, reproducir=True)


@pytest.mark.django_db
def test_another_borrowers_loan_cannot_be_abonado(pagado_dos_veces, prestamo_bob, client, bob):
    client.force_login(bob.usuario)
    assert client.post(reverse("saldo_a_favor_abonar"), {"prestamo": FOLIO_ALICE}).status_code == 404
    assert posiciones.posicion(pagado_dos_veces).excedentes == CUOTA


@pytest.mark.django_db
def test_a_pending_refund_shows_en_tramite_with_its_date_and_no_abono(pagado_dos_veces, cliente_alice):
    devolucion_solicitar(prestamo=pagado_dos_veces, clabe="032180000118359719", titular="Alicia García")
    html = cliente_alice.get(URL).content.decode()
    assert "En trámite: la pagaremos a más tardar el" in html
    assert "Abonar a capital $701.12" not in html
    respuesta = cliente_alice.post(reverse("saldo_a_favor_abonar"), {"prestamo": FOLIO_ALICE}, follow=True)
    assert "devolución en trámite" in respuesta.content.decode()
    assert posiciones.posicion(pagado_dos_veces).excedentes == CUOTA


@pytest.mark.django_db
def test_an_aclaracion_for_a_regularized_quincena_returns_its_moratorios(prestamo_alice, staff, hoy):
    """Q11 missing; Alice regularized it (and Q12) on 10/07 paying moratorios; then an aclaración proves the SEP had
    deducted it: the deduction is a pago en exceso and the moratorios she paid go back to saldo a favor."""
    from prestamos.models import Dependencia
    from recuperacion.aclaraciones import aclaracion_presentar, aclaracion_resolver
    from recuperacion.talones import PDF, Talon
    from tests.fabricas import filas_de, prestamos_de

    hoy(date(2026, 6, 20))
    otro = prestamos_de(Dependencia.objects.get(clave="SEP"), 1)
    remesa(*filas_de(otro))  # the SEP's remesa of Q11 came without Alice
    hoy(date(2026, 7, 10))
    contexto = posiciones.contexto(prestamo_alice, date(2026, 7, 10))
    posicion = posiciones.posicion(prestamo_alice)
    q11, q12 = posicion.cuotas[10], posicion.cuotas[11]  # she regularizes Q11 with its moratorios, and Q12
    debe = q11.pendiente + posicion.moratorio_pendiente(q11, date(2026, 7, 10), contexto) + q12.pendiente
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=debe, fecha_valor=date(2026, 7, 10), tipo="PAGO", origen="FOPI")
    moratorios = Movimiento.objects.get(prestamo=prestamo_alice, tipo="PAGO").moratorios
    assert moratorios > 0

    talon = Talon(contenido=b"%PDF-1.4\n%%EOF\n", tipo=PDF, nombre="talon.pdf", sha256="0" * 64)
    aclaracion = aclaracion_presentar(prestamo=prestamo_alice, quincena=Quincena(2026, 11), importe=CUOTA, talon=talon,
                                      hoy=date(2026, 7, 10))
    aclaracion_resolver(aclaracion=aclaracion, procedente=True, respuesta="", usuario=staff, hoy=date(2026, 7, 10))

    devuelto = Movimiento.objects.get(prestamo=prestamo_alice, tipo=Movimiento.Tipo.MORATORIO_DEVUELTO)
    assert devuelto.importe == moratorios and devuelto.excedente == moratorios
    posicion = posiciones.posicion(prestamo_alice)
    assert posicion.excedentes == CUOTA + moratorios
    assert posicion.cuotas[10].pagado_moratorio == 0
    assert posicion == posiciones.posicion(prestamo_alice, reproducir=True)
