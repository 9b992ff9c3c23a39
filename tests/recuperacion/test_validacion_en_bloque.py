"""The remesa's two validations agree (recuperacion/importacion.py): the SQL route (COPY + joins) accepts
a file only when the row-by-row validation finds no bad line, and leaves every other file to it, so a
refused file is refused with the same lines and messages whichever route saw it first. PostgreSQL only:
the SQL route is PostgreSQL's."""

from datetime import date

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oficina.importacion.lector import leer_filas
from prestamos.models import Dependencia
from recuperacion.importacion import DescuentosImportador
from tests.fabricas import CURP_ALICE, CURP_BOB, ENCABEZADO, FOLIO_ALICE, FOLIO_BOB, prestamos_de, remesa

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Ways a row can be wrong, or right but not canonical (each a function of a good row's cells).
MUTACIONES = {
    "buena": lambda c: c,
    "folio corto": lambda c: [c[0], c[1], c[2][:10], c[3], c[4]],
    "folio desconocido": lambda c: [c[0], c[1], "39999999999", c[3], c[4]],
    "curp ajena": lambda c: [c[0], c[1], c[2], CURP_BOB, c[4]],
    "curp en minúsculas": lambda c: [c[0], c[1], c[2], c[3].lower(), c[4]],
    "importe cero": lambda c: [c[0], c[1], c[2], c[3], "0.00"],
    "importe excesivo": lambda c: [c[0], c[1], c[2], c[3], "99999.00"],
    "tres decimales": lambda c: [c[0], c[1], c[2], c[3], c[4] + "1"],
    "espacios": lambda c: [c[0], c[1], " " + c[2], c[3], c[4]],
    "otra quincena": lambda c: [c[0], "2026-Q10", c[2], c[3], c[4]],
    "quincena futura": lambda c: [c[0], "2026-Q20", c[2], c[3], c[4]],
    "otra dependencia": lambda c: ["SSA", c[1], c[2], c[3], c[4]],
    "préstamo de otra dependencia": lambda c: [c[0], c[1], FOLIO_BOB, CURP_BOB, c[4]],
    "importe con coma": lambda c: [c[0], c[1], c[2], c[3], '"' + c[4].replace(".", ",") + '"'],
}


@pytest.fixture
def cartera(prestamo_alice, prestamo_bob, hoy):
    hoy(date(2026, 6, 20))
    otros = prestamos_de(Dependencia.objects.get(clave="SEP"), 5)
    # One row already loaded: sent again with another amount it refuses the file.
    remesa((otros[0].folio, otros[0].derechohabiente.curp, otros[0].cuota))
    return [(FOLIO_ALICE, CURP_ALICE, "701.12")] + [(p.folio, p.derechohabiente.curp, str(p.cuota)) for p in otros]


def _validacion_fila_por_fila(contenido: bytes) -> list[int]:
    _, filas = leer_filas(contenido.decode())
    _, errores = DescuentosImportador().validar(filas)
    return sorted(e.linea for e in errores)


def _ruta_sql(contenido: bytes) -> bool:
    """Whether the SQL route took the file; nothing it wrote survives."""

    class Deshacer(Exception):
        pass

    try:
        with transaction.atomic():
            tomado = DescuentosImportador(sha256="prueba").cargar_en_bloque(contenido) is not None
            raise Deshacer
    except Deshacer:
        return tomado


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(datos=st.data())
def test_the_sql_route_never_accepts_a_file_the_row_by_row_validation_refuses(cartera, datos):
    elegidos = datos.draw(st.lists(st.sampled_from(range(len(cartera))), min_size=1, max_size=6))
    mutaciones = datos.draw(st.lists(st.sampled_from(sorted(MUTACIONES)), min_size=len(elegidos), max_size=len(elegidos)))
    otro_importe = datos.draw(st.booleans())
    lineas = []
    for indice, mutacion in zip(elegidos, mutaciones):
        folio, curp, importe = cartera[indice]
        if indice == 1 and otro_importe:
            importe = "1.00"  # the row loaded before, now with another amount
        lineas.append(",".join(MUTACIONES[mutacion](["SEP", "2026-Q11", folio, curp, importe])))
    contenido = (ENCABEZADO + "\n".join(lineas) + "\n").encode()

    errores = _validacion_fila_por_fila(contenido)
    tomado = _ruta_sql(contenido)
    if errores:
        assert not tomado, f"la ruta SQL aceptó un archivo con errores en las líneas {errores}"
    canonicas = all(m == "buena" for m in mutaciones) and len(set(elegidos)) == len(elegidos)
    if canonicas and not (otro_importe and 1 in elegidos):
        assert not errores and tomado  # the well-formed case is the SQL route's to take
