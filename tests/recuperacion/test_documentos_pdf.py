"""The one-page letters (recuperacion/pdf.py) read back with poppler, without a database: the carta de
liquidación with its verification seal."""

import shutil
import subprocess
import tempfile
from datetime import date
from decimal import Decimal as D

import pytest

from oficina.verificacion_pdf import SelloVerificacion
from recuperacion.pdf import CartaLiquidacion, render_carta_liquidacion
from tests.fabricas import paginas, texto

NOMBRE = "María Núñez Ibáñez"
CURP = "NUIM850312MDFXBR05"
SELLO = SelloVerificacion(
    codigo="ABCD-EFGH-JKMN-PQRS-TV01", url="https://oficinavirtual.issste.gob.mx/verificar/ABCD-EFGH-JKMN-PQRS-TV01/"
)


def plano(pdf: bytes) -> str:
    return " ".join(texto(pdf).split())


def qr_leido(pdf: bytes) -> list[str]:
    """What a phone would read: the page rasterised at 150 dpi, decoded by zbar."""
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg (apt-get install zbar-tools) no está instalado")
    with tempfile.TemporaryDirectory() as carpeta:
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", "-", f"{carpeta}/pagina"], input=pdf, check=True)
        salida = subprocess.run(["zbarimg", "--quiet", "--raw", f"{carpeta}/pagina.png"], capture_output=True)
    return salida.stdout.decode().split()


# --- Carta de liquidación ------------------------------------------------------------------------------------


def test_the_carta_carries_its_folio_and_verification_seal():
    pdf = render_carta_liquidacion(CartaLiquidacion(
        nombre=NOMBRE, curp=CURP, folio="20000000001", tipo="Ordinario", importe=D("30000.00"),
        fecha_otorgamiento=date(2022, 1, 10), fecha_liquidacion=date(2026, 6, 10), emitida=date(2026, 6, 12),
        folio_documento="CL-2026000001", sello=SELLO,
    ))
    contenido = plano(pdf)

    assert paginas(pdf) == 1
    assert "Folio: CL-2026000001" in contenido
    assert "fue pagado en su totalidad el 10/06/2026" in contenido
    assert "Código de verificación: ABCD-EFGH-JKMN-PQRS-TV01" in contenido
    assert qr_leido(pdf) == [SELLO.url]
