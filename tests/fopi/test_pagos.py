from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fopi.models import AccionPago, PagoBancario
from fopi.services import fopi_emitir, pago_aplicar_a_prestamo, pago_marcar_devolucion
from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos.models import Movimiento, Prestamo
from tests.fabricas import FOLIO_ALICE, a_la_vez

ENCABEZADO = "banco,autorizacion,fecha_pago,referencia,importe\n"


def pagos(*filas: str, usuario=None):
    return importar_archivo((ENCABEZADO + "\n".join(filas) + "\n").encode(), usuario=usuario)


@pytest.fixture
def fopi_parcial(prestamo_alice):
    return fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))


def recibido_igual_a_aplicado_mas_pendiente():
    """No centavo created or lost: received = applied to loans + pending review + marked for refund."""
    recibido = sum(p.importe for p in PagoBancario.objects.all())
    aplicado = sum(m.importe for m in Movimiento.objects.filter(tipo__in=["PAGO", "PAGO_CAPP"]))
    pendiente = sum(p.importe for p in PagoBancario.objects.filter(estado__in=["EN_REVISION", "DEVOLUCION"]))
    return recibido == aplicado + pendiente


@pytest.mark.django_db
def test_it_applies_a_matched_payment_and_marks_the_fopi_paid(fopi_parcial):
    resumen = pagos(f"BBVA,A1,2026-06-10,{fopi_parcial.referencia},1500.00")
    assert resumen.detalle["aplicados"] == 1
    pago = PagoBancario.objects.get()
    assert pago.estado == "APLICADO" and pago.movimiento.importe == D("1500.00")
    assert pago.movimiento.fecha_valor == date(2026, 6, 10) and pago.movimiento.tipo == "PAGO"
    fopi_parcial.refresh_from_db()
    assert fopi_parcial.estado == "PAGADO" and fopi_parcial.pagado_el == date(2026, 6, 10)
    assert recibido_igual_a_aplicado_mas_pendiente()


@pytest.mark.django_db
def test_it_skips_a_payment_already_loaded(fopi_parcial):
    fila = f"BBVA,A1,2026-06-10,{fopi_parcial.referencia},1500.00"
    pagos(fila)
    resumen = pagos(fila)
    assert resumen.detalle["ya cargado"] == 1
    assert Movimiento.objects.filter(tipo="PAGO").count() == 1


@pytest.mark.django_db
def test_it_sends_every_unmatched_payment_to_review_with_its_reason(prestamo_alice):
    f1 = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    f2 = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("700.00"), hoy=date(2026, 6, 5))  # cancels f1
    mala = f2.referencia[:-1] + str((int(f2.referencia[-1]) + 1) % 10)
    desconocida = "9" * 11 + f2.referencia[11:]
    from fopi.referencia import construir_referencia

    inexistente = construir_referencia(folio="99999999999", secuencia=1, vigencia=f2.vigencia, importe=D("700.00"))
    pagos(
        f"BBVA,B1,2026-06-10,{mala},700.00",
        f"BBVA,B2,2026-06-10,{inexistente},700.00",
        f"BBVA,B3,2026-06-10,{f1.referencia},500.00",
        f"BBVA,B4,2026-06-10,{f2.referencia},701.00",
        f"BBVA,B5,2026-06-16,{f2.referencia},700.00",
        f"BANORTE,C1,2026-06-11,{f2.referencia},700.00",
        f"BANORTE,C2,2026-06-12,{f2.referencia},700.00",
        "BANORTE,C3,2026-06-12,123,700.00",
    )
    motivos = dict(PagoBancario.objects.values_list("autorizacion", "motivo"))
    assert "dígitos verificadores" in motivos["B1"]
    assert "No existe" in motivos["B2"]
    assert "cancelado" in motivos["B3"]
    assert "Importe distinto" in motivos["B4"]
    assert "después de la vigencia" in motivos["B5"]
    assert motivos["C1"] == ""
    assert "Segundo pago" in motivos["C2"]
    assert "inválida" in motivos["C3"]
    assert PagoBancario.objects.filter(estado="EN_REVISION").count() == 7
    assert recibido_igual_a_aplicado_mas_pendiente()
    del desconocida


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fila, motivo",
    [
        ("BBVA,A1,2026-06-10,12AB,100.00", "sólo dígitos"),
        ("BBVA,,2026-06-10,123,100.00", "«autorizacion»"),
        ("BBVA,A1,10/06/2026,123,100.00", "AAAA-MM-DD"),
        ("BBVA,A1,2026-06-10,123,0", "mayor que cero"),
        ("=cmd|' /C calc'!A0,A1,2026-06-10,123,100.00", "«banco»"),
        ("BBVA,A1,2099-06-10,123,100.00", "futuro"),
    ],
)
def test_it_rejects_a_malformed_file_whole(fopi_parcial, fila, motivo):
    with pytest.raises(ArchivoRechazado) as exc:
        pagos(f"BBVA,OK1,2026-06-10,{fopi_parcial.referencia},1500.00", fila)
    assert "línea 3" in exc.value.mensaje() and motivo in exc.value.mensaje()
    assert not PagoBancario.objects.exists() and not Movimiento.objects.filter(tipo="PAGO").exists()


