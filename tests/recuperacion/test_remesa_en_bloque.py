"""A remesa's ordinary deductions applied inside PostgreSQL give exactly what the engine gives
(docs/reglas.md, "Remesas: la deducción ordinaria"; recuperacion/en_bloque.py).

The same random history — loans of both kinds, remesas with plain, missing, partial and excess rows, bank
payments, snapshots left behind the ledger, late loads (some for periods regularized at the bank before them:
pagos en exceso), a reversed and corrected file, the daily detection —
is played twice in one database, once with the set-based path and once with every row through the engine,
and everything that results is compared: each loan's ledger row by row, snapshot, estado, deductions,
missing-deduction notices and remesas.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db import transaction
from stdnum.mx import curp

from oficina.importacion import importar_archivo, revertir_archivo
from prestamos import instantanea, posiciones
from prestamos.calculo import Mes, Quincena
from prestamos.models import Dependencia, Derechohabiente, Movimiento, Prestamo, Remesa
from prestamos.services import prestamo_aplicar_pago
from recuperacion import en_bloque
from recuperacion.models import AvisoOmision, Descuento
from recuperacion.omisiones import detectar_omisiones
from tests.fabricas import CURP_ALICE, ENCABEZADO, FOLIO_ALICE, cargar_prestamos, remesa

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.postgres]


@pytest.mark.parametrize(("importe", "ordinarias"), [("701.12", 1), ("701.13", 0), ("350.56", 0)])
def test_the_worked_example_is_an_ordinary_deduction_and_a_cent_more_is_not(
    importe, ordinarias, prestamo_alice, monkeypatch, hoy
):
    # The first remesa after the load starts from the opening snapshot prestamos.csv wrote
    # (tests/recuperacion/test_primera_remesa.py); the second is classified here.
    hoy(date(2026, 6, 20))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    hoy(date(2026, 7, 3))
    clasificar, contadas = en_bloque.clasificar, []
    monkeypatch.setattr(en_bloque, "clasificar", lambda cursor, **datos: contadas.append(clasificar(cursor, **datos))
                        or contadas[-1])

    remesa((FOLIO_ALICE, CURP_ALICE, importe), quincena="2026-Q12")

    assert contadas == [ordinarias]
    movimiento = Movimiento.objects.filter(tipo=Movimiento.Tipo.DESCUENTO).latest("pk")
    prestamo_alice.refresh_from_db()
    assert (prestamo_alice.estado, prestamo_alice.posicion_hasta) == ("VIGENTE", movimiento.pk)
    if ordinarias:  # docs/reglas.md, "Remesas: la deducción ordinaria"
        assert (movimiento.fecha_valor, movimiento.interes, movimiento.capital, movimiento.moratorios) == (
            date(2026, 6, 30), D("113.66"), D("587.46"), D("0.00"))
        # The JSON is not rewritten: the snapshot counts the installment (prestamos/instantanea.py, plegar).
        assert prestamo_alice.posicion["cuotas"][11] == ["113.66", "587.46"]
        assert prestamo_alice.posicion_al_corriente == 2  # 2026-Q11's deduction and this one
        plegada = instantanea.plegar(prestamo_alice.posicion, prestamo_alice.primera_quincena, 2)
        assert plegada["cuotas"][10][2] == "2026-06-15"
        assert plegada["cuotas"][11] == ["113.66", "587.46", "2026-06-30"]
        assert plegada["ultima_fecha_valor"] == "2026-06-30"
    else:  # the engine wrote the whole snapshot
        assert prestamo_alice.posicion_al_corriente == 0
        assert prestamo_alice.posicion["cuotas"][10][2:] == ["2026-06-15"]  # 2026-Q11, paid as scheduled


def test_a_count_that_does_not_start_where_the_json_stops_paying_sends_the_row_to_the_engine(
    prestamo_alice, monkeypatch, hoy
):
    # A count must start right after the JSON's paid installments (instantanea.plegar). One that claims 2026-Q11
    # while the JSON still holds it untouched is not the set-based path's to extend: had it taken Q11's row, Q11
    # would be paid twice. The engine decides it instead.
    hoy(date(2026, 6, 20))
    Prestamo.objects.filter(pk=prestamo_alice.pk).update(posicion_al_corriente=1)
    clasificar, contadas = en_bloque.clasificar, []
    monkeypatch.setattr(en_bloque, "clasificar", lambda cursor, **datos: contadas.append(clasificar(cursor, **datos))
                        or contadas[-1])

    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")

    assert contadas == [0]
    prestamo_alice.refresh_from_db()
    assert prestamo_alice.posicion_al_corriente == 0  # the engine wrote the whole snapshot


def _curp(base: str) -> str:
    return base + curp.calc_check_digit(base)


def _archivo(clave: str, periodo, filas) -> bytes:
    return (ENCABEZADO + "".join(f"{clave},{periodo},{p.folio},{p.derechohabiente.curp},{importe}\n"
                                 for p, importe in filas)).encode()


def _importe(rnd: random.Random, prestamo: Prestamo) -> D | None:
    """A remesa row's amount: mostly the cuota, sometimes left out, partial, in excess or a cent off."""
    tirada = rnd.random()
    if tirada < 0.86:
        return prestamo.cuota
    if tirada < 0.91:
        return None
    if tirada < 0.95:
        return (prestamo.cuota / 2).quantize(D("0.01"))
    if tirada < 0.97:
        return prestamo.cuota * 2
    if tirada < 0.99:
        return prestamo.cuota + D("0.01")
    return D("1.00")


