"""Plays a bank: signs and sends SPEI deposit notifications to a running server and reports the endpoint's
throughput and latency (p50, p95).

    # 1. a throwaway bench database with loans and one pending FOPI each (drops and re-creates it)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_spei_bench .venv/bin/python bench/spei.py \
        preparar [--prestamos 3000]
    # 2. the server, on this machine, against that database and with the same secret
    DATABASE_URL=… SPEI_SECRETO=bench-secreto DJANGO_DEBUG=1 \
        DJANGO_EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
        GUNICORN_BIND=127.0.0.1:8095 GUNICORN_WORKERS=2 .venv/bin/gunicorn -c gunicorn.conf.py --access-logfile /dev/null
    # 3. the bank
    DATABASE_URL=… SPEI_SECRETO=bench-secreto .venv/bin/python bench/spei.py \
        enviar --url http://127.0.0.1:8095/spei/abonos/ [--n 3000] [--conexiones 4] [--segundos 120]

`enviar` sends at most N notifications (bounded by --segundos too) only to this machine (127.0.0.1,
localhost, ::1), over `--conexiones` keep-alive connections: most pay their FOPI exactly (applied at once:
the ledger write, the FOPI, the e-mail with its receipt PDF), some carry another amount (kept for review)
and some are a delivery repeated (answered, nothing applied). It then reads the database to check that
every FOPI was applied at most once and that money received = applied + under review.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from comun import SALIDA, django_listo, maquina, recrear_base

FOPIS = SALIDA / "spei_fopis.json"
MAXIMO_NOTIFICACIONES = 100_000
MAXIMO_SEGUNDOS = 600
MAXIMO_CONEXIONES = 32
LOCALES = {"127.0.0.1", "localhost", "::1"}
IMPORTE_FOPI = Decimal("500.00")


def preparar(prestamos: int) -> None:
    """Loans whose first installment is not due yet (so a partial FOPI can be issued) and one FOPI each;
    every borrower has an account with an e-mail, so each applied deposit also builds its e-mail and
    receipt PDF (sent to the server's e-mail backend: use the dummy one)."""
    import subprocess

    recrear_base()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], check=True,
                   cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    django_listo()
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from fopi.services import fopi_emitir
    from prestamos.calculo import Quincena, cuota_fija
    from prestamos.models import Dependencia, Derechohabiente, Prestamo

    hoy = timezone.localdate()
    print(maquina())
    dependencia = Dependencia.objects.create(clave="BENCHSPEI", nombre="Dependencia del bench SPEI")
    usuarios = get_user_model().objects.bulk_create(
        get_user_model()(username=f"spei{i}", email=f"spei{i}@bench.invalid", password="!") for i in range(prestamos)
    )
    personas = Derechohabiente.objects.bulk_create(
        Derechohabiente(curp=f"SPEI{i:014d}", nombre="Persona", primer_apellido="Prueba", dependencia=dependencia,
                        usuario=u)
        for i, u in enumerate(usuarios)
    )
    importe, tasa, plazo = Decimal("20000.00"), Decimal("12.00"), 48
    cuota = cuota_fija(principal=importe, tasa_anual=tasa, plazo=plazo)
    lista = Prestamo.objects.bulk_create(
        Prestamo(
            folio=f"7{i:010d}", derechohabiente=p, dependencia=dependencia, tipo="ORDINARIO", importe=importe,
            tasa_anual=tasa, plazo=plazo, cuota=cuota, fecha_otorgamiento=hoy - timedelta(days=3),
            primera_quincena=str(Quincena.de_fecha(hoy) + 1),
        )
        for i, p in enumerate(personas)
    )
    inicio = time.perf_counter()
    fopis = []
    for n, prestamo in enumerate(lista, 1):
        fopi = fopi_emitir(prestamo=prestamo, tipo="PARCIAL", importe=IMPORTE_FOPI, hoy=hoy)
        fopis.append({"clabe": fopi.clabe, "importe": str(fopi.importe), "referencia": fopi.referencia})
        if n % 500 == 0:
            print(f"  {n} FOPI emitidos", flush=True)
    SALIDA.mkdir(parents=True, exist_ok=True)
    FOPIS.write_text(json.dumps({"fecha": hoy.strftime("%Y%m%d"), "fopis": fopis}))
    print(f"{prestamos} préstamos y FOPI en {time.perf_counter() - inicio:.1f} s → {FOPIS}")


def notificaciones(n: int, datos: dict, prefijo: str, semilla: int = 2026) -> list[dict]:
    """N notifications: 90 % pay a FOPI exactly, 5 % another amount, 5 % repeat an earlier delivery.

    Their claves de rastreo start with `prefijo`, one per run, so a second run sends new deposits (to
    FOPIs the first one paid: kept for review as second payments)."""
    azar = random.Random(semilla)
    fopis = datos["fopis"]
    lista = []
    for i in range(n):
        if lista and azar.random() < 0.05:
            lista.append(azar.choice(lista))  # the bank retrying: same clave de rastreo
            continue
        fopi = fopis[i % len(fopis)]
        monto = Decimal(fopi["importe"])
        if azar.random() < 0.05:
            monto -= Decimal("1.00")
        lista.append({
            "id": 10_000_000 + i,
            "fechaOperacion": int(datos["fecha"]),
            "institucionOrdenante": azar.choice([40002, 40012, 40014, 40072, 90722]),
            "claveRastreo": f"{prefijo}{i:08d}",
            "monto": float(monto),
            "nombreOrdenante": "PERSONA PRUEBA",
            "cuentaOrdenante": "012180004567891234",
            "cuentaBeneficiario": fopi["clabe"],
            "conceptoPago": fopi["referencia"],
        })
    return lista


