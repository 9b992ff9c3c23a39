"""A remesa's reversal with its ordinary last deductions undone set-based gives exactly what the engine gives
(docs/reglas.md §9, "Reversión: el caso ordinario"; prestamos/reversion_en_bloque.py).

The same history is played twice in one database — the random one of the load's equivalence test (loans of
both kinds, stale snapshots, late loads, pagos en exceso, a reversed and corrected file), then a last
quincena's remesas over a mixed portfolio: ordinary deductions still their loan's last, loans paid at the bank
after their deduction, a short loan the deduction settles with saldo a favor whose refund was requested, a
pensioner's monthly remesa — and the last remesas and an older one are reversed: once with the set-based
path, once with every movement through the engine and every active loan reviewed. Every ledger row, snapshot,
estado, deduction, notice, remesa, file and refund request must be the same.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import transaction

from oficina.importacion import importar_archivo, revertir_aplicado, revertir_archivo
from prestamos import instantanea, posiciones, reversion_en_bloque
from prestamos.calculo import Mes, Quincena
from prestamos.models import ArchivoAplicado, Dependencia, Derechohabiente, Movimiento, Prestamo
from prestamos.services import prestamo_aplicar_pago
from recuperacion import omisiones
from recuperacion.devoluciones import devolucion_solicitar
from recuperacion.models import SolicitudDevolucion
from tests.fabricas import cargar_prestamos
from tests.recuperacion.test_remesa_en_bloque import _archivo, _curp, _estado, _historia, _importe

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.postgres]

CORTO = "49900000001"  # settled by its deduction, with saldo a favor and a refund requested


def test_the_worked_example_is_reversed_set_based(prestamo_alice, monkeypatch, hoy):
    """docs/reglas.md, "Reversión: el caso ordinario": Q12's 701.12 reversed on 3 July."""
    from tests.fabricas import CURP_ALICE, FOLIO_ALICE, remesa

    hoy(date(2026, 6, 20))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    hoy(date(2026, 7, 3))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q12")
    deduccion = Movimiento.objects.filter(tipo=Movimiento.Tipo.DESCUENTO).latest("pk")
    rapidas = _contar_rapidas(monkeypatch)

    revertir_aplicado(ArchivoAplicado.objects.latest("pk"), motivo="la SEP mandó otro archivo")

    assert rapidas == [1]
    reversion = Movimiento.objects.get(tipo=Movimiento.Tipo.REVERSION)
    assert (reversion.revierte_id, reversion.importe, reversion.interes, reversion.capital, reversion.moratorios,
            reversion.origen, reversion.motivo, reversion.aplicacion) == (
        deduccion.pk, D("701.12"), D("113.66"), D("587.46"), D("0.00"), "Reversión: Remesa SEP 2026-Q12",
        "la SEP mandó otro archivo", deduccion.aplicacion)
    prestamo_alice.refresh_from_db()
    # Both deductions were counted in the snapshot, not written into its JSON (prestamos/instantanea.py, plegar):
    # the reversal takes Q12's out of the count, leaving Q11's.
    assert prestamo_alice.posicion_al_corriente == 1
    plegada = instantanea.plegar(prestamo_alice.posicion, prestamo_alice.primera_quincena, 1)
    assert plegada["cuotas"][11] == ["113.66", "587.46"]
    assert plegada["cuotas"][10][2:] == ["2026-06-15"]
    assert plegada["ultima_fecha_valor"] == "2026-06-15"
    assert (prestamo_alice.posicion_hasta, prestamo_alice.estado) == (reversion.pk, Prestamo.Estado.VIGENTE)
    assert posiciones.posicion(prestamo_alice) == posiciones.posicion(prestamo_alice, reproducir=True)


def test_a_count_that_does_not_end_at_the_reversed_installment_goes_to_the_engine(prestamo_alice, monkeypatch, hoy):
    # Q11 and Q12 counted (2), then a count of 3 that the JSON does not bear out (its Q10 is paid there, so a count
    # of 3 ending at Q12 would have to start at Q10). Taking Q12 out of such a count would leave the snapshot
    # wrong: the engine reverses it and writes the whole snapshot.
    from tests.fabricas import CURP_ALICE, FOLIO_ALICE, remesa

    hoy(date(2026, 6, 20))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    hoy(date(2026, 7, 3))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q12")
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.posicion_al_corriente == 2
    Prestamo.objects.filter(pk=prestamo_alice.pk).update(posicion_al_corriente=3)
    rapidas = _contar_rapidas(monkeypatch)

    revertir_aplicado(ArchivoAplicado.objects.latest("pk"), motivo="la SEP mandó otro archivo")

    assert rapidas == [0]
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.posicion_al_corriente == 0
    assert posiciones.posicion(prestamo_alice) == posiciones.posicion(prestamo_alice, reproducir=True)