def _historia(semilla: int, fijar_hoy) -> None:
    """A random history of loads and payments from 2026-Q03 to 2026-Q16."""
    rnd = random.Random(semilla)
    regulariza = random.Random(-semilla)  # its own stream: the rest of the history stays what it was
    sep = Dependencia.objects.create(clave="EQSEP", nombre="Dependencia de prueba")
    pen = Dependencia.objects.create(clave="EQPEN", nombre="Nómina de pensiones de prueba")
    filas = []
    for i in range(30):
        mensual = i >= 24
        persona = Derechohabiente.objects.create(
            curp=_curp(f"EQUI8501{i + 1:02d}HDFRRR0"), nombre="Persona", primer_apellido="Prueba", dependencia=pen if mensual else sep,
            tipo=Derechohabiente.Tipo.PENSIONADO if mensual else Derechohabiente.Tipo.TRABAJADOR,
        )
        primera = f"2026-M0{rnd.randint(1, 2)}" if mensual else f"2026-Q0{rnd.randint(1, 4)}"
        plazo = rnd.choice([4, 6, 12]) if mensual else rnd.choice([6, 8, 12, 24])
        filas.append(f"4{i:010d},{persona.curp},ORDINARIO,{rnd.choice(['5000.00', '10000.00', '30000.00'])},"
                     f"{rnd.choice(['11.50', '12.00', '14.00'])},{plazo},2025-12-20,{primera},VIGENTE,"
                     f"{rnd.randint(0, 1)},")
    fijar_hoy(date(2026, 2, 1))
    cargar_prestamos(*filas)
    prestamos = list(Prestamo.objects.filter(folio__startswith="4").select_related("derechohabiente").order_by("folio"))
    reloj = date(2026, 2, 1)
    for numero in range(3, 17):
        quincena = Quincena(2026, numero)
        for p in prestamos:  # bank payments during the quincena, some leaving the snapshot behind the ledger
            if rnd.random() < 0.06:
                fecha = max(reloj, quincena.inicio + timedelta(days=rnd.randint(0, 9)))
                reloj = fijar_hoy(fecha)
                antes = Prestamo.objects.filter(pk=p.pk).values_list(
                    "posicion", "posicion_hasta", "posicion_al_corriente").get()
                prestamo_aplicar_pago(prestamo=p, importe=rnd.choice([p.cuota, D("2000.00"), D("300.00")]),
                                      fecha_valor=fecha, tipo=Movimiento.Tipo.PAGO, origen="Banco", hoy=fecha)
                if rnd.random() < 0.4:
                    Prestamo.objects.filter(pk=p.pk).update(posicion=antes[0], posicion_hasta=antes[1],
                                                            posicion_al_corriente=antes[2])
        tardia = rnd.random() < 0.15
        fecha = (quincena + 1).vencimiento + timedelta(days=1) if tardia else quincena.vencimiento + timedelta(
            days=rnd.randint(0, 5))
        reloj = fijar_hoy(max(reloj, fecha))
        cargas = [("EQSEP", quincena, [p for p in prestamos if p.dependencia_id == sep.pk])]
        if numero % 2 == 0:
            cargas.append(("EQPEN", Mes(2026, numero // 2), [p for p in prestamos if p.dependencia_id == pen.pk]))
        for clave, periodo, suyos in cargas:
            if rnd.random() < 0.1:
                continue  # this remesa never came
            renglones = [(p, importe) for p in suyos if str(p.primera_quincena) <= str(periodo)
                         and (importe := _importe(rnd, p)) is not None]
            if not renglones:
                continue
            if reloj > periodo.vencimiento:
                # Some borrowers paid this period at the bank after its due date, before its remesa came: the
                # remesa's row pays it a second time, a pago en exceso the engine decides (docs/reglas.md §6).
                for p, _ in renglones:
                    if regulariza.random() < 0.1:
                        prestamo_aplicar_pago(prestamo=p, importe=p.cuota, fecha_valor=periodo.vencimiento + timedelta(days=1),
                                              tipo=Movimiento.Tipo.PAGO, origen="Banco", hoy=reloj)
            contenido = _archivo(clave, periodo, renglones)
            importar_archivo(contenido, nombre_archivo=f"{clave}-{periodo}.csv")
            if rnd.random() < 0.1:  # the dependencia sent it wrong: reversed, then the corrected file
                revertir_archivo(contenido, motivo="archivo equivocado")
                importar_archivo(_archivo(clave, periodo, [(p, p.cuota) for p, _ in renglones]),
                                 nombre_archivo=f"{clave}-{periodo}-corregido.csv")
        if rnd.random() < 0.3:
            detectar_omisiones(hoy=reloj)


def _estado() -> dict:
    """Everything a remesa writes, with ids replaced by (folio, place in that loan's ledger)."""
    folios = dict(Prestamo.objects.values_list("pk", "folio"))
    lugar, libros = {}, defaultdict(list)
    for m in Movimiento.objects.order_by("pk").values():
        folio = folios[m.pop("prestamo_id")]
        lugar[m.pop("id")] = (folio, len(libros[folio]))
        m.pop("creado")
        libros[folio].append(m)
    for libro in libros.values():
        for m in libro:
            m["revierte_id"], m["reaplica_id"] = lugar.get(m["revierte_id"]), lugar.get(m["reaplica_id"])
    return {
        "libros": dict(libros),
        # The snapshot as the engine writes it: the set-based path's count written into the JSON.
        "prestamos": {p.folio: (p.posicion and instantanea.plegar(p.posicion, p.primera_quincena, p.posicion_al_corriente),
                                lugar.get(p.posicion_hasta), p.estado, p.fecha_liquidacion)
                      for p in Prestamo.objects.all()},
        "descuentos": sorted((folios[d.prestamo_id], str(d.quincena), d.importe, lugar[d.movimiento_id], d.revertido,
                              d.remesa.archivo) for d in Descuento.objects.select_related("remesa")),
        "avisos": sorted((folios[a.prestamo_id], str(a.quincena), a.pendiente, a.detectada)
                         for a in AvisoOmision.objects.all()),
        "remesas": sorted((r.archivo, str(r.quincena), r.filas, r.total, r.revertida) for r in Remesa.objects.all()),
    }


def _jugar(semilla: int, *, rapida: bool, monkeypatch, hoy) -> tuple[dict, int]:
    """Play the history inside a savepoint rolled back afterwards; its results and how many rows went
    the set-based way."""
    clasificar, rapidas = en_bloque.clasificar, []

    def contando(cursor, **datos):
        rapidas.append(clasificar(cursor, **{**datos, "rapida": rapida}))
        return rapidas[-1]

    monkeypatch.setattr(en_bloque, "clasificar", contando)
    with transaction.atomic():
        _historia(semilla, hoy)
        estado = _estado()
        # The set-based rows leave snapshots the engine can read on: each equals the ledger's replay.
        for prestamo in Prestamo.objects.filter(posicion__isnull=False):
            replay = posiciones.posicion(prestamo, reproducir=True)
            assert instantanea.guardar(replay) == instantanea.guardar(posiciones.posicion(prestamo)), prestamo.folio
        transaction.set_rollback(True)
    monkeypatch.setattr(en_bloque, "clasificar", clasificar)
    return estado, sum(rapidas)


@pytest.mark.parametrize("semilla", [1, 2, 3, 4])
def test_the_set_based_path_writes_what_the_engine_writes(semilla, monkeypatch, hoy):
    motor, ninguna = _jugar(semilla, rapida=False, monkeypatch=monkeypatch, hoy=hoy)
    en_la_base, rapidas = _jugar(semilla, rapida=True, monkeypatch=monkeypatch, hoy=hoy)

    cargados = sum(1 for *_, revertido, _ in motor["descuentos"] if not revertido)
    assert ninguna == 0 and 30 < rapidas < cargados  # both paths were really taken
    assert sum(len(libro) for libro in motor["libros"].values()) > 200
    # Pagos en exceso (a remesa row for a period regularized before it) were decided too, the same both ways.
    assert any(m["aplicacion"].get("exceso") for libro in motor["libros"].values() for m in libro)
    for folio in motor["libros"]:
        assert en_la_base["libros"][folio] == motor["libros"][folio], folio
    for folio in motor["prestamos"]:
        assert en_la_base["prestamos"][folio] == motor["prestamos"][folio], folio
    assert en_la_base == motor
