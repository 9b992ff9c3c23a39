"""Corrections (docs/reglas.md §9): files that cannot move money wrongly, reversals that re-decide what came
after, and the amortization table that keeps past figures. Each test reproduces a finding of the audit."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fopi.models import Fopi, PagoBancario
from fopi.services import fopi_emitir
from oficina.importacion import ArchivoRechazado, importar_archivo, revertir_archivo
from prestamos import posiciones
from prestamos.calculo import Quincena
from prestamos.cartera import Condiciones, Posicion
from prestamos.models import ArchivoAplicado, Movimiento, Prestamo
from prestamos.selectors import vistas_prestamos
from prestamos.services import prestamo_aplicar_pago
from recuperacion.models import Descuento
from tests.fabricas import CURP_ALICE, ENCABEZADO, FOLIO_ALICE, remesa

CUOTA = D("701.12")


@pytest.fixture(autouse=True)
def _julio(hoy):
    hoy(date(2026, 7, 3))  # 2026-Q13; Alice's loan is paid up to 2026-Q10


def archivo_remesa(*filas, quincena="2026-Q11") -> bytes:
    return (ENCABEZADO + "".join(f"SEP,{quincena},{folio},{curp},{importe}\n" for folio, curp, importe in filas)).encode()


def rechazo(contenido: bytes) -> str:
    with pytest.raises(ArchivoRechazado) as exc:
        importar_archivo(contenido, nombre_archivo="descuentos.csv")
    return exc.value.mensaje()


# --- what a file may say -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_refuses_a_deduction_for_a_quincena_that_has_not_happened(prestamo_alice):
    mensaje = rechazo(archivo_remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2099-Q24"))
    assert "línea 2: la quincena 2099-Q24 todavía no transcurre" in mensaje
    assert not Movimiento.objects.filter(tipo=Movimiento.Tipo.DESCUENTO).exists()


@pytest.mark.django_db
def test_it_refuses_a_deduction_before_the_loan_began(prestamo_alice):
    mensaje = rechazo(archivo_remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="1990-Q01"))
    assert "anterior al inicio del préstamo" in mensaje


@pytest.mark.django_db
def test_it_refuses_an_amount_no_payroll_deducts(prestamo_alice):
    mensaje = rechazo(archivo_remesa((FOLIO_ALICE, CURP_ALICE, "99999999.99")))
    assert "excede 10 veces el descuento" in mensaje
    assert not Movimiento.objects.filter(tipo=Movimiento.Tipo.DESCUENTO).exists()


@pytest.mark.django_db
def test_it_refuses_folios_written_in_other_digits(prestamo_alice):
    folio_arabe = "".join(chr(0x0660 + int(d)) for d in FOLIO_ALICE)
    mensaje = rechazo(archivo_remesa((folio_arabe, CURP_ALICE, "701.12")))
    assert "«folio» debe tener 11 dígitos" in mensaje
    assert "línea 2: «importe» debe ser un importe" in rechazo(archivo_remesa((FOLIO_ALICE, CURP_ALICE, "７０１.１２")))


@pytest.mark.django_db
def test_a_resent_row_with_another_amount_refuses_the_file(prestamo_alice):
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    mensaje = rechazo(archivo_remesa((FOLIO_ALICE, CURP_ALICE, "9999.00")))
    assert "ya cargado con otro importe: 701.12" in mensaje
    # The identical row is still just "ya cargado".
    assert remesa((FOLIO_ALICE, CURP_ALICE, "701.12")).detalle["ya cargado"] == 1


@pytest.mark.django_db
def test_a_resent_payment_with_other_data_refuses_the_file(prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 7, 3))
    cabecera = "banco,autorizacion,fecha_pago,referencia,importe\n"
    importar_archivo(f"{cabecera}BBVA,A1,2026-07-03,{fopi.referencia},500.00\n".encode())
    with pytest.raises(ArchivoRechazado) as exc:
        importar_archivo(f"{cabecera}BBVA,A1,2026-07-02,{fopi.referencia},55555.00\n".encode())
    assert "ya cargado con otro fecha_pago 2026-07-03, importe 500.00" in exc.value.mensaje()
    assert PagoBancario.objects.count() == 1


# --- reversal ------------------------------------------------------------------------------------------------


def posicion_sin(prestamo, *aplicar):
    """What the loan's position would be had only `aplicar` (fecha, importe) arrived after its opening."""
    p = Posicion.nueva(posiciones.condiciones(prestamo))
    p.abrir(periodos_pagados=10)
    for fecha, importe in aplicar:
        p.aplicar(fecha_valor=fecha, importe=importe, contexto=posiciones.contexto(prestamo, fecha))
    return p


