"""How fast does a remesa load? Target: within 30× the COPY of the same file, its re-load within 5× (docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/remesa.py [--generar N]

Loads the current quincena's remesa of the large dependencia written by bench/datos.py
($BENCH_SALIDA/descuentos.csv, one row per active loan but 1 % left out and 1 % half paid) into the
data set that script generated, with `importar_archivo`, as the CAPP's command does: validation, the
payment engine on every loan, the ledger, the snapshots, missing-deduction detection. With
`--generar N` it first generates the data set (N loans, `bench/datos.py --prestamos N`).

As a floor it times PostgreSQL's own COPY of the same CSV into a plain table, in the same run on the same
machine: the ratio says what validation, the engine and the ledger cost over merely storing the rows.
A second floor is the ledger's own (`piso_libro`): the same number of movement and deduction rows written
set-based with constant values, through the tables' indexes and foreign keys; what no computation can
avoid while each deduction is one ledger row and one Descuento row.
A second load of the same file must apply nothing ("ya cargado"). The load leaves the data set with 24
quincenas of deductions, as bench/estado_cuenta.py and bench/carga.py expect. With `--deshacer` the load
is rolled back instead (its foreign keys checked first, as the commit would; the re-load skipped), so it
can be measured again on the same data set.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from comun import RAIZ, SALIDA, carga_promedio, django_listo, maquina


def copia_piso(ruta_csv) -> float:
    """Seconds PostgreSQL takes to COPY the same CSV into a plain table: the least any load can take."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_copia (clave_dependencia text, quincena text, folio text, curp text, "
                       "importe numeric(12,2)) ON COMMIT DROP")
        inicio = time.perf_counter()
        with cursor.copy("COPY bench_copia FROM STDIN WITH (FORMAT csv, HEADER true)") as copia, ruta_csv.open("rb") as f:
            while bloque := f.read(1 << 20):
                copia.write(bloque)
        return time.perf_counter() - inicio