@pytest.mark.django_db
def test_it_settles_the_loan_when_a_liquidacion_is_paid_in_time(cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 5))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=date(2026, 6, 5))
    hoy(date(2026, 6, 20))
    pagos(f"HSBC,L1,2026-06-15,{fopi.referencia},{fopi.importe}")
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.estado == "LIQUIDADO" and prestamo_alice.fecha_liquidacion == date(2026, 6, 15)
    hoy(date(2026, 6, 20))
    html = cliente_alice.get(reverse("estado_cuenta")).content.decode()
    assert "Liquidado" in html and "No tienes un préstamo personal vigente" in html
    carta = cliente_alice.get(reverse("carta_liquidacion", args=[FOLIO_ALICE]))
    assert carta.status_code == 200 and carta.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_it_lets_staff_apply_or_refund_a_payment_under_review_recording_who_and_why(prestamo_alice, staff):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,R1,2026-06-20,{fopi.referencia},800.00", f"BBVA,R2,2026-06-10,{fopi.referencia},1.00")
    tarde, distinto = PagoBancario.objects.get(autorizacion="R1"), PagoBancario.objects.get(autorizacion="R2")
    pago_aplicar_a_prestamo(pago=tarde, prestamo=prestamo_alice, usuario=staff, motivo="Pagó un día tarde; se acepta")
    pago_marcar_devolucion(pago=distinto, usuario=staff, motivo="Importe equivocado")
    tarde.refresh_from_db()
    assert tarde.estado == "APLICADO_CAPP" and tarde.movimiento.tipo == "PAGO_CAPP"
    assert tarde.movimiento.registrado_por == staff and "tarde" in tarde.movimiento.motivo
    assert AccionPago.objects.filter(usuario=staff).count() == 2
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        pago_marcar_devolucion(pago=tarde, usuario=staff, motivo="otra vez")
    assert recibido_igual_a_aplicado_mas_pendiente()


@pytest.mark.django_db
def test_it_resolves_from_the_admin(cliente_staff, prestamo_alice, staff):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("800.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,R1,2026-06-20,{fopi.referencia},800.00")
    pago = PagoBancario.objects.get()
    lista = cliente_staff.get(reverse("admin:fopi_pagobancario_changelist"), {"estado__exact": "EN_REVISION"})
    html = lista.content.decode()
    assert "R1" in html and "después de la vigencia" in html and "Resolver" in html
    url = reverse("admin:fopi_pagobancario_resolver", args=[pago.pk])
    assert cliente_staff.post(url, {"accion": "aplicar", "folio": "00000000000", "motivo": "x"}).status_code == 200
    # Applying moves money: first what it will do, then the confirmation applies it (docs/reglas.md §15).
    previa = cliente_staff.post(url, {"accion": "aplicar", "folio": FOLIO_ALICE, "motivo": "aceptado"})
    assert previa.status_code == 200 and "Confirmar y aplicar" in previa.content.decode()
    pago.refresh_from_db()
    assert pago.estado == "EN_REVISION"
    respuesta = cliente_staff.post(url, {"accion": "aplicar", "folio": FOLIO_ALICE, "motivo": "aceptado", "confirmar": FOLIO_ALICE})
    assert respuesta.status_code == 302
    pago.refresh_from_db()
    assert pago.estado == "APLICADO_CAPP"


@pytest.mark.django_db
def test_it_loads_files_from_the_admin(cliente_staff, fopi_parcial):
    from django.core.files.uploadedfile import SimpleUploadedFile

    archivo = SimpleUploadedFile("pagos.csv", (ENCABEZADO + f"BBVA,A9,2026-06-10,{fopi_parcial.referencia},1500.00\n").encode())
    respuesta = cliente_staff.post(reverse("admin_cargar_archivo"), {"archivo": archivo}, follow=True)
    assert "1 fila(s) leída(s)" in respuesta.content.decode()
    malo = SimpleUploadedFile("pagos.csv", (ENCABEZADO + "BBVA,A10,2026-06-10,12X,1.00\n").encode())
    respuesta = cliente_staff.post(reverse("admin_cargar_archivo"), {"archivo": malo}, follow=True)
    html = respuesta.content.decode()
    assert "línea 2: «referencia»" in html.lower()
    assert PagoBancario.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_applies_the_same_payment_once_when_imported_twice_at_the_same_time(prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    contenido = (ENCABEZADO + f"BBVA,CC1,2026-06-10,{fopi.referencia},1500.00\n").encode()
    _, errores = a_la_vez(lambda: importar_archivo(contenido))
    assert not errores
    assert PagoBancario.objects.count() == 1
    assert Movimiento.objects.filter(tipo="PAGO").count() == 1
    assert Prestamo.objects.get().movimientos.count() == 2
