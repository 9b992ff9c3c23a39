"""How fast does a remesa load on SQLite, the embedded default database (development, a small office)?

    .venv/bin/python bench/remesa_sqlite.py [--prestamos 20000] [--base /tmp/remesa-sqlite/oficina.sqlite3]

Creates a fresh SQLite file under /tmp (DATABASE_URL is set here: it never touches a PostgreSQL
database), migrates it and loads, through `importar_archivo` as the CAPP's command does, one dependencia's
padrón (derechohabientes.csv) and N loans (prestamos.csv). Each loan started 10 quincenas before the last
quincena already due and its opening entry (`quincenas_pagadas`) leaves it up to date until then. That
set-up is timed apart: it is not the figure.

Then it writes that quincena's remesa (descuentos.csv: one row per loan, the exact cuota, but 1 % left out
and 1 % half paid, as bench/datos.py's) and times `importar_archivo` for it: wall clock and process CPU,
rows per second and, where the loader reports them (Resumen.tiempos), its stages. On SQLite every row
goes through the payment engine (recuperacion/remesas.py). A second load of the same file must apply
nothing ("ya cargado"). The settings run with DJANGO_DEBUG=1, as manage.py does in development.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from comun import RAIZ, carga_promedio

# (importe, tasa anual, plazo): bench/datos.py's loan shapes, so the engine sees different schedules.
FORMAS = (
    (Decimal("30000.00"), Decimal("11.50"), 48),
    (Decimal("50000.00"), Decimal("14.00"), 72),
    (Decimal("20000.00"), Decimal("12.00"), 48),
    (Decimal("80000.00"), Decimal("14.50"), 96),
)
PAGADAS = 10  # quincenas paid before the remesa's: the opening entry of every loan
CLAVE = "BENCHSQL"
BASE = Path("/tmp/remesa-sqlite/oficina.sqlite3")
# The CURPs' varying parts (check digit's predecessor, day, month, year): this many distinct people at most.
MAXIMO = 10 * 28 * 12 * 40


def preparar_entorno(base: Path) -> None:
    """Django on a fresh SQLite file of its own; the rest of the environment as bench/comun.py leaves it."""
    if not str(base.resolve()).startswith("/tmp/") or base.suffix != ".sqlite3":
        sys.exit(f"La base «{base}» debe ser un archivo .sqlite3 bajo /tmp: el benchmark lo borra.")
    base.parent.mkdir(parents=True, exist_ok=True)
    for sufijo in ("", "-journal", "-wal", "-shm"):
        Path(f"{base}{sufijo}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{base.resolve()}"
    os.environ["DJANGO_DEBUG"] = "1"
    # Local-memory cache: the remesa signals must not clear entries in a Redis shared with other runs.
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "sqlite":
        sys.exit(f"Se esperaba SQLite y la conexión es {connection.vendor}.")


def maquina() -> str:
    """Cores, memory, SQLite and Python versions, the code measured (its commit) and the load average."""
    import sqlite3

    memoria = next((int(linea.split()[1]) // 1024 for linea in Path("/proc/meminfo").read_text().splitlines()
                    if linea.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "-C", str(RAIZ), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            check=False).stdout.strip() or "?"
    return (f"{os.cpu_count()} núcleos, {memoria / 1024:.1f} GiB, SQLite {sqlite3.sqlite_version}, Python "
            f"{platform.python_version()}, código {RAIZ} ({commit}), carga promedio {carga_promedio()}")


def curp(i: int) -> str:
    """The i-th (0-based) valid CURP of the benchmark: born 1950–1989, Ciudad de México, H."""
    from stdnum.mx.curp import calc_check_digit

    resto, digito = divmod(i, 10)
    resto, dia = divmod(resto, 28)
    anio, mes = divmod(resto, 12)
    base = f"BNCH{50 + anio:02d}{mes + 1:02d}{dia + 1:02d}HDFRRR{digito}"
    return base + calc_check_digit(base)


def folio(i: int) -> str:
    return f"4{i:010d}"


def medir(titulo: str, funcion):
    """Run `funcion`, print its wall and CPU seconds; returns (result, wall, cpu)."""
    inicio, cpu = time.perf_counter(), time.process_time()
    resultado = funcion()
    pared, cpu = time.perf_counter() - inicio, time.process_time() - cpu
    print(f"  {titulo}: {pared:.2f} s (CPU {cpu:.2f} s)", flush=True)
    return resultado, pared, cpu


def preparar_datos(n: int, carpeta: Path):
    """The dependencia, its padrón and N loans, the product's way; returns the remesa's quincena."""
    from django.core.management import call_command
    from django.utils import timezone

    from oficina.importacion import importar_archivo
    from prestamos.calculo import Quincena
    from prestamos.models import Dependencia

    hoy = timezone.localdate()
    quincena = Quincena.de_fecha(hoy) + (-1)  # the last quincena already due: its remesa arrives now
    primera = quincena + (-PAGADAS)
    otorgamiento = primera.inicio - timedelta(days=10)

    medir("migrate", lambda: call_command("migrate", verbosity=0))
    Dependencia.objects.create(clave=CLAVE, nombre="Dependencia del benchmark en SQLite")

    padron = carpeta / "derechohabientes.csv"
    with padron.open("w") as archivo:
        archivo.write("curp,nombre,primer_apellido,segundo_apellido,rfc,clave_dependencia\n")
        for i in range(n):
            archivo.write(f"{curp(i)},Persona,Prueba,Remesa,,{CLAVE}\n")
    resumen, _, _ = medir(f"derechohabientes.csv ({n:,} filas)", lambda: importar_archivo(padron))
    print(f"    {resumen.texto()}")

    prestamos = carpeta / "prestamos.csv"
    with prestamos.open("w") as archivo:
        archivo.write("folio,curp,tipo,importe,tasa_anual,plazo_quincenas,fecha_otorgamiento,primera_quincena,"
                      "estado,quincenas_pagadas,fecha_liquidacion\n")
        for i in range(n):
            importe, tasa, plazo = FORMAS[i % len(FORMAS)]
            archivo.write(f"{folio(i)},{curp(i)},ORDINARIO,{importe},{tasa},{plazo},{otorgamiento},{primera},"
                          f"VIGENTE,{PAGADAS},\n")
    resumen, _, _ = medir(f"prestamos.csv ({n:,} filas, {PAGADAS} quincenas pagadas desde {primera})",
                          lambda: importar_archivo(prestamos))
    print(f"    {resumen.texto()}")
    return quincena


def escribir_remesa(ruta: Path, quincena) -> int:
    """descuentos.csv for the quincena: the exact cuota, but 1 % of the loans left out and 1 % half paid."""
    from prestamos.models import Prestamo

    filas = 0
    with ruta.open("w") as archivo:
        archivo.write("clave_dependencia,quincena,folio,curp,importe\n")
        consulta = Prestamo.objects.filter(dependencia__clave=CLAVE).order_by("pk")
        for i, (folio_, curp_, cuota) in enumerate(consulta.values_list("folio", "derechohabiente__curp", "cuota"),
                                                   start=1):
            if i % 100 == 0:
                continue
            importe = (cuota / 2).quantize(Decimal("0.01")) if i % 100 == 50 else cuota
            archivo.write(f"{CLAVE},{quincena},{folio_},{curp_},{importe}\n")
            filas += 1
    return filas


def tiempos(resumen) -> str:
    """The loader's stages, where this version of the code reports them."""
    cronometro = getattr(resumen, "tiempos", None)
    return cronometro.texto() if cronometro else "(esta versión no reporta etapas)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prestamos", type=int, default=20_000, help="préstamos de la dependencia (20,000)")
    parser.add_argument("--base", type=Path, default=BASE, help=f"archivo SQLite, se re-crea ({BASE})")
    args = parser.parse_args()
    if not 100 <= args.prestamos <= MAXIMO:
        sys.exit(f"--prestamos debe estar entre 100 y {MAXIMO:,}.")
    preparar_entorno(args.base)

    from django.core import mail

    from oficina.importacion import importar_archivo
    from prestamos.models import Movimiento, Prestamo
    from recuperacion.models import AvisoOmision, Descuento

    print(maquina())
    print(f"Preparación ({args.base}):", flush=True)
    inicio = time.perf_counter()
    quincena = preparar_datos(args.prestamos, args.base.parent)
    print(f"  preparación total: {time.perf_counter() - inicio:.0f} s", flush=True)

    ruta = args.base.parent / "descuentos.csv"
    filas = escribir_remesa(ruta, quincena)
    print(f"Remesa {CLAVE} {quincena}: {filas:,} filas ({ruta})", flush=True)

    carga_inicio = carga_promedio()
    resumen, pared, cpu = medir("importar descuentos.csv", lambda: importar_archivo(ruta))
    print(f"    {resumen.texto()}")
    print(f"    tiempos: {tiempos(resumen)}")
    print(f"    descuentos de {quincena}: {Descuento.objects.filter(quincena=str(quincena)).count():,}; movimientos: "
          f"{Movimiento.objects.count():,}; avisos de omisión: {AvisoOmision.objects.count():,}; correos: "
          f"{len(getattr(mail, 'outbox', [])):,}")
    estados = Prestamo.objects.order_by("estado").values_list("estado").distinct()
    print("    estados: " + ", ".join(f"{e} {Prestamo.objects.filter(estado=e).count():,}" for (e,) in estados))

    recarga, pared_recarga, cpu_recarga = medir("recarga del mismo archivo", lambda: importar_archivo(ruta))
    print(f"    {recarga.texto()}")
    print(f"    tiempos: {tiempos(recarga)}")
    if resumen.creadas != filas or recarga.creadas:
        print(f"AVISO: se esperaban {filas:,} filas aplicadas y ninguna en la recarga; se aplicaron "
              f"{resumen.creadas:,} y {recarga.creadas:,}.")

    print(f"importar descuentos.csv en SQLite: {filas:,} filas en {pared:.1f} s = {filas / pared:,.0f} filas/s "
          f"(CPU {cpu:.1f} s = {filas / cpu:,.0f} filas/s de CPU); recarga {pared_recarga:.2f} s (CPU "
          f"{cpu_recarga:.2f} s); carga promedio {carga_inicio} al empezar, {carga_promedio()} al terminar")


if __name__ == "__main__":
    main()
