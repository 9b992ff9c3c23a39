"""How fast is the first remesa after the loans are loaded? Target: ≤ 8× a plain `executemany` of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench_primera .venv/bin/python bench/primera_remesa.py \
        [--prestamos 20000] [--motor]

Re-creates the database (its name must contain "bench"), migrates it and loads, through `importar_archivo`
as the CAPP's command does, one dependencia's padrón (derechohabientes.csv) and N loans (prestamos.csv),
each started 10 quincenas before the last quincena already due and up to date until then by its opening
entry: an institution that has just migrated its portfolio. That set-up is timed apart; prestamos.csv
writes each loan's opening snapshot.

Then it loads that quincena's remesa (descuentos.csv: the exact cuota, 1 % left out and 1 % half paid, as
bench/remesa_sqlite.py and bench/datos.py write it) with `importar_archivo`, commit included, and prints
its stages and how many rows went the set-based way. As a floor, in the same run: a plain `executemany`
(psycopg's, one INSERT per row in a pipeline) of the same rows into a plain table with no index, committed.
`--motor` sends every row through the payment engine instead (the path the first remesa took before
issue 29), for a comparison on the same machine.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time

from comun import SALIDA, carga_promedio, configuracion_bench, maquina, recrear_base

OBJETIVO = 8


def piso_executemany(ruta) -> float:
    """Seconds a plain `executemany` of the CSV's rows into a plain table takes, commit included."""
    from django.db import connection, transaction

    with ruta.open(newline="") as f:
        lector = csv.reader(f)
        next(lector)
        filas = list(lector)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_executemany")
        cursor.execute("CREATE TABLE bench_executemany (clave_dependencia text, quincena text, folio text, curp text, "
                       "importe numeric(12, 2))")
    inicio = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_executemany VALUES (%s, %s, %s, %s, %s)", filas)
    segundos = time.perf_counter() - inicio
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_executemany")
    return segundos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prestamos", type=int, default=20_000, help="préstamos de la dependencia (20,000)")
    parser.add_argument("--motor", action="store_true", help="todas las filas por el motor (la ruta anterior)")
    args = parser.parse_args()
    configuracion_bench()
    recrear_base()
    import django

    django.setup()

    from django.db import connection, transaction
    from remesa_sqlite import CLAVE, escribir_remesa, preparar_datos

    from oficina.importacion import importar_archivo
    from prestamos.models import Prestamo
    from recuperacion import en_bloque

    print(maquina())
    SALIDA.mkdir(parents=True, exist_ok=True)
    print(f"Preparación ({connection.settings_dict['NAME']}):", flush=True)
    inicio = time.perf_counter()
    quincena = preparar_datos(args.prestamos, SALIDA)
    sin_instantanea = Prestamo.objects.filter(posicion__isnull=True).count()
    print(f"  préstamos sin instantánea de apertura: {sin_instantanea:,}; preparación total "
          f"{time.perf_counter() - inicio:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    ruta = SALIDA / "descuentos-primera.csv"
    filas = escribir_remesa(ruta, quincena)
    print(f"Remesa {CLAVE} {quincena}: {filas:,} filas ({ruta})", flush=True)

    piso = piso_executemany(ruta)
    print(f"executemany de las mismas filas a una tabla simple: {piso:.2f} s = {filas / piso:,.0f} filas/s", flush=True)

    clasificar, rapidas = en_bloque.clasificar, []

    def contando(cursor, **datos):  # how many rows the classification sent the set-based way
        rapidas.append(clasificar(cursor, **{**datos, "rapida": not args.motor}))
        return rapidas[-1]

    en_bloque.clasificar = contando
    carga_inicio = carga_promedio()
    inicio = time.perf_counter()
    with transaction.atomic():
        resumen = importar_archivo(ruta)
        fin_trabajo = time.perf_counter()
    resumen.tiempos["confirmación"] = time.perf_counter() - fin_trabajo
    carga = time.perf_counter() - inicio
    print(f"  {resumen.texto()}")
    print(f"  tiempos: {resumen.tiempos.texto()}")
    print(f"  por la vía rápida (conjuntos): {sum(rapidas):,} de {resumen.creadas:,} filas aplicadas; "
          f"préstamos sin instantánea al cargar: {sin_instantanea:,}")
    print(f"primera remesa{' (todo por el motor)' if args.motor else ''}: {filas:,} filas en {carga:.2f} s = "
          f"{filas / carga:,.0f} filas/s, con la confirmación; executemany {piso:.2f} s; razón {carga / piso:.1f}× "
          f"(objetivo ≤ {OBJETIVO}×); carga promedio {carga_inicio} al empezar, {carga_promedio()} al terminar")
    if not args.motor and carga / piso > OBJETIVO:
        sys.exit(1)


if __name__ == "__main__":
    main()
