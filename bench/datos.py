"""An institution-sized data set in PostgreSQL, for the benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/datos.py \
        [--prestamos 1000000] [--historia 23] [--usuarios 2000]

Drops and re-creates the database named in DATABASE_URL (refusing SQLite and any name without "bench"),
migrates it and writes, by COPY:

- one large dependencia, BENCH, with `--prestamos` borrowers and loans (four loan shapes), and 20 small
  ones with 500 each, four of which (DEP17–DEP20) stopped sending remesas two quincenas ago (omisas);
- each loan's ledger as loaded by prestamos.csv and then deducted: an opening entry (2 quincenas paid
  before the load, prestamos.csv semantics) and `--historia` quincenas of payroll deductions, each with
  its Remesa and Descuento rows, so with the remesa that bench/remesa.py loads there are 24 quincenas;
- variety the engine must handle: 1 % of the loans paid 2,000.00 at the bank mid-way (abono a capital,
  re-projected schedule), 1 % were left out of one remesa three quincenas ago (a missing deduction with
  moratorios), 0.5 % paid off at the bank (LIQUIDADO);
- each loan's position snapshot (Prestamo.posicion) and estado.

Every history is computed once per (shape, behaviour) with the real payment engine (prestamos.cartera),
so the ledger, the snapshots and the stored estados agree exactly with what the portal would have
booked; only the rows are replicated. It also writes the remesa of the current quincena for BENCH
(descuentos.csv: 1 % of the loans left out, 1 % half paid) and `--usuarios` borrower accounts with
logged-in sessions, to $BENCH_SALIDA (default /tmp/oficina-bench).
"""

from __future__ import annotations

import argparse
import io
import json
import time
from array import array
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from comun import SALIDA, django_listo, maquina, recrear_base

# (importe, tasa anual, plazo): a few loan shapes, so the engine sees different schedules.
FORMAS = (
    (Decimal("30000.00"), Decimal("11.50"), 48),
    (Decimal("50000.00"), Decimal("14.00"), 72),
    (Decimal("20000.00"), Decimal("12.00"), 48),
    (Decimal("80000.00"), Decimal("14.50"), 96),
)
PAGADAS_AL_CARGAR = 2  # the opening entry (prestamos.csv quincenas_pagadas)
PEQUENAS, POR_PEQUENA, OMISAS = 20, 500, 4
PAGO_BANCO = Decimal("2000.00")


@dataclass
class Patron:
    """One (shape, behaviour): its ledger rows per step and the final snapshot and estado."""

    forma: tuple
    pasos: list  # per step 0..historia: [(copy text after "id\tprestamo_id\t", tipo, quincena or None)]
    posicion: str
    estado: str
    fecha_liquidacion: object
    cuota: Decimal


def comportamiento(i: int) -> str:
    if i % 200 == 13:
        return "liquidado"
    if i % 100 == 7:
        return "pago"
    if i % 100 == 21:
        return "omision"
    return "regular"


def calcular_patrones(q_actual, historia: int, hoy) -> dict:
    """Run the engine once per (shape, behaviour) over the whole history."""
    from prestamos import instantanea, libro
    from prestamos.cartera import Condiciones, Contexto, Posicion

    primera = q_actual + (-(historia + PAGADAS_AL_CARGAR))
    otorgamiento = primera.inicio - timedelta(days=10)
    quincenas = [q_actual + (k - historia - 1) for k in range(1, historia + 1)]  # step k ↦ quincenas[k-1]
    ahora = "2026-01-01 00:00:00+00"
    patrones = {}
    for f, forma in enumerate(FORMAS):
        importe, tasa, plazo = forma
        for nombre in ("regular", "pago", "omision", "liquidado", "omisa"):
            posicion = Posicion.nueva(Condiciones(importe, tasa, plazo, primera, otorgamiento))
            pasos: list = [[] for _ in range(historia + 1)]

            def fila(a, tipo, origen):
                # The ledger's one row builder; here written as COPY text after "id\tprestamo_id\t".
                asiento = libro.asiento(prestamo_id=0, tipo=tipo, aplicacion=a, origen=origen, creado=ahora)
                return "\t".join(_texto_copia(asiento[c]) for c in COLUMNAS_ASIENTO)

            apertura = posicion.abrir(periodos_pagados=PAGADAS_AL_CARGAR)
            pasos[0].append((fila(apertura, "APERTURA", f"Carga inicial: {PAGADAS_AL_CARGAR} quincena(s) pagada(s) "
                                  "antes de la carga"), "APERTURA", None, apertura.importe))
            for k, q in enumerate(quincenas, start=1):
                if nombre == "omisa" and k > historia - 2:
                    break
                contexto = Contexto(remesas=frozenset(quincenas[:k]))
                if posicion.liquidado:
                    break
                if not (nombre == "omision" and k == historia - 2):
                    a = posicion.aplicar(fecha_valor=q.vencimiento, importe=posicion.condiciones.cuota, contexto=contexto)
                    pasos[k].append((fila(a, "DESCUENTO", "Remesa {clave} " + str(q)), "DESCUENTO", str(q), a.importe))
                if k == historia // 2 and nombre in ("pago", "liquidado"):
                    fecha = q.vencimiento + timedelta(days=5)
                    monto = PAGO_BANCO if nombre == "pago" else posicion.liquidacion(fecha, contexto)
                    a = posicion.aplicar(fecha_valor=fecha, importe=monto, contexto=contexto)
                    pasos[k].append((fila(a, "PAGO", "Pago en banco (benchmark)"), "PAGO", None, a.importe))
            patrones[(f, nombre)] = Patron(forma, pasos, json.dumps(instantanea.guardar(posicion)), posicion.estado(hoy),
                                           posicion.fecha_liquidacion, posicion.condiciones.cuota)
    return patrones, quincenas, primera, otorgamiento