@pytest.mark.django_db
def test_reversing_a_remesa_books_reversal_entries_and_the_corrected_file_loads(prestamo_alice, tmp_path):
    equivocado = tmp_path / "sep-q11.csv"
    equivocado.write_bytes(archivo_remesa((FOLIO_ALICE, CURP_ALICE, "350.00")))
    call_command("importar", str(equivocado))
    call_command("importar", str(equivocado), "--revertir", "--motivo", "La SEP envió el importe equivocado")

    original = Movimiento.objects.get(tipo=Movimiento.Tipo.DESCUENTO)
    reversion = Movimiento.objects.get(tipo=Movimiento.Tipo.REVERSION)
    assert reversion.revierte == original and reversion.motivo == "La SEP envió el importe equivocado"
    assert reversion.importe == D("350.00")
    assert Descuento.objects.get().revertido
    assert ArchivoAplicado.objects.get().revertido is not None
    # As if the money had never arrived: the position is the opening entry alone.
    assert posiciones.posicion(prestamo_alice) == posiciones.posicion(prestamo_alice, reproducir=True)
    assert posiciones.posicion(prestamo_alice).capital_pagado == posicion_sin(prestamo_alice).capital_pagado

    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))  # the corrected file
    assert posiciones.posicion(prestamo_alice).cuotas_pagadas() == 11


@pytest.mark.django_db
def test_a_file_reversed_twice_or_never_loaded_is_refused(prestamo_alice, tmp_path):
    contenido = archivo_remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    with pytest.raises(ArchivoRechazado, match="no está cargado"):
        revertir_archivo(contenido, motivo="prueba")
    importar_archivo(contenido)
    revertir_archivo(contenido, motivo="prueba")
    with pytest.raises(ArchivoRechazado, match="no está cargado"):
        revertir_archivo(contenido, motivo="otra vez")
    ruta = tmp_path / "r.csv"
    ruta.write_bytes(contenido)
    with pytest.raises(CommandError):
        call_command("importar", str(ruta), "--revertir", "--motivo", "otra vez")
    with pytest.raises(CommandError, match="motivo"):
        call_command("importar", str(ruta), "--revertir")
    assert Movimiento.objects.filter(tipo=Movimiento.Tipo.REVERSION).count() == 1


@pytest.mark.django_db
def test_reversing_re_decides_every_later_movement_of_the_loan(prestamo_alice, hoy):
    """Fineract's reverse and reprocess: a bank payment booked after the wrong deduction paid the next
    installment; without the deduction it pays Q11 instead (still in its grace period: no moratorio)."""
    contenido = archivo_remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    importar_archivo(contenido)
    pago = prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("900.00"), fecha_valor=date(2026, 7, 2),
                                 tipo=Movimiento.Tipo.PAGO, origen="FOPI de prueba")
    assert pago.aplicacion["cuotas"][0][0] == 12  # it went to Q12

    resumen = revertir_archivo(contenido, motivo="Remesa duplicada")
    assert resumen.detalle["descuentos revertidos"] == 1
    assert resumen.detalle["movimientos posteriores vueltos a aplicar"] == 1

    nueva = Movimiento.objects.get(reaplica=pago)
    assert (nueva.importe, nueva.fecha_valor, nueva.tipo) == (D("900.00"), date(2026, 7, 2), "PAGO")
    assert nueva.aplicacion["cuotas"][0][0] == 11 and nueva.moratorios == 0
    assert Movimiento.objects.filter(tipo=Movimiento.Tipo.REVERSION).count() == 2
    esperado = posicion_sin(prestamo_alice, (date(2026, 7, 2), D("900.00")))
    assert posiciones.posicion(prestamo_alice, reproducir=True) == esperado
    assert posiciones.posicion(prestamo_alice) == esperado  # the snapshot was rewritten


@pytest.mark.django_db
def test_a_reversed_only_remesa_leaves_its_quincena_awaiting_again(prestamo_alice):
    contenido = archivo_remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    importar_archivo(contenido)
    assert Quincena.parse("2026-Q11") in posiciones.contexto(prestamo_alice, date(2026, 7, 3)).remesas
    revertir_archivo(contenido, motivo="archivo de otra dependencia")
    assert Quincena.parse("2026-Q11") not in posiciones.contexto(prestamo_alice, date(2026, 7, 3)).remesas
    assert Quincena.parse("2026-Q11") not in posiciones.contexto(prestamo_alice, date(2026, 7, 3), cache=True).remesas


