"""How fast, and in how much memory, is a 1,000,000-row cédula de descuentos streamed (docs/reglas.md §16)?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_dep2 .venv/bin/python bench/cedula.py [--prestamos N]

Inside one transaction that is rolled back at the end (the database is left as it was; it must be migrated):
writes N loans of one dependencia with generate_series — half with a position snapshot (10 installments
paid as scheduled), half without (their schedule comes from the amortization table) — then streams the
cédula's CSV of the current quincena through the portal's own view (StreamingHttpResponse), reading
every chunk as a client would. Prints rows, seconds and the process's peak RSS (resource.getrusage)
before and after the cédula.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oficina.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-no-secreta-" + "0123456789" * 5)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prestamos", type=int, default=1_000_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Este benchmark corre en PostgreSQL (DATABASE_URL=postgres://…).")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import RequestFactory
    from django.utils import timezone

    from dependencias import views
    from dependencias.models import UsuarioDependencia
    from prestamos import instantanea
    from prestamos.calculo import Quincena, cuota_fija, tabla_amortizacion
    from prestamos.models import Dependencia, Derechohabiente, Prestamo

    n = args.prestamos
    actual = Quincena.de_fecha(timezone.localdate())
    primera = actual - 10
    principal, tasa, plazo = Decimal("10000.00"), Decimal("12.00"), 24
    tabla = tabla_amortizacion(principal=principal, tasa_anual=tasa, plazo=plazo, primer_periodo=primera)
    cuotas = [[str(r.interes), str(r.capital), r.vencimiento.isoformat()] for r in tabla[:10]]
    cuotas += [[str(r.interes), str(r.capital)] for r in tabla[10:]]
    snapshot = json.dumps({instantanea.CLAVE_VERSION: instantanea.VERSION, "cuotas": cuotas, "capital_pagado": "0.00",
                           "excedentes": "0.00", "liquidacion": None, "ultima_fecha_valor": None})
    cuota = cuota_fija(principal=principal, tasa_anual=tasa, plazo=plazo)
    print(f"{n:,} préstamos, quincena {actual}; RSS antes de generar: {rss_mb():.0f} MB", flush=True)
    with transaction.atomic():
        dependencia = Dependencia.objects.create(clave="BENCHCED", nombre="Benchmark de la cédula")
        usuario = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model().objects.create(
            username="bench_cedula")
        UsuarioDependencia.objects.create(usuario=usuario).dependencias.add(dependencia)
        inicio = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {Derechohabiente._meta.db_table} (curp, tipo, nombre, primer_apellido, segundo_apellido, "
                "rfc, dependencia_id) SELECT 'BNCH' || lpad(i::text, 14, '0'), 'TRABAJADOR', 'Persona', 'Prueba', '', '', %s "
                "FROM generate_series(1, %s) i", [dependencia.pk, n])
            cursor.execute(
                f"INSERT INTO {Prestamo._meta.db_table} (folio, derechohabiente_id, dependencia_id, tipo, importe, tasa_anual, "
                "plazo, cuota, fecha_otorgamiento, primera_quincena, quincenas_pagadas_inicial, estado_inicial, estado, "
                "cargado, posicion) "
                "SELECT '9' || lpad(row_number() OVER (ORDER BY d.id)::text, 10, '0'), d.id, %s, 'ORDINARIO', %s, %s, %s, %s, "
                "%s, %s, 10, 'VIGENTE', 'VIGENTE', now(), CASE WHEN d.id %% 2 = 0 THEN %s::jsonb END "
                f"FROM {Derechohabiente._meta.db_table} d WHERE d.dependencia_id = %s",
                [dependencia.pk, principal, tasa, plazo, cuota, date.today(), str(primera), snapshot, dependencia.pk])
            cursor.execute(f"ANALYZE {Prestamo._meta.db_table}")
        print(f"generados en {time.perf_counter() - inicio:.1f} s; RSS máx. hasta aquí: {rss_mb():.0f} MB", flush=True)

        solicitud = RequestFactory().get(f"/dependencias/cedula/BENCHCED/{actual}.csv")
        solicitud.user = usuario
        inicio = time.perf_counter()
        respuesta = views.cedula_csv.__wrapped__(solicitud, "BENCHCED", str(actual))
        filas, bytes_ = -1, 0
        for trozo in respuesta.streaming_content:
            filas += trozo.count(b"\n")
            bytes_ += len(trozo)
        segundos = time.perf_counter() - inicio
        print(f"cédula: {filas:,} filas, {bytes_ / 1e6:.1f} MB en {segundos:.1f} s "
              f"({filas / segundos:,.0f} filas/s); RSS máx.: {rss_mb():.0f} MB", flush=True)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