def _ultima_quincena(semilla: int, fijar_hoy) -> list[bytes]:
    """2026-Q17 and 2026-M09 over the portfolio _historia left, plus a short loan; bank payments after some
    deductions; a refund of saldo a favor requested. The files loaded, oldest first."""
    rnd = random.Random(semilla * 7919)
    sep, pen = Dependencia.objects.get(clave="EQSEP"), Dependencia.objects.get(clave="EQPEN")
    persona = Derechohabiente.objects.create(curp=_curp("EQUI850131HDFRRR0"), nombre="Persona", primer_apellido="Corta",
                                             dependencia=sep)
    fijar_hoy(date(2026, 9, 1))
    # 1,000.00 in 2 quincenas from Q16, the first paid before the load: Q17's deduction is its last installment.
    filas = [f"{CORTO},{persona.curp},ORDINARIO,1000.00,12.00,2,2026-08-01,2026-Q16,VIGENTE,1,"]
    # Loans loaded up to date (both kinds), whose next deduction is an ordinary one.
    for i in range(20):
        mensual = i >= 15
        otra = Derechohabiente.objects.create(
            curp=_curp(f"EQUJ8502{i + 1:02d}HDFRRR0"), nombre="Persona", primer_apellido="Nueva",
            dependencia=pen if mensual else sep,
            tipo=Derechohabiente.Tipo.PENSIONADO if mensual else Derechohabiente.Tipo.TRABAJADOR,
        )
        filas.append(f"49{i + 1:09d},{otra.curp},ORDINARIO,{rnd.choice(['10000.00', '30000.00'])},12.00,"
                     f"{rnd.choice([12, 24])},2026-05-01,{'2026-M06' if mensual else '2026-Q13'},VIGENTE,"
                     f"{rnd.randint(2, 3) if mensual else rnd.randint(3, 4)},")
    cargar_prestamos(*filas)
    prestamos = list(Prestamo.objects.filter(dependencia__in=[sep, pen]).select_related("derechohabiente")
                     .order_by("folio"))
    hoy = fijar_hoy(date(2026, 9, 16))
    cargados = []
    for clave, periodo, suyos in (("EQSEP", Quincena(2026, 17), [p for p in prestamos if p.dependencia_id == sep.pk]),
                                  ("EQPEN", Mes(2026, 9), [p for p in prestamos if p.dependencia_id == pen.pk])):
        renglones = []
        for p in suyos:
            importe = D("2") * p.cuota if p.folio == CORTO else _importe(rnd, p)
            if importe is not None and str(p.primera_quincena) <= str(periodo):
                renglones.append((p, importe))
        contenido = _archivo(clave, periodo, renglones)
        importar_archivo(contenido, nombre_archivo=f"{clave}-{periodo}-final.csv")
        cargados.append(contenido)
    corto = Prestamo.objects.get(folio=CORTO)
    assert corto.estado == Prestamo.Estado.LIQUIDADO and posiciones.posicion(corto).excedentes > 0
    devolucion_solicitar(prestamo=corto, clabe="032180000118359719", titular="Persona Corta")
    hoy = fijar_hoy(hoy + timedelta(days=2))
    for p in prestamos:  # paid at the bank after the deduction: the deduction is no longer the loan's last
        if p.folio != CORTO and rnd.random() < 0.15 and p.estado != Prestamo.Estado.LIQUIDADO:
            prestamo_aplicar_pago(prestamo=p, importe=rnd.choice([p.cuota, D("300.00")]), fecha_valor=hoy,
                                  tipo=Movimiento.Tipo.PAGO, origen="Banco", hoy=hoy)
    fijar_hoy(hoy + timedelta(days=1))
    return cargados


