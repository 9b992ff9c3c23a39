"""How fast is a FOPI PDF? Target: median build ≤ 15 ms (a FOPI is built on every download), ≤ 1.2× its floor.

    .venv/bin/python bench/fopi_pdf.py [--n 300]
    .venv/bin/python bench/fopi_pdf.py --n 300 --comparar /tmp/main --rondas 5   # before/after, same run

Builds N FOPIs with realistic, varied data (no database: the three types, a REGULARIZACION's periods in
words, the payoff's notice) and compares them with a floor: a bare reportlab page with the same texts in
Helvetica, one per line, and the same Code128 barcode. The ratio (target: at most 1.2×) says how much the
portal's layout — bands, boxes, colours, fitting long names — costs over the least reportlab can do with its
own drawing calls. The FOPI writes its texts with `oficina.pdf.escribir`, the same bytes as drawString without
its text object; the script also prints, for information, the floor drawn with that primitive, and the ratio to
it: what the layout costs when both sides write text the same way.
Exits 1 if the median misses 15 ms or the ratio misses 1.2×.

`--comparar DIR` measures another checkout's `render_fopi` (e.g. main: `git archive main | tar -x -C DIR`)
against this one with this script's data and floor, alternating runs in fresh processes; each run measures
its own floor, so the ratios are comparable even on a busy machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

# FOPI_PDF_RAIZ: the checkout whose fopi/ and oficina/ are measured (--comparar sets it); this one by default.
RAIZ = Path(os.environ.get("FOPI_PDF_RAIZ") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(RAIZ))

from reportlab.graphics.barcode.code128 import Code128  # noqa: E402
from reportlab.lib.pagesizes import letter  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from fopi.clabe import clabe_para  # noqa: E402
from fopi.pdf import (  # noqa: E402
    AVISO_COPIAS,
    AVISO_LIQUIDACION,
    BANCO_SPEI,
    TITULO,
    TITULO_SPEI,
    BancoPdf,
    DatosFopi,
    clabe_separada,
    referencia_agrupada,
    render_fopi,
)
from fopi.referencia import construir_referencia, vigencia_para  # noqa: E402
from oficina import pdf as oficina_pdf  # noqa: E402
from oficina.formatos import formato_fecha, formato_moneda  # noqa: E402
from oficina.pdf import CONTACTO_CAPP, INSTITUCION, PORTAL  # noqa: E402
from prestamos.calculo import Mes, Quincena, periodos_en_palabras  # noqa: E402

OBJETIVO_MS = 15.0
OBJETIVO_RAZON = 1.2

NOMBRES = ("María", "José Luis", "Guadalupe", "Juan Pablo", "Ana Sofía", "Ramón", "Begoña", "Iñaki", "Rocío")
APELLIDOS = ("Núñez", "Hernández", "Ibáñez", "Peña", "Gómez", "Martínez", "Muñoz", "López", "Ordóñez", "Cañas")
TIPOS = (("PARCIAL", "Pago parcial"), ("LIQUIDACION", "Liquidación"), ("REGULARIZACION", "Regularización"))
BANCOS = (
    BancoPdf(nombre="BBVA México", convenio="1234567"),
    BancoPdf(nombre="Banorte", convenio="0987654"),
    BancoPdf(nombre="Santander", convenio="5566778"),
    BancoPdf(nombre="HSBC", convenio="4433221"),
    BancoPdf(nombre="Banco Azteca", convenio="7788990"),
    BancoPdf(nombre="Telecomm (Telégrafos)", convenio="1100223"),
)


def datos_de_ejemplo(n: int, semilla: int = 2026) -> list[DatosFopi]:
    azar = random.Random(semilla)
    lista = []
    for k in range(n):
        emitido = date(2026, 1, 2) + timedelta(days=azar.randrange(330))
        vigencia = vigencia_para(emitido)
        importe = Decimal(azar.randrange(10_000, 25_000_000)) / 100
        folio = f"2{azar.randrange(10**10):010d}"
        secuencia = azar.randrange(1, 40)
        tipo, tipo_texto = azar.choice(TIPOS)
        cubre = _cubre(azar, emitido) if tipo == "REGULARIZACION" else ""
        lista.append(DatosFopi(
            nombre=f"{azar.choice(NOMBRES)} {azar.choice(APELLIDOS)} {azar.choice(APELLIDOS)}",
            curp=f"NUIM85{k % 100:02d}12MDFXBR05",
            folio=folio,
            tipo=tipo,
            tipo_texto=tipo_texto,
            importe=importe,
            vigencia=vigencia,
            referencia=construir_referencia(folio=folio, secuencia=secuencia, vigencia=vigencia, importe=importe),
            secuencia=secuencia,
            emitido=emitido,
            bancos=BANCOS,
            clabe=clabe_para(azar.randrange(1, 10**7)),
            beneficiario="ISSSTE Préstamos Personales",
            cubre=cubre,
        ))
    return lista


def _cubre(azar: random.Random, emitido: date) -> str:
    """What a REGULARIZACION FOPI says it pays, worded as fopi/documentos.py words it: one to three missed
    periods before the issue date, or a run of three to six (printed as its ends); quincenas mostly, months
    for monthly payrolls."""
    tipo = Quincena if azar.random() < 0.8 else Mes
    ultimo = tipo.de_fecha(emitido) - 1
    if azar.random() < 0.3:
        periodos = [ultimo - k for k in range(azar.randint(3, 6))]
    else:
        periodos = sorted({ultimo - azar.randrange(8) for _ in range(azar.randint(1, 3))})
    return f"{periodos[0].PALABRAS.plural.capitalize()} sin descuento: {periodos_en_palabras(periodos)}"


def textos_de(datos: DatosFopi) -> list[str]:
    """Every text `render_fopi` prints, in reading order (tests/bench/test_fopi_pdf.py checks it is all)."""
    return [
        INSTITUCION, PORTAL, TITULO, f"Emitido el {formato_fecha(datos.emitido)}", f"Formato núm. {datos.secuencia:03d}",
        "Nombre", datos.nombre, "CURP", datos.curp, "Folio del préstamo", datos.folio, "Tipo de pago", datos.tipo_texto,
        *(("Qué paga", datos.cubre) if datos.cubre else ()),
        "Importe a pagar", "Vigencia", formato_moneda(datos.importe), f"Pagar a más tardar el {formato_fecha(datos.vigencia)}",
        "Referencia bancaria (captúrala completa)", referencia_agrupada(datos.referencia), datos.referencia,
        "Bancos autorizados", "Banco", "Número de convenio",
        *(texto for banco in datos.bancos for texto in (banco.nombre, banco.convenio)),
        TITULO_SPEI, "CLABE de este formato (cuenta destino)", clabe_separada(datos.clabe), datos.clabe,
        "Sirve solo para este formato y este importe.", "Beneficiario", datos.beneficiario, "Banco destino",
        BANCO_SPEI, "Importe exacto", formato_moneda(datos.importe), "Concepto", datos.referencia,
        AVISO_COPIAS,
        f"Este formato es de un solo uso y solo es válido hasta el {formato_fecha(datos.vigencia)}.",
        "Paga el importe exacto, con la referencia completa, en ventanilla o banca electrónica de un banco autorizado.",
        "Un pago por otro importe o después de la vigencia no se aplica en automático: queda en revisión del CAPP.",
        *(AVISO_LIQUIDACION if datos.tipo == "LIQUIDACION" else ()),
        CONTACTO_CAPP, "Página 1 de 1",
    ]


def piso(datos: DatosFopi) -> bytes:
    """The least reportlab can do: the same texts in Helvetica, one per line, and the same barcode."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=letter)
    c.setFont("Helvetica", 8)  # once: a page in one font and size needs no more
    y = 760.0
    for texto in textos_de(datos):
        c.drawString(40, y, texto)
        y -= 13
    Code128(datos.referencia, barHeight=15 * mm, barWidth=0.36 * mm, humanReadable=False).drawOn(c, 200, y - 45)
    c.showPage()
    c.save()
    return buffer.getvalue()


