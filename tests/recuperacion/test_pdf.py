"""Estado de cuenta and carta de liquidación PDFs (recuperacion/pdf.py), read back with poppler."""

import re
from datetime import date, timedelta
from decimal import Decimal

from prestamos.calculo import Quincena, tabla_amortizacion
from recuperacion.pdf import (
    CartaLiquidacion,
    EstadoCuentaPdf,
    MovimientoPdf,
    PrestamoPdf,
    RenglonTabla,
    render_carta_liquidacion,
    render_estado_cuenta,
)
from tests.fabricas import paginas, texto

D = Decimal
NOMBRE = "María Núñez Ibáñez"
CURP = "NUIM850312MDFXBR05"




def prestamo(*, folio="20000000001", tipo="Ordinario", estado="Vigente", importe="30000.00", tasa="11.50",
             plazo=48, primera="2026-Q01", pagadas=0, vencidas=0) -> PrestamoPdf:
    """A loan as a selector would hand it to the renderer, its schedule from the real calculation."""
    tabla = tabla_amortizacion(principal=D(importe), tasa_anual=D(tasa), plazo=plazo,
                               primer_periodo=Quincena.parse(primera))

    def estado_renglon(numero: int) -> str:
        if numero <= pagadas:
            return "Pagada"
        return "Vencida" if numero <= pagadas + vencidas else "Por vencer"

    return PrestamoPdf(
        folio=folio, tipo=tipo, estado=estado, importe=D(importe), tasa_anual=D(tasa), plazo=plazo,
        cuota=tabla[0].cuota, fecha_otorgamiento=tabla[0].periodo.inicio - timedelta(days=10),
        quincenas_pagadas=pagadas, quincenas_por_pagar=plazo - pagadas, fecha_termino=tabla[-1].vencimiento,
        dependencia="Secretaría de Educación Pública",
        saldo=tabla[pagadas - 1].saldo_final if pagadas else D(importe),
        movimientos=tuple(
            MovimientoPdf(fecha=r.vencimiento, concepto=f"Descuento por nómina {r.periodo}", importe=r.cuota,
                          moratorios=D("0.00"), interes=r.interes, capital=r.capital)
            for r in tabla[:pagadas]
        ),
        tabla=tuple(
            RenglonTabla(numero=r.numero, quincena=r.periodo.en_palabras, vencimiento=r.vencimiento,
                         cuota=r.cuota, interes=r.interes, capital=r.capital, saldo=r.saldo_final,
                         estado=estado_renglon(r.numero))
            for r in tabla
        ),
    )


def estado_de_cuenta(**cambios) -> EstadoCuentaPdf:
    vigente = prestamo(pagadas=11, vencidas=1)
    datos = dict(nombre=NOMBRE, curp=CURP, fecha_corte=date(2026, 6, 30), saldo_deudor_total=D("1234.56"),
                 vigente=vigente, historico=(vigente,))
    datos.update(cambios)
    return EstadoCuentaPdf(**datos)


def test_it_renders_the_statement_with_embedded_fonts():
    pdf = render_estado_cuenta(estado_de_cuenta())

    assert pdf.startswith(b"%PDF")
    assert b"FontFile2" in pdf
    assert b"/Helvetica" not in pdf  # reportlab's non-embedded default must not sneak in


def test_it_shows_who_and_when():
    contenido = texto(render_estado_cuenta(estado_de_cuenta()))

    assert "Estado de cuenta" in contenido
    assert NOMBRE in contenido
    assert CURP in contenido
    assert "Fecha de corte" in contenido
    assert "30/06/2026" in contenido


def test_it_puts_the_saldo_deudor_total_first_after_its_heading():
    contenido = texto(render_estado_cuenta(estado_de_cuenta()))

    despues = contenido.split("Saldo deudor total", 1)[1]
    assert re.search(r"-?\$[\d,]+\.\d\d", despues).group() == "$1,234.56"


def test_it_shows_the_conditions_of_the_vigente_loan():
    contenido = texto(render_estado_cuenta(estado_de_cuenta()), "-layout")
    condiciones = contenido.split("Condiciones del préstamo vigente", 1)[1].split("Histórico de préstamos", 1)[0]
    plano = " ".join(condiciones.split())

    for etiqueta, valor in [
        ("Folio", "20000000001"),
        ("Tipo", "Ordinario"),
        ("Importe otorgado", "$30,000.00"),
        ("Tasa", "11.50 % anual"),
        ("Plazo", "48 quincenas"),
        ("Descuento quincenal", "$701.12"),  # docs/reglas.md §5 worked example
        ("Fecha de otorgamiento", "22/12/2025"),
        ("Quincenas pagadas / por pagar", "11 / 37"),
        ("Fecha estimada de término", "31/12/2027"),
        ("Dependencia", "Secretaría de Educación Pública"),
    ]:
        assert etiqueta in plano and valor in plano, (etiqueta, valor)


