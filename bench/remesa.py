"""How fast does a remesa load? Target: 1,000,000 deductions in minutes (SPEC §8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/remesa.py [--filas 1000000]

Drops and re-creates the database named in DATABASE_URL (so it refuses SQLite and any database whose
name lacks "bench"), migrates it, writes N loans with COPY (each with its opening entry and position
snapshot, as after earlier remesas), writes a descuentos.csv with one deduction per loan (1 % short, so
detection has work; 1 % of the loans left out), then times `importar_archivo` on it. As a floor it times
PostgreSQL's own COPY of the same CSV into a plain table: the ratio says what validation, the payment
engine and the ledger cost over merely storing the rows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oficina.settings")

import dj_database_url  # noqa: E402
import psycopg  # noqa: E402

# (importe, tasa anual, plazo): a few loan shapes, so the engine sees different schedules.
FORMAS = (
    (Decimal("30000.00"), Decimal("11.50"), 48),
    (Decimal("20000.00"), Decimal("12.00"), 24),
    (Decimal("50000.00"), Decimal("14.00"), 72),
    (Decimal("10000.00"), Decimal("9.00"), 36),
)
PAGADAS = 10  # installments paid before the remesa (the opening entry)


def preparar_base(url: str) -> None:
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("El benchmark sólo corre en PostgreSQL (DATABASE_URL=postgres://…).")
    nombre = config["NAME"]
    if "bench" not in nombre:
        sys.exit(f"La base «{nombre}» no contiene «bench» en su nombre: el benchmark la borraría. Usa p. ej. oficina_bench.")
    servidor = dict(host=config["HOST"] or None, port=config["PORT"] or None, user=config["USER"] or None,
                    password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    with psycopg.connect(**{k: v for k, v in servidor.items() if v is not None}) as conexion:
        conexion.execute(f'DROP DATABASE IF EXISTS "{nombre}" WITH (FORCE)')
        conexion.execute(f'CREATE DATABASE "{nombre}"')


def generar(n: int, ruta_csv: Path):
    """COPY n loans with their opening entry and snapshot; write the remesa's CSV. Returns (dependencia, quincena)."""
    from django.db import connection
    from django.utils import timezone

    from prestamos.calculo import Quincena, cuota_fija
    from prestamos.cartera import Condiciones, Posicion
    from prestamos.models import Dependencia, Derechohabiente, Movimiento, Prestamo

    hoy = timezone.localdate()
    quincena = Quincena.de_fecha(hoy) + (-1)  # the last quincena already due: its remesa arrives now
    primera = quincena + (-PAGADAS)
    otorgamiento = primera.inicio - timedelta(days=10)
    dependencia = Dependencia.objects.create(clave="BENCH", nombre="Dependencia del benchmark")

    formas = []
    for importe, tasa, plazo in FORMAS:
        posicion = Posicion.nueva(Condiciones(importe, tasa, plazo, primera, otorgamiento))
        apertura = posicion.abrir(quincenas_pagadas=PAGADAS)
        formas.append((importe, tasa, plazo, cuota_fija(principal=importe, tasa_anual=tasa, plazo=plazo), apertura,
                       json.dumps(apertura.a_json()), json.dumps(posicion.a_json())))

    ahora = timezone.now()
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {Derechohabiente._meta.db_table} (id, curp, nombre, primer_apellido, segundo_apellido, "
                         "rfc, dependencia_id) FROM STDIN") as copia:
            for i in range(1, n + 1):
                copia.write_row((i, f"BNCH{i:014d}", "Persona", "Apellido", "", "", dependencia.pk))
        with cursor.copy(f"COPY {Prestamo._meta.db_table} (id, folio, derechohabiente_id, dependencia_id, tipo, importe, "
                         "tasa_anual, plazo, cuota, fecha_otorgamiento, primera_quincena, quincenas_pagadas_inicial, "
                         "estado_inicial, estado, cargado, posicion, posicion_hasta) FROM STDIN") as copia:
            for i in range(1, n + 1):
                importe, tasa, plazo, cuota, _, _, snapshot = formas[i % len(formas)]
                copia.write_row((i, f"{30000000000 + i}", i, dependencia.pk, "ORDINARIO", importe, tasa, plazo, cuota,
                                 otorgamiento, str(primera), PAGADAS, "VIGENTE", "VIGENTE", ahora, snapshot, i))
        with cursor.copy(f"COPY {Movimiento._meta.db_table} (id, prestamo_id, tipo, fecha_valor, importe, moratorios, "
                         "interes, capital, excedente, aplicacion, origen, motivo, creado) FROM STDIN") as copia:
            for i in range(1, n + 1):
                *_, a, aplicacion, _ = formas[i % len(formas)]
                copia.write_row((i, i, "APERTURA", a.fecha_valor, a.importe, a.moratorios, a.interes, a.capital,
                                 a.excedente, aplicacion, "Carga inicial (benchmark)", "", ahora))
        for modelo in (Derechohabiente, Prestamo, Movimiento):
            tabla = modelo._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{tabla}', 'id'), {n})")
            cursor.execute(f"ANALYZE {tabla}")

    with ruta_csv.open("w") as archivo:
        archivo.write("clave_dependencia,quincena,folio,curp,importe\n")
        for i in range(1, n + 1):
            if i % 100 == 0:
                continue  # left out of the remesa: a missing deduction
            cuota = formas[i % len(formas)][3]
            importe = (cuota / 2).quantize(Decimal("0.01")) if i % 100 == 50 else cuota
            archivo.write(f"BENCH,{quincena},{30000000000 + i},BNCH{i:014d},{importe}\n")
    return dependencia, quincena


