"""The first remesa after the loans are loaded goes the set-based way too (issue 29).

prestamos.csv writes each loan's opening snapshot with its opening entry (a loan with nothing paid before
the load: a snapshot of its untouched schedule, pointing at no movement). The first remesa of a
dependencia has no remesa of the previous period to bound "the snapshot is current" by, so its loans' last
movements are read from the ledger's index instead: its ordinary deductions are applied set-based, and
the result is exactly what the engine writes (compared here both ways, as
tests/recuperacion/test_remesa_en_bloque.py does for a whole history).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from stdnum.mx import curp

from oficina.importacion import importar_archivo
from prestamos import instantanea, posiciones
from prestamos.models import Dependencia, Derechohabiente, Movimiento, Prestamo
from recuperacion import en_bloque
from tests.fabricas import ENCABEZADO, cargar_prestamos
from tests.recuperacion.test_remesa_en_bloque import _estado

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.postgres]


def _curp(i: int) -> str:
    base = f"PRIM85{1 + i // 28:02d}{1 + i % 28:02d}HDFRRR0"
    return base + curp.calc_check_digit(base)


def _cartera() -> tuple[list[str], dict[str, str]]:
    """Loans of a quincenal and of a monthly payroll, and the remesa row of each for the period due.

    Quincenal (SEP1, remesa 2026-Q08) and monthly (PEN1, remesa 2026-M04): most up to date until the
    period before (some with nothing paid at the load: their first installment is the remesa's), some a
    period behind, one settled; amounts exact, half, double or a cent off. Returns the prestamos.csv rows
    and {folio: the remesa row's importe, or "" for no row}.
    """
    sep = Dependencia.objects.create(clave="SEP1", nombre="Dependencia de la primera remesa")
    pen = Dependencia.objects.create(clave="PEN1", nombre="Pensiones de la primera remesa")
    filas, importes = [], {}
    for i in range(40):
        mensual = i >= 30
        persona = Derechohabiente.objects.create(
            curp=_curp(i), nombre="Persona", primer_apellido="Prueba", dependencia=pen if mensual else sep,
            tipo=Derechohabiente.Tipo.PENSIONADO if mensual else Derechohabiente.Tipo.TRABAJADOR,
        )
        folio = f"5{i:010d}"
        if mensual:
            primera, periodo, plazo = 1 + i % 3, 4, 12
        else:
            primera, periodo, plazo = 1 + i % 8, 8, 24  # i % 8 == 7: the first installment is the remesa's
        pagadas = max(0, periodo - primera - (1 if i % 10 == 3 else 0))  # one in ten a period behind
        letra = "M" if mensual else "Q"
        if i == 5:
            filas.append(f"{folio},{persona.curp},ORDINARIO,10000.00,12.00,{plazo},2025-12-20,2026-{letra}0{primera},"
                         f"LIQUIDADO,{plazo},2026-03-31")
        else:
            filas.append(f"{folio},{persona.curp},ORDINARIO,{['10000.00', '30000.00'][i % 2]},"
                         f"{['11.50', '12.00', '14.00'][i % 3]},{plazo},2025-12-20,2026-{letra}0{primera},VIGENTE,"
                         f"{pagadas},")
        importes[folio] = {4: "mitad", 9: "doble", 13: "centavo", 17: "", 33: ""}.get(i, "cuota")
    return filas, importes


def _remesas(importes: dict[str, str]) -> list[bytes]:
    archivos = []
    for clave, periodo in (("SEP1", "2026-Q08"), ("PEN1", "2026-M04")):
        renglones = []
        for p in Prestamo.objects.filter(dependencia__clave=clave).select_related("derechohabiente").order_by("folio"):
            cuota = p.cuota
            importe = {"cuota": cuota, "mitad": (cuota / 2).quantize(D("0.01")), "doble": cuota * 2,
                       "centavo": cuota + D("0.01"), "": None}[importes[p.folio]]
            if importe is not None:
                renglones.append(f"{clave},{periodo},{p.folio},{p.derechohabiente.curp},{importe}\n")
        archivos.append((ENCABEZADO + "".join(renglones)).encode())
    return archivos


def _cargar(hoy, *, rapida: bool, monkeypatch) -> tuple[dict, list[int], dict]:
    """Load the loans, check their opening snapshots, load each payroll's first remesa; roll it all back.
    Returns what was written, the rows each remesa classified as ordinary, and the loads' stages."""
    clasificar, rapidas = en_bloque.clasificar, []

    def contando(cursor, **datos):
        rapidas.append(clasificar(cursor, **{**datos, "rapida": rapida}))
        return rapidas[-1]

    monkeypatch.setattr(en_bloque, "clasificar", contando)
    with transaction.atomic():
        hoy(date(2026, 4, 20))
        filas, importes = _cartera()
        cargar_prestamos(*filas)
        # Every loan loaded has its opening snapshot, current (nothing in the ledger after it) and equal to
        # the replay of its ledger.
        for prestamo in Prestamo.objects.all():
            ultimo = Movimiento.objects.filter(prestamo=prestamo).order_by("-pk").values_list("pk", flat=True).first()
            assert instantanea.vigente(prestamo.posicion), prestamo.folio
            assert prestamo.posicion_hasta == (ultimo or 0), prestamo.folio
            assert instantanea.guardar(posiciones.posicion(prestamo)) == instantanea.guardar(
                posiciones.posicion(prestamo, reproducir=True)), prestamo.folio
        assert Prestamo.objects.filter(posicion_hasta=0).count() == 3  # nothing paid before the load
        hoy(date(2026, 5, 3))  # after 2026-Q08's and 2026-M04's due dates, before the next ones'
        etapas = {}
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            (memoria,) = cursor.fetchone()
            for archivo in _remesas(importes):
                resumen = importar_archivo(archivo, nombre_archivo="descuentos.csv")
                assert resumen.tiempos, "the file went the set-based importer's way"
                etapas.update(resumen.tiempos)
            cursor.execute("SHOW work_mem")
            assert cursor.fetchone() == (memoria,)  # raised for the set-based statements only
        estado = _estado()
        for prestamo in Prestamo.objects.all():
            assert instantanea.guardar(posiciones.posicion(prestamo)) == instantanea.guardar(
                posiciones.posicion(prestamo, reproducir=True)), prestamo.folio
        transaction.set_rollback(True)
    monkeypatch.setattr(en_bloque, "clasificar", clasificar)
    return estado, rapidas, etapas


def test_the_first_remesa_after_the_load_is_applied_set_based_as_the_engine_would(monkeypatch, hoy):
    motor, ninguna, _ = _cargar(hoy, rapida=False, monkeypatch=monkeypatch)
    en_la_base, rapidas, etapas = _cargar(hoy, rapida=True, monkeypatch=monkeypatch)

    assert ninguna == [0, 0]
    # SEP1: 30 loans; 17 left out; to the engine 5 (settled), 3 and 13 (a period behind), 4 and 9 (half,
    # double; 13 also a cent more) → 24 ordinary, 3 of them (7, 15, 23) with nothing paid before the load.
    # PEN1: 10 loans, 33 left out → 9.
    assert rapidas == [24, 9]
    assert etapas["vía rápida"] > 0
    for folio in motor["libros"]:
        assert en_la_base["libros"][folio] == motor["libros"][folio], folio
    for folio in motor["prestamos"]:
        assert en_la_base["prestamos"][folio] == motor["prestamos"][folio], folio
    assert en_la_base == motor