def vaciar(*modelos) -> None:
    """VACUUM the tables (autovacuum is off on the bench machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for modelo in modelos:
            cursor.execute(f"VACUUM {modelo._meta.db_table}")


def piso_libro(filas: int) -> float:
    """Seconds the ledger itself takes to hold `filas` deductions, whatever computes them: as many
    movement rows and Descuento rows, written by INSERT … SELECT with constant values through the tables'
    indexes, and their foreign keys checked (as the commit does). Rolled back. No design that keeps one
    ledger row and one deduction row per payroll deduction, with their constraints, can load below it."""
    from django.db import connection, transaction

    from prestamos.models import Dependencia, Movimiento, Prestamo, Remesa
    from recuperacion.models import Descuento

    dependencia = Dependencia.objects.get(clave="BENCH")
    with transaction.atomic(), connection.cursor() as cursor:
        remesa = Remesa.objects.create(dependencia=dependencia, quincena="2099-Q01", archivo="piso", filas=filas)
        cursor.execute(
            f"CREATE TEMP TABLE bench_piso ON COMMIT DROP AS SELECT id AS prestamo_id, "
            f"nextval(pg_get_serial_sequence('{Movimiento._meta.db_table}', 'id')) AS movimiento_id "
            f"FROM {Prestamo._meta.db_table} WHERE dependencia_id = %s ORDER BY id LIMIT %s",
            [dependencia.pk, filas],
        )
        inicio = time.perf_counter()
        partes = [inicio]
        cursor.execute(
            f"INSERT INTO {Movimiento._meta.db_table} (id, prestamo_id, tipo, fecha_valor, importe, moratorios, "
            "interes, capital, excedente, aplicacion, origen, motivo, creado) "
            "SELECT movimiento_id, prestamo_id, 'DESCUENTO', DATE '2099-01-15', 701.12, 0, 201.12, 500, 0, "
            """'{"cuotas": [[1, "0.00", "0.00", "201.12", "500.00", "2099-01-15"]]}'::jsonb, 'piso', '', now() """
            "FROM bench_piso ORDER BY movimiento_id"
        )
        partes.append(time.perf_counter())
        cursor.execute(
            f"INSERT INTO {Descuento._meta.db_table} (remesa_id, prestamo_id, quincena, importe, movimiento_id, "
            "revertido) SELECT %s, prestamo_id, '2099-Q01', 701.12, movimiento_id, false FROM bench_piso "
            "ORDER BY prestamo_id",
            [remesa.pk],
        )
        partes.append(time.perf_counter())
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        partes.append(time.perf_counter())
        segundos = time.perf_counter() - inicio
        print("  piso del libro: " + ", ".join(
            f"{nombre} {fin - comienzo:.2f} s"
            for nombre, comienzo, fin in zip(("movimientos", "descuentos", "llaves foráneas"), partes, partes[1:])))
        transaction.set_rollback(True)
    return segundos


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generar", type=int, metavar="N", help="generar antes el juego de datos con N préstamos")
    parser.add_argument("--deshacer", action="store_true", help="deshacer la carga al terminar (medición repetible)")
    parser.add_argument("--revertir", action="store_true",
                        help="después de cargar, revertir el mismo archivo (importar --revertir) y medirlo; "
                             "con --deshacer, también se deshace")
    args = parser.parse_args()
    if args.generar:
        subprocess.run([sys.executable, str(RAIZ / "bench" / "datos.py"), "--prestamos", str(args.generar)], check=True)
    django_listo()

    from oficina.importacion import importar_archivo
    from prestamos.models import Movimiento, Prestamo, Remesa
    from recuperacion.models import AvisoOmision, Descuento

    ruta = SALIDA / "descuentos.csv"
    if not ruta.exists():
        sys.exit(f"No existe {ruta}: genera antes el juego de datos con bench/datos.py (o usa --generar N).")
    print(maquina())
    inicio = time.perf_counter()

    def progreso(hechas: int, total: int) -> None:
        if hechas % 100_000 < 5000 or hechas == total:
            print(f"  {hechas:,}/{total:,} filas aplicadas ({time.perf_counter() - inicio:.0f} s, carga {carga_promedio()})",
                  flush=True)

    from django.db import connection, transaction

    with transaction.atomic():
        resumen = importar_archivo(ruta, progreso=progreso)
        if args.deshacer and not args.revertir:
            # What the commit would check (every deferred foreign key of the rows written), checked now, so
            # a rolled-back run measures the same work as a committed one.
            with resumen.tiempos("confirmación"), connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        carga = time.perf_counter() - inicio
        if args.revertir:
            from oficina.importacion import revertir_archivo

            inicio_reversion = time.perf_counter()
            revertido = revertir_archivo(ruta, motivo="benchmark")
            reversion = time.perf_counter() - inicio_reversion
            print(revertido.texto())
            print(f"  tiempos de la reversión: {revertido.tiempos.texto()}")
            print(f"revertir el mismo archivo: {resumen.leidas:,} filas en {reversion:.1f} s = "
                  f"{resumen.leidas / reversion:,.0f} filas/s ({reversion / carga:.1f}× la carga de {carga:.1f} s, "
                  f"objetivo ≤ 3×; carga promedio {carga_promedio()})")
        if args.deshacer:
            transaction.set_rollback(True)
        fin_trabajo = time.perf_counter()
    if not (args.deshacer or args.revertir):
        # The commit runs the deferred foreign-key checks of every row written: part of the load.
        resumen.tiempos["confirmación"] = time.perf_counter() - fin_trabajo
        carga += resumen.tiempos["confirmación"]
    print(resumen.texto())
    print(f"  tiempos: {resumen.tiempos.texto()}")
    filas = resumen.leidas
    print(f"importar descuentos.csv: {filas:,} filas en {carga:.1f} s = {filas / carga:,.0f} filas/s "
          f"(carga promedio al terminar {carga_promedio()})"
          + ("" if args.deshacer or args.revertir else ", con la confirmación"))
    piso = copia_piso(ruta)
    print(f"COPY del mismo CSV a una tabla simple: {piso:.2f} s = {filas / piso:,.0f} filas/s")
    print(f"razón carga / COPY: {carga / piso:.0f}× (objetivo ≤ 30×)")
    # On tables as clean as the load found them: without it the floor pays for the load's dead rows.
    vaciar(Movimiento, Remesa, Descuento, Prestamo)
    libro = piso_libro(resumen.creadas)
    print(f"piso del libro (los mismos {resumen.creadas:,} movimientos y descuentos, sus índices y llaves foráneas, "
          f"nada calculado): {libro:.2f} s = {libro / piso:.0f}× COPY; razón carga / piso del libro: {carga / libro:.1f}×")
    print(f"Movimientos: {Movimiento.objects.count():,}; remesas: {Remesa.objects.count():,}; "
          f"avisos de omisión: {AvisoOmision.objects.count():,}")
    if args.deshacer or args.revertir:
        print("carga deshecha (--deshacer) o revertida (--revertir): no se mide la recarga")
        return
    inicio = time.perf_counter()
    resumen = importar_archivo(ruta)
    recarga = time.perf_counter() - inicio
    print(f"recarga del mismo archivo: {resumen.detalle['ya cargado']:,} ya cargadas, {resumen.creadas} aplicadas, "
          f"en {recarga:.1f} s = {recarga / piso:.1f}× COPY (objetivo ≤ 5×); {resumen.tiempos.texto()}")


if __name__ == "__main__":
    main()