def copia_piso(ruta_csv: Path) -> float:
    """Seconds PostgreSQL takes to COPY the same CSV into a plain table: the least any load can take."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copia (clave_dependencia text, quincena text, folio text, curp text, importe numeric(12,2))")
        inicio = time.perf_counter()
        with cursor.copy("COPY bench_copia FROM STDIN WITH (FORMAT csv, HEADER true)") as copia, ruta_csv.open("rb") as f:
            while bloque := f.read(1 << 20):
                copia.write(bloque)
        return time.perf_counter() - inicio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--filas", type=int, default=1_000_000, help="préstamos y filas de la remesa (1,000,000)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    preparar_base(url)

    import django

    django.setup()
    from django.core.management import call_command

    from prestamos.importacion import importar_archivo
    from prestamos.models import Movimiento
    from recuperacion.models import AvisoOmision, Descuento

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as carpeta:
        ruta = Path(carpeta) / "descuentos.csv"
        inicio = time.perf_counter()
        generar(args.filas, ruta)
        print(f"Datos generados: {args.filas:,} préstamos en {time.perf_counter() - inicio:.1f} s")

        def progreso(hechas: int, total: int) -> None:
            print(f"\r  {hechas:,}/{total:,} filas aplicadas ({time.perf_counter() - inicio:.0f} s)", end="", flush=True)

        inicio = time.perf_counter()
        resumen = importar_archivo(ruta, progreso=progreso)
        carga = time.perf_counter() - inicio
        print()
        print(resumen.texto())
        filas = resumen.leidas
        print(f"importar descuentos.csv: {filas:,} filas en {carga:.1f} s = {filas / carga:,.0f} filas/s")
        piso = copia_piso(ruta)
        print(f"COPY del mismo CSV a una tabla simple: {piso:.2f} s = {filas / piso:,.0f} filas/s")
        print(f"razón carga / COPY: {carga / piso:.1f}×")
        print(f"Movimientos: {Movimiento.objects.count():,}; descuentos: {Descuento.objects.count():,}; "
              f"avisos de omisión: {AvisoOmision.objects.count():,}")
        # A second load of the same file must apply nothing.
        inicio = time.perf_counter()
        resumen = importar_archivo(ruta)
        print(f"recarga del mismo archivo: {resumen.detalle['ya cargado']:,} ya cargadas en {time.perf_counter() - inicio:.1f} s")


if __name__ == "__main__":
    main()
