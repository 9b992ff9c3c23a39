"""Do the irregular rows of a remesa keep the engine's speed? (issue "A remesa at the speed of the database")

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/remesa_irregulares.py

On the data set of bench/datos.py: loads $BENCH_SALIDA/descuentos.csv once (rolled back) to learn which
rows are not ordinary deductions (half paid, arrears, …: the ones recuperacion/en_bloque.py sends to the
payment engine), writes them alone to irregulares.csv, and loads that file, alternately, as it is loaded
today (classification in the database, then the engine) and with every row sent straight to the engine
(the path before the set-based one, `rapida=False`). Each load is rolled back after its foreign keys are
checked. The missing-deduction detection is left out of both: with a file of 2 % of the loans it would
review the other 98 %, which is not what is measured. Prints seconds and rows/s of each.
"""

from __future__ import annotations

import argparse
import csv
import time

from comun import SALIDA, carga_promedio, django_listo, maquina


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--veces", type=int, default=2, help="cargas de cada forma, alternadas (2)")
    args = parser.parse_args()
    django_listo()

    from django.db import connection, transaction

    from oficina.importacion import importar_archivo
    from prestamos.models import Prestamo
    from recuperacion import en_bloque

    print(maquina())
    ruta = SALIDA / "descuentos.csv"
    al_motor: list[int] = []
    por_el_motor, clasificar, sin_descuento = en_bloque.por_el_motor, en_bloque.clasificar, en_bloque.sin_descuento

    def capturar(cursor):
        filas = por_el_motor(cursor)
        al_motor.extend(pk for pk, _ in filas)
        return filas

    en_bloque.por_el_motor = capturar
    with transaction.atomic():
        importar_archivo(ruta)
        transaction.set_rollback(True)
    en_bloque.por_el_motor = por_el_motor
    folios = set(Prestamo.objects.filter(pk__in=al_motor).values_list("folio", flat=True))
    salida = SALIDA / "irregulares.csv"
    with ruta.open(newline="") as entrada, salida.open("w", newline="") as destino:
        lector, escritor = csv.reader(entrada), csv.writer(destino, lineterminator="\n")
        encabezado = next(lector)
        escritor.writerow(encabezado)
        columna = encabezado.index("folio")
        elegidas = [fila for fila in lector if fila[columna] in folios]
        escritor.writerows(elegidas)
    filas = len(elegidas)
    print(f"{filas:,} filas irregulares (de {ruta.name}) en {salida}")

    en_bloque.sin_descuento = lambda cursor, **_: []  # detection left out (see above)
    formas = {
        "vía actual (clasificación + motor)": clasificar,
        "todo al motor (rapida=False)": lambda cursor, **kw: clasificar(cursor, **{**kw, "rapida": False}),
    }
    medidas: dict[str, list[float]] = {nombre: [] for nombre in formas}
    for _ in range(args.veces):
        for nombre, funcion in formas.items():
            en_bloque.clasificar = funcion
            inicio = time.perf_counter()
            with transaction.atomic():
                resumen = importar_archivo(salida)
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                segundos = time.perf_counter() - inicio
                transaction.set_rollback(True)
            assert resumen.creadas == filas, resumen.texto()
            medidas[nombre].append(segundos)
            print(f"  {nombre}: {segundos:.2f} s = {filas / segundos:,.0f} filas/s; {resumen.tiempos.texto()} "
                  f"(carga {carga_promedio()})", flush=True)
    en_bloque.clasificar, en_bloque.sin_descuento = clasificar, sin_descuento
    for nombre, tiempos in medidas.items():
        mejor = min(tiempos)
        print(f"{nombre}: mejor de {len(tiempos)} {mejor:.2f} s = {filas / mejor:,.0f} filas/s")


if __name__ == "__main__":
    main()