def piso_directo(datos: DatosFopi) -> bytes:
    """The same floor with the portal's own text primitive (`oficina.pdf.escribir`, which writes what drawString
    writes without its text object): what the floor would take if it drew its texts the way the FOPI does. Not the
    target's floor; printed beside it so the ratio is read knowing what each side uses."""
    escribir = oficina_pdf.escribir
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=letter)
    c.setFont("Helvetica", 8)
    y = 760.0
    for texto in textos_de(datos):
        escribir(c, 40, y, texto)
        y -= 13
    Code128(datos.referencia, barHeight=15 * mm, barWidth=0.36 * mm, humanReadable=False).drawOn(c, 200, y - 45)
    c.showPage()
    c.save()
    return buffer.getvalue()


def medir(funcion, lista: list[DatosFopi]) -> tuple[list[float], float]:
    for datos in lista[:10]:  # warm-up: imports, font tables, code paths
        funcion(datos)
    tiempos = []
    inicio_total = time.perf_counter()
    for datos in lista:
        inicio = time.perf_counter()
        pdf = funcion(datos)
        tiempos.append((time.perf_counter() - inicio) * 1000)
        assert pdf.startswith(b"%PDF")
    return tiempos, time.perf_counter() - inicio_total


def cifras(tiempos: list[float], total_s: float) -> dict:
    return {
        "mediana": statistics.median(tiempos),
        "p95": statistics.quantiles(tiempos, n=100)[94],
        "por_segundo": len(tiempos) / total_s,
    }


