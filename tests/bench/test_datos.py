"""The benchmark's generator: it refuses any database but a bench one, and its ledgers are the engine's."""

import json
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import comun  # noqa: E402
import datos  # noqa: E402
from prestamos import instantanea  # noqa: E402
from prestamos.calculo import Quincena  # noqa: E402
from prestamos.cartera import Aplicacion, Condiciones, Posicion  # noqa: E402


@pytest.mark.parametrize(
    "url",
    ["", "sqlite:///bench.sqlite3", "postgres://postgres@127.0.0.1:5432/oficina", "postgres://postgres@127.0.0.1:5432/oficina_perf"],
)
def test_it_refuses_any_database_but_a_postgresql_bench_one(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SystemExit):
        comun.configuracion_bench()


def test_it_accepts_a_bench_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/oficina_bench")
    assert comun.configuracion_bench()["NAME"] == "oficina_bench"


def test_its_ledgers_replay_to_its_snapshots():
    """Every (shape, behaviour): replaying the COPY rows gives the snapshot written with the loan."""
    hoy = date(2026, 11, 26)
    q_actual = Quincena.de_fecha(hoy) + (-1)
    patrones, quincenas, primera, otorgamiento = datos.calcular_patrones(q_actual, 23, hoy)
    assert len(quincenas) == 23 and quincenas[-1] == q_actual + (-1)
    estados = set()
    for patron in patrones.values():
        importe, tasa, plazo = patron.forma
        condiciones = Condiciones(importe, tasa, plazo, primera, otorgamiento)
        libro = []
        for paso in patron.pasos:
            for texto, _tipo, _quincena, _importe in paso:
                campos = texto.split("\t")
                libro.append(Aplicacion.de_json(json.loads(campos[7]), fecha_valor=date.fromisoformat(campos[1]),
                                                importe=D(campos[2])))
        replay = Posicion.derivar(condiciones, libro)
        assert replay == instantanea.restaurar(json.loads(patron.posicion), condiciones)
        assert replay.estado(hoy) == patron.estado
        estados.add(patron.estado)
    assert estados == {"VIGENTE", "LIQUIDADO"}
