"""Test data and helpers shared by test modules (fixtures live in conftest.py): named people, the
worked example's loans, remesas, concurrency and PDF reading helpers. Import from here, not from conftest."""

from datetime import date
from decimal import Decimal as D

CURP_ANA = "LOSA820420MNLPNN07"
CURP_ALICE = "GAML850312MDFRPR02"
CURP_BOB = "HERJ790605HJCRMN09"
CONTRASENA = "Prestamo2026!"

FOLIO_ALICE = "20000000001"
FOLIO_BOB = "20000000002"
ENCABEZADO_PRESTAMOS = (
    "folio,curp,tipo,importe,tasa_anual,plazo_quincenas,fecha_otorgamiento,primera_quincena,estado,"
    "quincenas_pagadas,fecha_liquidacion\n"
)


def cargar_prestamos(*filas: str):
    """Load loans through the real importer (prestamos.csv rows without the header)."""
    from oficina.importacion import importar_archivo

    return importar_archivo((ENCABEZADO_PRESTAMOS + "\n".join(filas) + "\n").encode())


def a_la_vez(funcion, veces: int = 2) -> tuple[list, list[Exception]]:
    """Run `funcion` in `veces` threads released together (each with its own DB connection).

    Returns the results and the exceptions raised, for concurrency tests on PostgreSQL.
    """
    import threading

    from django.db import connection

    salida = threading.Barrier(veces)
    resultados, errores = [], []

    def correr():
        try:
            salida.wait()
            resultados.append(funcion())
        except Exception as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            errores.append(exc)
        finally:
            connection.close()

    hilos = [threading.Thread(target=correr) for _ in range(veces)]
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    return resultados, errores


def texto(pdf: bytes, *opciones: str) -> str:
    """The text of a PDF as a reader sees it (poppler's pdftotext)."""
    import subprocess

    return subprocess.run(
        ["pdftotext", *opciones, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def paginas(pdf: bytes) -> int:
    import subprocess

    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(linea.split()[-1] for linea in info.splitlines() if linea.startswith("Pages:")))


# --- remesas (descuentos.csv) ---------------------------------------------------------------------------

ENCABEZADO = "clave_dependencia,quincena,folio,curp,importe\n"


def remesa(*filas, dependencia="SEP", quincena="2026-Q11", usuario=None):
    """Load a descuentos.csv whose rows are (folio, curp, importe)."""
    from oficina.importacion import importar_archivo

    texto = ENCABEZADO + "".join(f"{dependencia},{quincena},{folio},{curp},{importe}\n" for folio, curp, importe in filas)
    return importar_archivo(texto.encode(), nombre_archivo="descuentos.csv", usuario=usuario)


def prestamos_de(dependencia, n: int, *, desde: int = 0) -> list:
    """n loans of 10,000.00 at 12 % in 24 quincenas from 2026-Q11, written directly (no opening entry)."""
    from prestamos.calculo import cuota_fija
    from prestamos.models import Derechohabiente, Prestamo

    personas = Derechohabiente.objects.bulk_create(
        Derechohabiente(curp=f"PRUE{desde + i:014d}", nombre="Persona", primer_apellido="Prueba", dependencia=dependencia)
        for i in range(n)
    )
    cuota = cuota_fija(principal=D("10000.00"), tasa_anual=D("12.00"), plazo=24)
    return Prestamo.objects.bulk_create(
        Prestamo(
            folio=f"3{desde + i:010d}", derechohabiente=p, dependencia=dependencia, tipo="ORDINARIO",
            importe=D("10000.00"), tasa_anual=D("12.00"), plazo=24, cuota=cuota,
            fecha_otorgamiento=date(2026, 5, 20), primera_quincena="2026-Q11",
        )
        for i, p in enumerate(personas)
    )


def filas_de(prestamos: list):
    return [(p.folio, p.derechohabiente.curp, p.cuota) for p in prestamos]
