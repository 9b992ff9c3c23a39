"""The one-page letters (recuperacion/pdf.py) read back with poppler, without a database: aviso de suspensión
de descuentos, constancia de no adeudo, and the carta de liquidación with its verification seal."""

import logging
import re
import shutil
import subprocess
import tempfile
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oficina.verificacion_pdf import SelloVerificacion
from recuperacion.pdf import (
    AvisoSuspension,
    CartaLiquidacion,
    ConstanciaNoAdeudo,
    LiquidadoPdf,
    render_aviso_suspension,
    render_carta_liquidacion,
    render_constancia_no_adeudo,
)
from recuperacion.suspension import REGLA, liquidaciones_para, primera_quincena_sin_descuento
from tests.fabricas import paginas, texto

NOMBRE = "María Núñez Ibáñez"
CURP = "NUIM850312MDFXBR05"
RFC = "NUIM850312AB1"
SEP = "Secretaría de Educación Pública"
SELLO = SelloVerificacion(
    codigo="ABCD-EFGH-JKMN-PQRS-TV01", url="https://oficinavirtual.issste.gob.mx/verificar/ABCD-EFGH-JKMN-PQRS-TV01/"
)
# Long but real: what the padrón can hold without being absurd.
NOMBRE_LARGO = "María de los Ángeles Guadalupe Fernández de Córdoba y Villaseñor Altamirano"
DEPENDENCIA_LARGA = (
    "Secretaría de Infraestructura, Comunicaciones y Transportes — Dirección General de Programación, "
    "Organización y Presupuesto"
)


def plano(pdf: bytes) -> str:
    return " ".join(texto(pdf).split())


def valor_junto_a(etiqueta: str, pdf: bytes) -> str:
    """The value printed right of `etiqueta` in a label/value grid (read in layout mode, columns kept)."""
    for linea in texto(pdf, "-layout").splitlines():
        celdas = re.split(r"\s{3,}", linea.strip())
        if etiqueta in celdas:
            return celdas[celdas.index(etiqueta) + 1]
    raise AssertionError(f"{etiqueta!r} no está en el PDF")


def qr_leido(pdf: bytes) -> list[str]:
    """What a phone would read: the page rasterised at 150 dpi, decoded by zbar."""
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg (apt-get install zbar-tools) no está instalado")
    with tempfile.TemporaryDirectory() as carpeta:
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", "-", f"{carpeta}/pagina"], input=pdf, check=True)
        salida = subprocess.run(["zbarimg", "--quiet", "--raw", f"{carpeta}/pagina.png"], capture_output=True)
    return salida.stdout.decode().split()


# --- First quincena without deduction --------------------------------------------------------------------


@pytest.mark.parametrize(
    "liquidacion, primera",
    [
        (date(2026, 6, 10), "2026-Q11"),  # mid-quincena: that quincena's deduction is no longer owed
        (date(2026, 6, 1), "2026-Q11"),
        (date(2026, 6, 15), "2026-Q12"),  # on its due date: payroll already paid that day
        (date(2026, 6, 16), "2026-Q12"),
        (date(2026, 6, 30), "2026-Q13"),
        (date(2026, 12, 31), "2027-Q01"),
        (date(2024, 2, 28), "2024-Q04"),
        (date(2024, 2, 29), "2024-Q05"),  # leap year: Q04 is due on the 29th
        (date(2026, 2, 28), "2026-Q05"),
    ],
)
def test_the_first_quincena_not_to_deduct_is_the_first_due_after_the_payoff(liquidacion, primera):
    assert str(primera_quincena_sin_descuento(liquidacion)) == primera


@given(st.dates(min_value=date(2000, 1, 2), max_value=date(2099, 12, 1)))
def test_the_staff_list_range_and_the_aviso_agree_on_every_date(liquidacion):
    quincena = primera_quincena_sin_descuento(liquidacion)
    desde, hasta = liquidaciones_para(quincena)
    assert desde <= liquidacion < hasta
    assert quincena.vencimiento > liquidacion >= (quincena + (-1)).vencimiento
    assert primera_quincena_sin_descuento(hasta) == quincena + 1


# --- Aviso de suspensión de descuentos -----------------------------------------------------------------------


def aviso(**cambios) -> AvisoSuspension:
    datos = dict(
        folio_documento="ASD-2026000042", nombre=NOMBRE, curp=CURP, rfc=RFC, dependencia=SEP, folio="20000000001",
        descuento=D("701.12"), fecha_liquidacion=date(2026, 6, 10),
        primera_quincena_sin_descuento="la 1ª quincena de junio de 2026, del 1 al 15 de junio (2026-Q11)", regla=REGLA, emitido=date(2026, 6, 12),
        sello=SELLO,
    )
    datos.update(cambios)
    return AvisoSuspension(**datos)