def linea(nombre: str, c: dict) -> str:
    return (f"{nombre:<34} mediana {c['mediana']:6.2f} ms   p95 {c['p95']:6.2f} ms   "
            f"{c['por_segundo']:7.1f} PDF/s")


def medicion(n: int) -> dict:
    lista = datos_de_ejemplo(n)
    fopi = cifras(*medir(render_fopi, lista))
    suelo = cifras(*medir(piso, lista))
    r = {"fopi": fopi, "piso": suelo, "razon": fopi["mediana"] / suelo["mediana"],
         "kib": len(render_fopi(lista[0])) / 1024}
    if hasattr(oficina_pdf, "escribir"):  # a checkout before it (--comparar) has no such primitive
        directo = cifras(*medir(piso_directo, lista))
        r |= {"piso_directo": directo, "razon_directo": fopi["mediana"] / directo["mediana"]}
    return r


def comparar(otra: str, n: int, rondas: int) -> None:
    """Alternate runs of another checkout's render_fopi and this one's, each with its own floor."""
    import subprocess

    resultados: dict[str, list[dict]] = {"antes": [], "despues": []}
    for ronda in range(rondas):
        for nombre, raiz in (("antes", otra), ("despues", "")):
            salida = subprocess.run(
                [sys.executable, __file__, "--n", str(n), "--json"], env={**os.environ, "FOPI_PDF_RAIZ": raiz},
                capture_output=True, text=True, check=True,
            ).stdout
            r = json.loads(salida)
            resultados[nombre].append(r)
            print(f"ronda {ronda + 1} {nombre:<7} {linea('render_fopi', r['fopi'])}")
            print(f"ronda {ronda + 1} {nombre:<7} {linea('piso', r['piso'])}   razón {r['razon']:.2f}x")
            if "piso_directo" in r:
                print(f"ronda {ronda + 1} {nombre:<7} {linea('piso con escribir', r['piso_directo'])}   "
                      f"razón {r['razon_directo']:.2f}x")
    print(f"medianas de {rondas} rondas de {n} PDF:")
    for nombre, lista in resultados.items():
        def med(clave, campo, lista=lista):
            return statistics.median(r[clave][campo] for r in lista)
        print(f"  {nombre:<7} render_fopi {med('fopi', 'mediana'):.2f} ms (p95 {med('fopi', 'p95'):.2f} ms, "
              f"{med('fopi', 'por_segundo'):.0f} PDF/s, {statistics.median(r['kib'] for r in lista):.1f} KiB), "
              f"piso {med('piso', 'mediana'):.2f} ms (p95 {med('piso', 'p95'):.2f} ms, "
              f"{med('piso', 'por_segundo'):.0f} PDF/s), razón {statistics.median(r['razon'] for r in lista):.2f}x")
        if all("piso_directo" in r for r in lista):
            print(f"  {'':<7} piso con escribir {med('piso_directo', 'mediana'):.2f} ms, "
                  f"razón {statistics.median(r['razon_directo'] for r in lista):.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="PDFs a generar por medición (300)")
    parser.add_argument("--comparar", metavar="DIR", help="otra copia del proyecto (p. ej. main) a medir en las mismas rondas")
    parser.add_argument("--rondas", type=int, default=5, help="rondas alternadas con --comparar (5)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.comparar:
        comparar(args.comparar, args.n, args.rondas)
        return 0
    r = medicion(args.n)
    if args.json:
        print(json.dumps(r))
        return 0
    print(f"{args.n} FOPI, {r['kib']:.1f} KiB cada uno aprox. ({RAIZ})")
    print(linea("render_fopi", r["fopi"]))
    print(linea("piso (Helvetica + Code128)", r["piso"]))
    mediana, razon = r["fopi"]["mediana"], r["razon"]
    print(f"razón render_fopi / piso: {razon:.2f}x")
    if "piso_directo" in r:
        print(linea("piso con escribir (informativo)", r["piso_directo"]))
        print(f"razón render_fopi / piso con escribir: {r['razon_directo']:.2f}x")
    if mediana > OBJETIVO_MS or razon > OBJETIVO_RAZON:
        print(f"LENTO: mediana {mediana:.2f} ms (objetivo {OBJETIVO_MS:.0f} ms), razón {razon:.2f}x "
              f"(objetivo {OBJETIVO_RAZON:.1f}x)")
        return 1
    print(f"OK: mediana {mediana:.2f} ms ≤ {OBJETIVO_MS:.0f} ms, razón {razon:.2f}x ≤ {OBJETIVO_RAZON:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