def _todo() -> dict:
    """`_estado` of the load's test, plus the files and the refund requests a reversal touches."""
    estado = _estado()
    folios = dict(Prestamo.objects.values_list("pk", "folio"))
    estado["archivos"] = sorted((a.nombre, a.revertido is not None, a.motivo_reversion)
                                for a in ArchivoAplicado.objects.all())
    estado["devoluciones"] = sorted((folios[s.prestamo_id], s.importe, s.estado, s.nota)
                                    for s in SolicitudDevolucion.objects.all())
    estado["correos"] = sorted((m.subject, tuple(m.to)) for m in mail.outbox)
    estado["reversiones"] = sorted((folios[m.prestamo_id], m.origen, m.motivo, m.registrado_por_id)
                                   for m in Movimiento.objects.filter(tipo=Movimiento.Tipo.REVERSION))
    return estado


def _jugar(semilla: int, *, rapida: bool, monkeypatch, hoy) -> tuple[dict, int]:
    """Play the history and the reversals inside a savepoint rolled back afterwards; what resulted and how
    many movements the set-based reversal took."""
    clasificar, rapidas = reversion_en_bloque.clasificar, []

    def contando(cursor, **datos):
        rapidas.append(clasificar(cursor, **datos))
        return rapidas[-1]

    monkeypatch.setattr(reversion_en_bloque, "clasificar", contando)
    if not rapida:
        monkeypatch.setattr(reversion_en_bloque, "disponible", lambda: False)
        monkeypatch.setattr(omisiones, "por_revisar", lambda **datos: None)
    mail.outbox.clear()
    with transaction.atomic():
        _historia(semilla, hoy)
        ultimos = _ultima_quincena(semilla, hoy)
        antes = [a.sha256 for a in ArchivoAplicado.objects.filter(revertido__isnull=True).order_by("pk")]
        for contenido in reversed(ultimos):
            revertir_archivo(contenido, motivo="la dependencia envió otro archivo")
        # An older file: its deductions have later movements, so every one goes through the engine.
        viejo = ArchivoAplicado.objects.filter(sha256__in=antes[:-3], nombre__startswith="EQSEP").order_by("-pk").first()
        revertir_aplicado(viejo, motivo="archivo equivocado")
        estado = _todo()
        # The snapshots the set-based reversal wrote are read on: each equals the ledger's replay.
        for prestamo in Prestamo.objects.filter(posicion__isnull=False):
            replay = posiciones.posicion(prestamo, reproducir=True)
            assert instantanea.guardar(replay) == instantanea.guardar(posiciones.posicion(prestamo)), prestamo.folio
        transaction.set_rollback(True)
    monkeypatch.undo()
    return estado, sum(rapidas)


@pytest.mark.parametrize("semilla", [1, 2, 3])
def test_the_set_based_reversal_writes_what_the_engine_writes(semilla, monkeypatch, hoy):
    motor, ninguna = _jugar(semilla, rapida=False, monkeypatch=monkeypatch, hoy=hoy)
    en_la_base, rapidas = _jugar(semilla, rapida=True, monkeypatch=monkeypatch, hoy=hoy)

    revertidas = len(motor["reversiones"])
    assert ninguna == 0 and 10 < rapidas < revertidas  # both paths were really taken
    assert any(s[2] == SolicitudDevolucion.Estado.CANCELADA for s in motor["devoluciones"])
    for folio in motor["libros"]:
        assert en_la_base["libros"][folio] == motor["libros"][folio], folio
    for folio in motor["prestamos"]:
        assert en_la_base["prestamos"][folio] == motor["prestamos"][folio], folio
    assert en_la_base == motor


# --- locks: a payment arriving during the reversal (PostgreSQL row locks) ------------------------------------


def _dos_remesas(hoy) -> tuple[list[Prestamo], bytes]:
    """Three loans with the remesas of 2026-Q11 and Q12 loaded; Q12's deductions ordinary and still each
    loan's last. Returns the loans and Q12's file."""
    from tests.fabricas import ENCABEZADO, filas_de, prestamos_de

    sep = Dependencia.objects.create(clave="SEP", nombre="SEP")
    prestamos = prestamos_de(sep, 3)
    archivos = []
    for quincena, dia in (("2026-Q11", date(2026, 6, 16)), ("2026-Q12", date(2026, 7, 1))):
        hoy(dia)
        archivos.append((ENCABEZADO + "".join(f"SEP,{quincena},{f},{c},{i}\n" for f, c, i in filas_de(prestamos)))
                        .encode())
        importar_archivo(archivos[-1])
    return list(Prestamo.objects.filter(dependencia=sep).order_by("pk")), archivos[-1]