# The ledger row's columns after (id, prestamo_id), in the order `fila` writes them.
COLUMNAS_ASIENTO = (
    "tipo", "fecha_valor", "importe", "moratorios", "interes", "capital", "excedente", "aplicacion", "origen",
    "motivo", "registrado_por_id", "creado", "revierte_id", "reaplica_id",
)


def _texto_copia(valor) -> str:
    if valor is None:
        return "\\N"
    if isinstance(valor, dict):
        return json.dumps(valor)
    return str(valor)


def _copiar_texto(cursor, sql: str, lineas) -> None:
    """COPY text lines in blocks (faster than a Python call per row)."""
    with cursor.copy(sql) as copia:
        bloque = io.StringIO()
        n = 0
        for linea in lineas:
            bloque.write(linea)
            n += 1
            if n == 20000:
                copia.write(bloque.getvalue())
                bloque, n = io.StringIO(), 0
        copia.write(bloque.getvalue())


def _sin_indices(cursor, tablas: list[str]) -> list[str]:
    """Drop the tables' secondary indexes and unique constraints; returns the SQL that re-creates them."""
    recrear = []
    for tabla in tablas:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
            [tabla],
        )
        for nombre, definicion in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {tabla} DROP CONSTRAINT "{nombre}"')
            recrear.append(f'ALTER TABLE {tabla} ADD CONSTRAINT "{nombre}" {definicion}')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [tabla, tabla],
        )
        for nombre, definicion in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{nombre}"')
            recrear.append(definicion)
    return recrear