def enviar(url: str, cuerpos: list[bytes], secreto: str, conexiones: int, segundos: float):
    from fopi.notificacion import firmar

    partes = urlsplit(url)
    if partes.scheme != "http" or partes.hostname not in LOCALES:
        sys.exit(f"Sólo se envía a este equipo por http (127.0.0.1, localhost, ::1), no a {url}.")
    firmados = [(c, firmar(c, secreto)) for c in cuerpos]
    siguiente = iter(range(len(firmados)))
    candado = threading.Lock()
    latencias: list[float] = []
    estados: Counter = Counter()
    limite = time.perf_counter() + segundos

    def trabajar():
        conexion = http.client.HTTPConnection(partes.hostname, partes.port or 80, timeout=30)
        while time.perf_counter() < limite:
            with candado:
                k = next(siguiente, None)
            if k is None:
                break
            cuerpo, firma = firmados[k]
            inicio = time.perf_counter()
            try:
                conexion.request("POST", partes.path, body=cuerpo,
                                 headers={"Content-Type": "application/json", "X-Firma": firma})
                respuesta = conexion.getresponse()
                contenido = respuesta.read()
                estado = respuesta.status if contenido == b'{"mensaje": "confirmar"}' else f"{respuesta.status} {contenido[:80]!r}"
            except (OSError, http.client.HTTPException) as error:
                estado = f"error {type(error).__name__}"
                conexion.close()
                conexion = http.client.HTTPConnection(partes.hostname, partes.port or 80, timeout=30)
            transcurrido = time.perf_counter() - inicio
            with candado:
                latencias.append(transcurrido)
                estados[estado] += 1
        conexion.close()

    hilos = [threading.Thread(target=trabajar) for _ in range(conexiones)]
    inicio = time.perf_counter()
    for hilo in hilos:
        hilo.start()
    for hilo in hilos:
        hilo.join()
    return latencias, estados, time.perf_counter() - inicio


def verificar(prefijo: str, claves_esperadas: int) -> None:
    """Every FOPI applied at most once; money received = applied + under review; one row per clave."""
    from django.db.models import Count, Sum

    from fopi.models import PagoBancario
    from prestamos.models import Movimiento

    dobles = (PagoBancario.objects.filter(canal="SPEI", estado="APLICADO").values("fopi").annotate(n=Count("id"))
              .filter(n__gt=1).count())
    spei = PagoBancario.objects.filter(canal="SPEI", clave_rastreo__startswith=prefijo)
    por_estado = dict(spei.values_list("estado").annotate(n=Count("id")))
    recibido = spei.aggregate(s=Sum("importe"))["s"] or 0
    aplicado = Movimiento.objects.filter(pago_bancario__in=spei).aggregate(s=Sum("importe"))["s"] or 0
    pendiente = spei.filter(estado="EN_REVISION").aggregate(s=Sum("importe"))["s"] or 0
    print(f"base: {spei.count()} abonos SPEI (claves distintas enviadas: {claves_esperadas}) {por_estado}; "
          f"FOPI aplicados dos veces: {dobles}; recibido {recibido} = aplicado {aplicado} + en revisión {pendiente}: "
          f"{'OK' if recibido == aplicado + pendiente and dobles == 0 and spei.count() == claves_esperadas else 'DIFERENCIA'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="orden", required=True)
    p = sub.add_parser("preparar", help="re-crea la base del bench con préstamos y un FOPI pendiente cada uno")
    p.add_argument("--prestamos", type=int, default=3000)
    e = sub.add_parser("enviar", help="envía las notificaciones firmadas al servidor")
    e.add_argument("--url", default="http://127.0.0.1:8095/spei/abonos/")
    e.add_argument("--n", type=int, default=3000)
    e.add_argument("--conexiones", type=int, default=4)
    e.add_argument("--segundos", type=float, default=120)
    args = parser.parse_args()

    if args.orden == "preparar":
        preparar(min(args.prestamos, 50_000))
        return 0
    secreto = os.environ.get("SPEI_SECRETO", "")
    if not secreto:
        sys.exit("Define SPEI_SECRETO, el mismo que usa el servidor.")
    n = min(args.n, MAXIMO_NOTIFICACIONES)
    conexiones = max(1, min(args.conexiones, MAXIMO_CONEXIONES))
    segundos = min(args.segundos, MAXIMO_SEGUNDOS)
    datos = json.loads(FOPIS.read_text())
    prefijo = f"B{int(time.time()) % 10**9:09d}"
    lista = notificaciones(n, datos, prefijo)
    cuerpos = [json.dumps(d).encode() for d in lista]
    django_listo()
    print(maquina())
    latencias, estados, total = enviar(args.url, cuerpos, secreto, conexiones, segundos)
    ms = sorted(x * 1000 for x in latencias)
    percentiles = statistics.quantiles(ms, n=100) if len(ms) > 1 else ms * 99
    print(f"{len(ms)} notificaciones en {total:.1f} s con {conexiones} conexiones: {len(ms) / total:.1f} por segundo")
    print(f"latencia p50 {percentiles[49]:.1f} ms, p95 {percentiles[94]:.1f} ms, p99 {percentiles[98]:.1f} ms, "
          f"máx {ms[-1]:.1f} ms")
    print(f"respuestas: {dict(estados)}")
    enviadas = {d["claveRastreo"] for d in lista[: len(ms)]}
    verificar(prefijo, len(enviadas))
    return 0 if set(estados) == {200} else 1


if __name__ == "__main__":
    sys.exit(main())
