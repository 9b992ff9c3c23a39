"""One writer for the ledger (prestamos/libro.py): no other product module inserts a movement, writes a
position snapshot or locks loans by hand. A new way money moves goes through `libro.asentar` /
`asentar_lote` and `libro.bloquear`, so the snapshot, the estado and the lock order come with it."""

import re
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent.parent
PAQUETES = ("accounts", "fopi", "oficina", "prestamos", "recuperacion")
ESCRITOR = "prestamos/libro.py"
PROHIBIDO = {
    "inserta movimientos": re.compile(r"Movimiento\.objects\.(create|bulk_create)|insertar\(\s*Movimiento|Movimiento\(\s*\w+="),
    "escribe la instantánea": re.compile(r"\.posicion(_hasta|_al_corriente)?\s*=(?!=)|update\([^)]*posicion"),
    "bloquea préstamos a mano": re.compile(r"Prestamo\.objects\.select_for_update|consulta\.select_for_update\(\)\.filter\(pk__in"),
}
# A lote row decoding the snapshot it read (recuperacion/lotes.py) is a read, not a write.
LECTURAS = {("recuperacion/lotes.py", "escribe la instantánea")}


def _modulos():
    for paquete in PAQUETES:
        for ruta in sorted((RAIZ / paquete).rglob("*.py")):
            relativa = ruta.relative_to(RAIZ).as_posix()
            if "/migrations/" not in relativa and relativa != ESCRITOR:
                yield relativa, ruta.read_text(encoding="utf-8")


@pytest.mark.parametrize("regla", sorted(PROHIBIDO))
def test_only_the_ledgers_writer_does_it(regla):
    patron = PROHIBIDO[regla]
    fuera = [
        f"{relativa}:{texto[: m.start()].count(chr(10)) + 1}"
        for relativa, texto in _modulos()
        if (relativa, regla) not in LECTURAS
        for m in patron.finditer(texto)
    ]
    assert fuera == [], f"{regla} fuera de {ESCRITOR}"


def test_the_patterns_find_what_they_look_for():
    assert PROHIBIDO["inserta movimientos"].search("Movimiento.objects.create(**fila)")
    assert PROHIBIDO["escribe la instantánea"].search("prestamo.posicion = datos")
    assert not PROHIBIDO["escribe la instantánea"].search("if prestamo.posicion == datos")
    assert PROHIBIDO["escribe la instantánea"].search("prestamo.posicion_al_corriente = 0")
    assert PROHIBIDO["bloquea préstamos a mano"].search("Prestamo.objects.select_for_update().get(pk=1)")