def test_it_says_when_there_is_no_vigente_loan():
    liquidado = prestamo(estado="Liquidado", pagadas=48)

    contenido = texto(render_estado_cuenta(estado_de_cuenta(vigente=None, historico=(liquidado,),
                                                            saldo_deudor_total=D("0.00"))))

    assert "Condiciones del préstamo vigente" in contenido
    assert "No tienes un préstamo vigente." in contenido
    assert "Liquidado" in contenido


def test_it_lists_the_movements_and_the_schedule_with_quincena_dates():
    contenido = texto(render_estado_cuenta(estado_de_cuenta()), "-layout")

    assert "Movimientos" in contenido
    assert "Descuento por nómina 2026-Q11" in contenido
    assert "Tabla de amortización" in contenido
    renglon_12 = next(linea for linea in contenido.splitlines() if "2ª quincena de junio de 2026" in linea)
    assert "Vencida" in renglon_12
    renglon_1 = next(linea for linea in contenido.splitlines() if "1ª quincena de enero de 2026" in linea)
    # docs/reglas.md §5 worked example, row 1: cuota 701.12, interés 143.75, capital 557.37, saldo 29,442.63.
    assert re.findall(r"\$[\d,]+\.\d\d", renglon_1) == ["$701.12", "$143.75", "$557.37", "$29,442.63"]


def test_it_runs_three_long_loans_over_many_pages_with_every_row():
    vigente = prestamo(folio="20000000003", tipo="Especial", importe="250000.00", tasa="14.50", plazo=240,
                       primera="2025-Q01", pagadas=30, vencidas=2)
    historico = (
        vigente,
        prestamo(folio="20000000001", estado="Liquidado", plazo=48, primera="2019-Q01", pagadas=48),
        prestamo(folio="20000000002", tipo="Conmemorativo", estado="Liquidado", importe="15000.00", tasa="16.50",
                 plazo=240, primera="2010-Q01", pagadas=240),
    )

    pdf = render_estado_cuenta(estado_de_cuenta(vigente=vigente, historico=historico))

    total = paginas(pdf)
    assert total > 10
    contenido = texto(pdf, "-layout")
    assert f"Página 1 de {total}" in contenido
    assert f"Página {total} de {total}" in contenido
    historico_txt = contenido.split("Histórico de préstamos", 1)[1]
    assert all(folio in historico_txt for folio in ("20000000001", "20000000002", "20000000003"))
    # Each schedule ends with its last quincena; nothing cut when a table crosses a page.
    assert "2ª quincena de diciembre de 2034" in contenido
    assert "2ª quincena de diciembre de 2020" in contenido
    assert "2ª quincena de diciembre de 2019" in contenido
    filas = [linea for linea in contenido.splitlines() if re.search(r"\dª quincena de [a-z]+ de \d{4} +\d\d/\d\d/\d{4}", linea)]
    assert len(filas) == 240 + 48 + 240
    # The column headings repeat on every page a table runs over.
    assert contenido.count("Núm.") > 3


def test_it_is_not_confused_by_markup_in_names_and_concepts():
    vigente = prestamo(pagadas=1)
    raro = MovimientoPdf(fecha=date(2026, 1, 20), concepto="Ajuste <CAPP> & corrección", importe=D("10.00"),
                         moratorios=D("0.00"), interes=D("0.00"), capital=D("10.00"))
    vigente = PrestamoPdf(**{**vigente.__dict__, "movimientos": vigente.movimientos + (raro,)})

    contenido = texto(render_estado_cuenta(estado_de_cuenta(nombre="Ñuño <Peña> & Hijos", vigente=vigente,
                                                            historico=(vigente,))))

    assert "Ñuño <Peña> & Hijos" in contenido
    assert "Ajuste <CAPP> & corrección" in contenido


# --- Carta de liquidación -----------------------------------------------------------------------------


def carta(**cambios) -> CartaLiquidacion:
    datos = dict(nombre=NOMBRE, curp=CURP, folio="20000000001", tipo="Ordinario", importe=D("30000.00"),
                 fecha_otorgamiento=date(2022, 1, 10), fecha_liquidacion=date(2026, 11, 20),
                 emitida=date(2026, 11, 26))
    datos.update(cambios)
    return CartaLiquidacion(**datos)


def test_it_renders_a_one_page_carta_with_embedded_fonts():
    pdf = render_carta_liquidacion(carta())

    assert pdf.startswith(b"%PDF")
    assert b"FontFile2" in pdf
    assert b"/Helvetica" not in pdf
    assert paginas(pdf) == 1


def test_it_states_the_loan_was_paid_in_full_with_no_debt():
    plano = " ".join(texto(render_carta_liquidacion(carta())).split())

    assert "Carta de liquidación" in plano
    assert "Ciudad de México, a 26/11/2026" in plano
    assert "folio 20000000001" in plano
    assert NOMBRE in plano
    assert CURP in plano
    assert "fue pagado en su totalidad el 20/11/2026" in plano
    assert "no tiene adeudo" in plano
    assert "$30,000.00" in plano
    assert "capp@issste.gob.mx" in plano