@pytest.mark.django_db
def test_reversing_a_payoff_payment_unsettles_the_loan_and_the_fopi_is_payable_again(prestamo_alice):
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=date(2026, 7, 3))
    pagos = (f"banco,autorizacion,fecha_pago,referencia,importe\n"
             f"BBVA,L1,2026-07-03,{fopi.referencia},{fopi.importe}\n").encode()
    importar_archivo(pagos)
    assert Prestamo.objects.get(pk=prestamo_alice.pk).estado == "LIQUIDADO"
    revertir_archivo(pagos, motivo="El banco canceló la operación")
    prestamo = Prestamo.objects.get(pk=prestamo_alice.pk)
    assert (prestamo.estado, prestamo.fecha_liquidacion) == ("VIGENTE", None)
    assert Fopi.objects.get(pk=fopi.pk).estado == Fopi.Estado.PENDIENTE
    assert PagoBancario.objects.get().estado == PagoBancario.Estado.REVERTIDO
    importar_archivo(pagos)  # the same payment, now genuine, loads again
    assert Prestamo.objects.get(pk=prestamo_alice.pk).estado == "LIQUIDADO"


@pytest.mark.django_db
def test_only_money_files_can_be_reversed(prestamo_alice):
    with pytest.raises(ArchivoRechazado, match="no mueve dinero"):
        revertir_archivo(b"clave,nombre\nSEP,Secretaria\n", motivo="x")


# --- the amortization table keeps the past ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_payment_to_capital_does_not_rewrite_the_balance_of_installments_already_due(prestamo_alice, hoy):
    hoy(date(2026, 7, 3))
    antes = vistas_prestamos([prestamo_alice], date(2026, 7, 3))[0].tabla()
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("5000.00") + CUOTA * 2, fecha_valor=date(2026, 7, 1),
                          tipo=Movimiento.Tipo.PAGO, origen="FOPI de prueba")
    despues = vistas_prestamos([prestamo_alice], date(2026, 7, 3))[0].tabla()
    assert despues[0].saldo == antes[0].saldo == D("29442.63")  # February, as it stood
    assert [f.saldo for f in despues[:12]] == [f.saldo for f in antes[:12]]  # every installment already due
    assert despues[12].saldo < antes[12].saldo - D("4000")  # the future follows the abono
    assert despues[-1].saldo == 0


def test_the_table_rule_holds_for_a_fresh_schedule():
    p = Posicion.nueva(Condiciones(D("30000.00"), D("11.50"), 48, Quincena(2026, 1), date(2025, 12, 20)))
    assert p.abonos == []


# --- races (PostgreSQL) ----------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reversal_racing_a_payment_and_a_new_remesa_on_the_same_loans_loses_nothing(hoy):
    from prestamos.models import Dependencia
    from tests.fabricas import a_la_vez, filas_de, prestamos_de

    hoy(date(2026, 7, 3))
    sep = Dependencia.objects.create(clave="SEP", nombre="SEP")
    prestamos = prestamos_de(sep, 40)
    q11 = (ENCABEZADO + "".join(f"SEP,2026-Q11,{f},{c},{i}\n" for f, c, i in filas_de(prestamos))).encode()
    q12 = (ENCABEZADO + "".join(f"SEP,2026-Q12,{f},{c},{i}\n" for f, c, i in filas_de(prestamos))).encode()
    importar_archivo(q11)
    pagado = prestamos[7]

    tareas = iter([
        lambda: revertir_archivo(q11, motivo="duplicada"),
        lambda: importar_archivo(q12),
        lambda: prestamo_aplicar_pago(prestamo=pagado, importe=D("250.00"), fecha_valor=date(2026, 7, 2),
                                      tipo="PAGO", origen="FOPI"),
    ])
    _, errores = a_la_vez(lambda: next(tareas)(), veces=3)
    assert not errores

    for prestamo in Prestamo.objects.filter(dependencia=sep):
        libro = list(Movimiento.objects.filter(prestamo=prestamo).order_by("id"))
        vigentes = posiciones.vigentes(libro)
        # Q11's deduction is gone whatever the order; Q12's and the payment stand.
        assert sorted(m.origen for m in vigentes) == sorted(
            ["Remesa SEP 2026-Q12"] + (["FOPI"] if prestamo.pk == pagado.pk else [])
        )
        assert posiciones.posicion(prestamo) == posiciones.posicion(prestamo, reproducir=True)
    assert Descuento.objects.filter(revertido=False, quincena="2026-Q11").count() == 0
    assert Descuento.objects.filter(revertido=False, quincena="2026-Q12").count() == 40