def test_the_aviso_tells_the_payroll_office_what_to_stop_and_from_when():
    pdf = render_aviso_suspension(aviso())
    contenido = plano(pdf)

    assert paginas(pdf) == 1
    assert b"FontFile2" in pdf and b"/Helvetica" not in pdf
    assert "Aviso de suspensión de descuentos" in contenido
    assert "Área de nómina (Recursos Humanos)" in contenido and SEP in contenido
    assert "Folio: ASD-2026000042" in contenido
    assert "Ciudad de México, a 12/06/2026" in contenido
    for etiqueta, valor in [
        ("Folio del préstamo", "20000000001"),
        ("Nombre", NOMBRE),
        ("CURP", CURP),
        ("RFC", RFC),
        ("Dependencia", SEP),
        ("Descuento quincenal", "$701.12"),
        ("Fecha de liquidación", "10/06/2026"),
        ("Primera quincena sin descuento", "la 1ª quincena de junio de 2026, del 1 al 15 de junio (2026-Q11)"),
    ]:
        assert valor_junto_a(etiqueta, pdf) == valor, etiqueta
    assert "suspender su descuento vía nómina a partir de la 1ª quincena de junio de 2026, del 1 al 15 de junio (2026-Q11), inclusive" in contenido
    assert REGLA in contenido
    assert "saldo a favor" in contenido


def test_the_aviso_carries_its_verification_seal():
    pdf = render_aviso_suspension(aviso())
    contenido = plano(pdf)

    assert "Código de verificación: ABCD-EFGH-JKMN-PQRS-TV01" in contenido
    assert SELLO.url in texto(pdf).replace("\n", "")
    assert qr_leido(pdf) == [SELLO.url]


def test_the_aviso_keeps_one_page_clear_of_the_seal_with_long_names(caplog):
    with caplog.at_level(logging.WARNING, logger="recuperacion.pdf"):
        pdf = render_aviso_suspension(aviso(nombre=NOMBRE_LARGO, dependencia=DEPENDENCIA_LARGA))

    assert paginas(pdf) == 1
    assert caplog.records == []
    assert DEPENDENCIA_LARGA in plano(pdf)


def test_the_aviso_prints_names_as_text_not_markup():
    contenido = plano(render_aviso_suspension(aviso(nombre="Ñuño <Peña> & Hijos", dependencia="SEP & <Cía>")))
    assert "Ñuño <Peña> & Hijos" in contenido and "SEP & <Cía>" in contenido


def test_a_borrower_without_rfc_gets_a_dash():
    assert valor_junto_a("RFC", render_aviso_suspension(aviso(rfc=""))) == "—"


# --- Constancia de no adeudo ---------------------------------------------------------------------------------


def constancia(**cambios) -> ConstanciaNoAdeudo:
    datos = dict(
        folio_documento="CNA-2026000007", nombre=NOMBRE, curp=CURP, rfc=RFC, emitida=date(2026, 7, 1),
        liquidados=(
            LiquidadoPdf(folio="20000000001", tipo="Ordinario", importe=D("30000.00"), fecha_liquidacion=date(2026, 6, 10)),
            LiquidadoPdf(folio="10000000009", tipo="Especial", importe=D("15000.00"), fecha_liquidacion=date(2020, 1, 31)),
        ),
        sello=SELLO,
    )
    datos.update(cambios)
    return ConstanciaNoAdeudo(**datos)


def test_the_constancia_attests_no_debt_on_its_date_and_lists_the_paid_off_loans():
    pdf = render_constancia_no_adeudo(constancia())
    contenido = plano(pdf)

    assert paginas(pdf) == 1
    assert b"FontFile2" in pdf and b"/Helvetica" not in pdf
    assert "Constancia de no adeudo" in contenido and "Folio: CNA-2026000007" in contenido
    assert f"hace constar que {NOMBRE}, con CURP {CURP} y RFC {RFC}, no tiene adeudo por préstamos personales" in contenido
    assert "al 01/07/2026: no tiene préstamos vigentes ni en cobranza" in contenido
    assert "Préstamos personales liquidados" in contenido
    renglones = [linea.split() for linea in texto(pdf, "-layout").splitlines()]
    assert ["20000000001", "Ordinario", "$30,000.00", "10/06/2026"] in renglones
    assert ["10000000009", "Especial", "$15,000.00", "31/01/2020"] in renglones
    assert "Código de verificación: ABCD-EFGH-JKMN-PQRS-TV01" in contenido
    assert qr_leido(pdf) == [SELLO.url]


def test_the_constancia_of_someone_who_never_borrowed_says_so():
    contenido = plano(render_constancia_no_adeudo(constancia(liquidados=(), rfc="")))
    assert "No registra préstamos personales con el Instituto." in contenido
    assert "Préstamos personales liquidados" not in contenido and "RFC" not in contenido


def test_the_constancia_stays_one_page_however_many_loans_were_paid_off(caplog):
    muchos = tuple(
        LiquidadoPdf(folio=f"1000000{k:04d}", tipo="Para adquisición de bienes duraderos", importe=D("15000.00"),
                     fecha_liquidacion=date(2025 - k, 1, 31))
        for k in range(12)
    )
    with caplog.at_level(logging.WARNING, logger="recuperacion.pdf"):
        pdf = render_constancia_no_adeudo(constancia(liquidados=muchos, nombre=NOMBRE_LARGO))

    contenido = plano(pdf)
    assert paginas(pdf) == 1 and caplog.records == []
    assert "10000000004" in contenido and "10000000005" not in contenido
    assert "Y 7 préstamo(s) anterior(es), también liquidado(s)." in contenido


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