def generar(n: int, historia: int, usuarios: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from prestamos.calculo import Quincena
    from prestamos.models import Dependencia, Derechohabiente, Movimiento, Prestamo, Remesa
    from recuperacion.models import Descuento

    hoy = timezone.localdate()
    q_actual = Quincena.de_fecha(hoy) + (-1)  # the last quincena already due: its remesa arrives now
    patrones, quincenas, primera, otorgamiento = calcular_patrones(q_actual, historia, hoy)

    grande = Dependencia.objects.create(clave="BENCH", nombre="Dependencia grande del benchmark")
    pequenas = [Dependencia.objects.create(clave=f"DEP{k:02d}", nombre=f"Dependencia {k}") for k in range(1, PEQUENAS + 1)]
    total = n + PEQUENAS * POR_PEQUENA

    def dependencia_de(i: int):
        return grande if i <= n else pequenas[(i - n - 1) // POR_PEQUENA]

    def patron_de(i: int) -> Patron:
        dependencia = dependencia_de(i)
        if dependencia is grande:
            nombre = comportamiento(i)
        else:
            nombre = "omisa" if int(dependencia.clave[3:]) > PEQUENAS - OMISAS else "regular"
        return patrones[(i % len(FORMAS), nombre)]

    # A remesa per dependencia and quincena of the history (the omisas skip the last two).
    remesas = {}
    for dependencia in [grande, *pequenas]:
        omisa = dependencia is not grande and int(dependencia.clave[3:]) > PEQUENAS - OMISAS
        for k, q in enumerate(quincenas, start=1):
            if omisa and k > historia - 2:
                continue
            remesas[(dependencia.pk, k)] = Remesa.objects.create(dependencia=dependencia, quincena=str(q),
                                                                 archivo=f"descuentos-{dependencia.clave}-{q}.csv")
    claves = {d.pk: d.clave for d in [grande, *pequenas]}
    ultimo = array("q", bytes(8 * (total + 1)))  # each loan's last movement id: its snapshot's posicion_hasta
    conteo = 0
    with connection.cursor() as cursor:
        # Bulk load: no per-row foreign-key triggers, indexes rebuilt once at the end.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute("SET synchronous_commit = off")
        tablas = [Derechohabiente._meta.db_table, Prestamo._meta.db_table, Movimiento._meta.db_table,
                  Descuento._meta.db_table]
        recrear = _sin_indices(cursor, tablas)

        inicio = time.perf_counter()
        _copiar_texto(
            cursor,
            f"COPY {Derechohabiente._meta.db_table} (id, curp, nombre, primer_apellido, segundo_apellido, rfc, "
            "dependencia_id, tipo) FROM STDIN",
            (f"{i}\tBNCH{i:014d}\tPersona {i}\tApellido\tSegundo\t\t{dependencia_de(i).pk}\tTRABAJADOR\n"
             for i in range(1, total + 1)),
        )
        print(f"  derechohabientes: {total:,} ({time.perf_counter() - inicio:.0f} s)", flush=True)

        por_remesa: dict[int, list] = {}

        def movimientos():
            nonlocal conteo
            mov_id = 0
            desc_id = 0
            for paso in range(historia + 1):
                for i in range(1, total + 1):
                    patron = patron_de(i)
                    for texto, tipo, quincena, importe in patron.pasos[paso]:
                        mov_id += 1
                        ultimo[i] = mov_id
                        dependencia_id = dependencia_de(i).pk
                        if tipo == "DESCUENTO":
                            texto = texto.replace("{clave}", claves[dependencia_id])
                            remesa = remesas[(dependencia_id, paso)]
                            desc_id += 1
                            por_remesa.setdefault(remesa.pk, []).append(importe)
                            descuentos.write(f"{desc_id}\t{remesa.pk}\t{i}\t{quincena}\t{importe}\t{mov_id}\tf\n")
                        yield f"{mov_id}\t{i}\t{texto}\n"
                print(f"  movimientos: paso {paso}/{historia}, {mov_id:,} ({time.perf_counter() - inicio:.0f} s)", flush=True)
            conteo = mov_id

        # Descuento rows are written to a temporary file while the movements stream, then copied.
        SALIDA.mkdir(parents=True, exist_ok=True)
        ruta_descuentos = SALIDA / "descuentos-historia.tsv"
        with ruta_descuentos.open("w") as descuentos:
            _copiar_texto(
                cursor,
                f"COPY {Movimiento._meta.db_table} (id, prestamo_id, {', '.join(COLUMNAS_ASIENTO)}) FROM STDIN",
                movimientos(),
            )
        with cursor.copy(f"COPY {Descuento._meta.db_table} (id, remesa_id, prestamo_id, quincena, importe, "
                         "movimiento_id, revertido) FROM STDIN") as copia, ruta_descuentos.open() as archivo:
            while bloque := archivo.read(1 << 22):
                copia.write(bloque)
        ruta_descuentos.unlink()
        print(f"  descuentos copiados ({time.perf_counter() - inicio:.0f} s)", flush=True)

        def prestamos():
            for i in range(1, total + 1):
                p = patron_de(i)
                importe, tasa, plazo = p.forma
                liquidacion = p.fecha_liquidacion or "\\N"
                yield (f"{i}\t{30000000000 + i}\t{i}\t{dependencia_de(i).pk}\tORDINARIO\t{importe}\t{tasa}\t{plazo}\t"
                       f"{p.cuota}\t{otorgamiento}\t{primera}\t{PAGADAS_AL_CARGAR}\tVIGENTE\t{p.estado}\t{liquidacion}\t"
                       f"2026-01-01 00:00:00+00\t{p.posicion}\t{ultimo[i]}\n")

        _copiar_texto(
            cursor,
            f"COPY {Prestamo._meta.db_table} (id, folio, derechohabiente_id, dependencia_id, tipo, importe, tasa_anual, "
            "plazo, cuota, fecha_otorgamiento, primera_quincena, quincenas_pagadas_inicial, estado_inicial, estado, "
            "fecha_liquidacion, cargado, posicion, posicion_hasta) FROM STDIN",
            prestamos(),
        )
        print(f"  préstamos: {total:,} ({time.perf_counter() - inicio:.0f} s)", flush=True)
        for pk, importes in por_remesa.items():
            Remesa.objects.filter(pk=pk).update(filas=len(importes), total=sum(importes, Decimal(0)))
        for sql in recrear:
            cursor.execute(sql)
        print(f"  índices recreados ({time.perf_counter() - inicio:.0f} s)", flush=True)
        for modelo, ultimo_id in ((Derechohabiente, total), (Prestamo, total), (Movimiento, conteo), (Descuento, None)):
            tabla = modelo._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{tabla}', 'id'), "
                           f"{ultimo_id if ultimo_id else f'(SELECT max(id) FROM {tabla})'})")
        cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        for tabla in tablas:
            cursor.execute(f"VACUUM ANALYZE {tabla}")
    print(f"  VACUUM ANALYZE ({time.perf_counter() - inicio:.0f} s)", flush=True)

    print(f"  verificados {verificar()} préstamos: instantánea = libro, estado = derivado", flush=True)
    escribir_remesa(n, q_actual, patron_de)
    crear_sesiones(usuarios, n)
    return {"prestamos": total, "movimientos": conteo, "quincena": str(q_actual)}


def verificar(muestra: int = 400) -> int:
    """Snapshot == ledger replay and stored estado == derived estado, for loans of every behaviour."""
    from django.utils import timezone

    from prestamos import posiciones
    from prestamos.models import Prestamo

    hoy = timezone.localdate()
    total = Prestamo.objects.count()
    ids = sorted({1 + (k * 7919) % total for k in range(muestra)} | {13, 7, 21, total})
    prestamos = list(Prestamo.objects.filter(pk__in=ids))
    guardadas = posiciones.posiciones(prestamos)
    for p in prestamos:
        replay = posiciones.posicion(p, reproducir=True)
        if guardadas[p.pk] != replay or replay.estado(hoy) != p.estado:
            raise SystemExit(f"Inconsistencia en el préstamo {p.pk}: la instantánea o el estado no coinciden con el libro")
    return len(prestamos)


def escribir_remesa(n: int, quincena, patron_de) -> None:
    """descuentos.csv of BENCH for the current quincena: 1 % left out, 1 % half paid, none for the settled."""
    with (SALIDA / "descuentos.csv").open("w") as archivo:
        archivo.write("clave_dependencia,quincena,folio,curp,importe\n")
        for i in range(1, n + 1):
            patron = patron_de(i)
            if i % 100 == 0 or patron.estado == "LIQUIDADO":
                continue
            importe = (patron.cuota / 2).quantize(Decimal("0.01")) if i % 100 == 50 else patron.cuota
            archivo.write(f"BENCH,{quincena},{30000000000 + i},BNCH{i:014d},{importe}\n")


def crear_sesiones(usuarios: int, n: int) -> None:
    """Borrower accounts spread over the loans (every behaviour), each with a logged-in session."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from prestamos.models import Derechohabiente

    User = get_user_model()
    paso = max(n // max(usuarios, 1), 1)
    ids = [1 + k * paso + (k % 100) for k in range(usuarios)]  # varied residues: every behaviour appears
    ids = sorted({i for i in ids if i <= n})  # a small data set has fewer loans than accounts asked for
    cuentas = User.objects.bulk_create(
        User(username=f"bench{i}", email=f"bench{i}@example.org", password="!bench") for i in ids
    )
    for cuenta, i in zip(cuentas, ids):
        Derechohabiente.objects.filter(pk=i).update(usuario=cuenta)
    with (SALIDA / "sesiones.txt").open("w") as archivo:
        for cuenta in cuentas:
            sesion = SessionStore()
            sesion[SESSION_KEY] = str(cuenta.pk)
            sesion[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            sesion[HASH_SESSION_KEY] = cuenta.get_session_auth_hash()
            sesion.create()
            archivo.write(f"{sesion.session_key}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prestamos", type=int, default=1_000_000, help="préstamos de la dependencia grande")
    parser.add_argument("--historia", type=int, default=23, help="quincenas de descuentos ya cargadas (23)")
    parser.add_argument("--usuarios", type=int, default=2000, help="derechohabientes con sesión iniciada (2000)")
    parser.add_argument("--solo-sesiones", action="store_true", help="sólo re-crear cuentas y sesiones")
    args = parser.parse_args()
    if args.solo_sesiones:
        django_listo()
        from django.contrib.auth import get_user_model
        from django.contrib.sessions.models import Session

        from prestamos.models import Derechohabiente, Prestamo

        Session.objects.all().delete()
        Derechohabiente.objects.filter(usuario__username__startswith="bench").update(usuario=None)
        get_user_model().objects.filter(username__startswith="bench").delete()
        crear_sesiones(args.usuarios, Prestamo.objects.filter(dependencia__clave="BENCH").count())
        return
    recrear_base()
    django_listo()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(maquina())
    inicio = time.perf_counter()
    resumen = generar(args.prestamos, args.historia, args.usuarios)
    print(f"Datos generados en {time.perf_counter() - inicio:.0f} s: {resumen['prestamos']:,} préstamos, "
          f"{resumen['movimientos']:,} movimientos; remesa por cargar: {SALIDA / 'descuentos.csv'} ({resumen['quincena']})")


if __name__ == "__main__":
    main()