def _contar_rapidas(monkeypatch) -> list[int]:
    clasificar, rapidas = reversion_en_bloque.clasificar, []
    monkeypatch.setattr(reversion_en_bloque, "clasificar",
                        lambda cursor, **datos: rapidas.append(clasificar(cursor, **datos)) or rapidas[-1])
    return rapidas


def _en_paralelo(primero, despues, *, espera: float = 0.5) -> list[Exception]:
    """Run `primero` in a transaction held open `espera` seconds after it is done, and `despues` in another
    thread once `primero` has done its work (so it finds `primero`'s locks taken)."""
    import threading
    import time

    from django.db import connection

    listo, errores = threading.Event(), []

    def uno():
        try:
            with transaction.atomic():
                primero()
                listo.set()
                time.sleep(espera)
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errores.append(exc)
            listo.set()
        finally:
            connection.close()

    def dos():
        try:
            listo.wait()
            despues()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            errores.append(exc)
        finally:
            connection.close()

    hilos = [threading.Thread(target=uno), threading.Thread(target=dos)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    return errores


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_payment_arriving_during_the_set_based_reversal_waits_and_applies_to_the_reversed_position(hoy, monkeypatch):
    prestamos, archivo = _dos_remesas(hoy)
    rapidas = _contar_rapidas(monkeypatch)
    dia = hoy(date(2026, 7, 2))
    prestamo = prestamos[0]

    errores = _en_paralelo(
        lambda: revertir_archivo(archivo, motivo="archivo equivocado"),
        lambda: prestamo_aplicar_pago(prestamo=Prestamo.objects.get(pk=prestamo.pk), importe=prestamo.cuota,
                                      fecha_valor=dia, tipo=Movimiento.Tipo.PAGO, origen="Banco", hoy=dia),
    )

    assert errores == [] and rapidas == [3]  # the three deductions reversed set-based
    reversion = Movimiento.objects.get(prestamo=prestamo, tipo=Movimiento.Tipo.REVERSION)
    pago = Movimiento.objects.get(prestamo=prestamo, tipo=Movimiento.Tipo.PAGO)
    # It waited for the reversal's lock: booked after it, on the position without Q12's deduction, so it pays
    # installment 2 (Q12) again, not installment 3.
    assert pago.pk > reversion.pk
    assert [c[0] for c in pago.aplicacion["cuotas"]] == [2]
    for p in Prestamo.objects.filter(pk__in=[x.pk for x in prestamos]):
        assert posiciones.posicion(p) == posiciones.posicion(p, reproducir=True)
        assert p.estado == Prestamo.Estado.VIGENTE


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reversal_starting_during_a_payment_waits_and_re_decides_it(hoy, monkeypatch):
    prestamos, archivo = _dos_remesas(hoy)
    rapidas = _contar_rapidas(monkeypatch)
    dia = hoy(date(2026, 7, 2))
    prestamo = prestamos[0]
    resumenes = []

    errores = _en_paralelo(
        lambda: prestamo_aplicar_pago(prestamo=Prestamo.objects.get(pk=prestamo.pk), importe=prestamo.cuota,
                                      fecha_valor=dia, tipo=Movimiento.Tipo.PAGO, origen="Banco", hoy=dia),
        lambda: resumenes.append(revertir_archivo(archivo, motivo="archivo equivocado")),
    )

    assert errores == [] and rapidas == [2]
    # The payment came first: the deduction is no longer its loan's last, so the engine reverses it and books
    # the payment again (on installment 2); the other two loans went the set-based way.
    assert resumenes[0].detalle["movimientos posteriores vueltos a aplicar"] == 1
    otra_vez = Movimiento.objects.get(prestamo=prestamo, tipo=Movimiento.Tipo.PAGO, reaplica__isnull=False)
    assert [c[0] for c in otra_vez.aplicacion["cuotas"]] == [2]
    for p in Prestamo.objects.filter(pk__in=[x.pk for x in prestamos]):
        assert posiciones.posicion(p) == posiciones.posicion(p, reproducir=True)
