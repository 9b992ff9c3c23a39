"""What each middleware costs every request: the bare trivial view through the stack built one middleware at a time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oficina_bench .venv/bin/python bench/middlewares.py \
        [--n 400] [--perfil]

In-process, production profile, as bench/estado_cuenta.py (DEBUG off, sessions in Redis with cached_db, every
session read once first), with the borrowers' session cookies of bench/datos.py. For k = 0 … len(MIDDLEWARE) it
builds the stack of the first k middlewares of settings.MIDDLEWARE and GETs the bare trivial view
(/bench/trivial/) and the one that identifies its borrower (/bench/trivial-con-sesion/, from the stack that
has sessions and authentication); the rounds are interleaved, so a change in the machine's load weighs on
every stack alike. A middleware's cost is the median of its stack minus the median of the stack before it:
the first middleware that reads `request.user` pays for the session and the user, whoever reads it next
finds them loaded. The queries each request ran are counted on the whole stack. `--perfil` adds cProfile's
top functions of the bare view through the whole stack. `--registro-info` writes each request's log lines as
production does (INFO; the benchmarks' profile logs WARNING and up): send stderr to /dev/null.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics

from estado_cuenta import medir

from comun import SALIDA, django_en_produccion_con_redis, maquina

TRIVIAL = "/bench/trivial/"
TRIVIAL_SESION = "/bench/trivial-con-sesion/"
NECESARIOS_CON_SESION = ("SessionMiddleware", "AuthenticationMiddleware")


def _cliente(middleware: list[str]):
    from django.test import Client
    from django.test.utils import override_settings

    cliente = Client()
    with override_settings(MIDDLEWARE=middleware):
        cliente.handler.load_middleware()  # the stack is built now, under these settings
    return cliente


def _medir(cliente, url: str, sesiones: list[str]) -> list[float]:
    return medir(cliente, url, sesiones, len(sesiones))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="peticiones por pila y vista (400)")
    parser.add_argument("--perfil", action="store_true", help="cProfile de la vista trivial con la pila entera")
    parser.add_argument("--registro-info", action="store_true",
                        help="escribir las líneas de cada petición (INFO, como en producción) a la salida de error")
    args = parser.parse_args()
    django_en_produccion_con_redis()
    if args.registro_info:  # the access log production writes: request_started/finished of every request
        import logging

        logging.getLogger("oficina.peticiones").setLevel(logging.INFO)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    sesiones = (SALIDA / "sesiones.txt").read_text().split()
    print(maquina())
    pila = list(settings.MIDDLEWARE)
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        clientes = [_cliente(pila[:k]) for k in range(len(pila) + 1)]
        con_sesion = [all(any(m.endswith(n) for m in pila[:k]) for n in NECESARIOS_CON_SESION)
                      for k in range(len(pila) + 1)]
        for cliente, sesion in zip(clientes, con_sesion):  # warm-up: imports, connections, sessions into Redis
            _medir(cliente, TRIVIAL, sesiones[:20])
            if sesion:
                _medir(cliente, TRIVIAL_SESION, sesiones)
        completo = clientes[-1]
        consultas = {}
        for url in (TRIVIAL, TRIVIAL_SESION):
            with CaptureQueriesContext(connection) as capturadas:
                _medir(completo, url, sesiones[:1])
            consultas[url] = [c["sql"] for c in capturadas.captured_queries]
        bare = [[] for _ in clientes]
        identificada = [[] for _ in clientes]
        for inicio in range(0, args.n, 20):
            bloque = sesiones[inicio % len(sesiones):][:20]
            for k, cliente in enumerate(clientes):
                bare[k] += _medir(cliente, TRIVIAL, bloque)
                if con_sesion[k]:
                    identificada[k] += _medir(cliente, TRIVIAL_SESION, bloque)
        if args.perfil:
            perfilador = cProfile.Profile()
            perfilador.enable()
            _medir(completo, TRIVIAL, (sesiones * (1 + args.n // len(sesiones)))[: args.n])
            perfilador.disable()

    print(f"DEBUG={settings.DEBUG}; sesiones en {settings.SESSION_ENGINE}; {args.n} peticiones por pila, con la "
          "cookie de sesión de un derechohabiente")
    print(f"{'middleware (se suma a la pila)':<58} {'trivial':>9} {'Δ':>7}   {'con sesión':>10} {'Δ':>7}  (ms, medianas)")
    antes_b = antes_s = None
    for k in range(len(clientes)):
        nombre = "(ninguno)" if k == 0 else pila[k - 1]
        b = statistics.median(bare[k])
        s = statistics.median(identificada[k]) if identificada[k] else None
        delta_b = "" if antes_b is None else f"{b - antes_b:+7.3f}"
        texto_s = f"{s:10.3f}" if s is not None else f"{'—':>10}"
        delta_s = f"{s - antes_s:+7.3f}" if s is not None and antes_s is not None else f"{'':>7}"
        print(f"{nombre:<58} {b:9.3f} {delta_b:>7}   {texto_s} {delta_s}")
        antes_b, antes_s = b, s
    p95 = statistics.quantiles(bare[-1], n=100)[94]
    print(f"vista trivial, pila entera: mediana {statistics.median(bare[-1]):.3f} ms, p95 {p95:.3f} ms "
          f"(objetivo: mediana < 0.5 ms)")
    for url, sqls in consultas.items():
        print(f"consultas de {url} con la pila entera: {len(sqls)}")
        for sql in sqls:
            print(f"   {sql[:140]}")
    if args.perfil:
        salida = io.StringIO()
        pstats.Stats(perfilador, stream=salida).sort_stats("tottime").print_stats(30)
        print(salida.getvalue())


if __name__ == "__main__":
    main()
