"""How fast is a FOPI PDF? Target: median build ≤ 15 ms (a FOPI is built on every download).

    .venv/bin/python bench/fopi_pdf.py [--n 300]

Builds N FOPIs with realistic, varied data (no database) and compares them with a floor: a bare
reportlab page with the same texts in Helvetica, one per line, and the same Code128 barcode. The ratio
(target: at most 2×) says how much the portal's layout — bands, boxes, colours, fitting long names — costs
over the least reportlab can do. Exits 1 if the median misses 15 ms or the ratio misses 2×.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
from oficina.formatos import (
    formato_fecha,
    formato_moneda,  # noqa: E402
)
from oficina.pdf import CONTACTO_CAPP, INSTITUCION, PORTAL  # noqa: E402

OBJETIVO_MS = 15.0
OBJETIVO_RAZON = 2.0

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
        ))
    return lista


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
    y = 760.0
    for texto in textos_de(datos):
        c.setFont("Helvetica", 8)
        c.drawString(40, y, texto)
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


def resumen(nombre: str, tiempos: list[float], total_s: float) -> float:
    mediana = statistics.median(tiempos)
    p95 = statistics.quantiles(tiempos, n=100)[94]
    print(f"{nombre:<34} mediana {mediana:6.2f} ms   p95 {p95:6.2f} ms   {len(tiempos) / total_s:7.1f} PDF/s")
    return mediana


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="PDFs a generar por medición (300)")
    args = parser.parse_args()

    lista = datos_de_ejemplo(args.n)
    tamanio = len(render_fopi(lista[0]))
    print(f"{args.n} FOPI, {tamanio / 1024:.1f} KiB cada uno aprox.")
    mediana = resumen("render_fopi", *medir(render_fopi, lista))
    mediana_piso = resumen("piso (Helvetica + Code128)", *medir(piso, lista))
    razon = mediana / mediana_piso
    print(f"razón render_fopi / piso: {razon:.2f}x")
    if mediana > OBJETIVO_MS or razon > OBJETIVO_RAZON:
        print(f"LENTO: mediana {mediana:.2f} ms (objetivo {OBJETIVO_MS:.0f} ms), razón {razon:.2f}x "
              f"(objetivo {OBJETIVO_RAZON:.0f}x)")
        return 1
    print(f"OK: mediana {mediana:.2f} ms ≤ {OBJETIVO_MS:.0f} ms, razón {razon:.2f}x ≤ {OBJETIVO_RAZON:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
