"""The edges of the money rules an audit found misstated (docs/reglas.md §5, §6): exact half centavos,
an exact payoff, the write-off of a last deduction short by a centavo, and a moratorio factor that
changes while an installment is unpaid. Pure engine tests: no database."""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from prestamos.calculo import Mes, Quincena, interes_del_periodo, moratorio_por_tramos, tabla_amortizacion
from prestamos.cartera import Condiciones, Contexto, ParametrosMora, Posicion

SIN_REMESA = Contexto()


# --- 1. half centavos round up ---------------------------------------------------------------------------


def test_it_rounds_an_exact_half_centavo_of_interest_up():
    """SPEC §5's worked example: 4,500.00 at 5.00 % over 24 quincenas."""
    tabla = tabla_amortizacion(principal=D("4500.00"), tasa_anual=D("5.00"), plazo=24, primer_periodo=Quincena(2026, 1))
    assert tabla[0].cuota == D("192.42")
    assert (tabla[0].interes, tabla[0].capital, tabla[0].saldo_final) == (D("9.38"), D("183.04"), D("4316.96"))
    assert tabla[-1].cuota == D("192.47")
    assert sum(r.interes for r in tabla) == D("118.13")


def test_it_keeps_the_30000_worked_example():
    tabla = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1))
    assert (tabla[0].interes, tabla[-1].cuota, sum(r.interes for r in tabla)) == (D("143.75"), D("700.95"), D("3653.59"))
    mensual = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=24, primer_periodo=Mes(2026, 1))
    assert (mensual[0].interes, mensual[-1].cuota, sum(r.interes for r in mensual)) == (
        D("287.50"), D("1405.20"), D("3725.03")
    )


@settings(max_examples=300)
@given(
    saldo=st.decimals(min_value=D("0.01"), max_value=D("999999.99"), places=2),
    tasa=st.decimals(min_value=D("0.01"), max_value=D("99.99"), places=2),
    por_anio=st.sampled_from([24, 12]),
)
def test_it_computes_the_period_interest_exactly(saldo, tasa, por_anio):
    """saldo × tasa / (100 × periods), divided last, then rounded half up: compared with exact fractions."""
    from fractions import Fraction

    exacto = Fraction(saldo) * Fraction(tasa) / (100 * por_anio)
    centavos = exacto * 100
    entero = int(centavos)
    redondeado = entero + (1 if centavos - entero >= Fraction(1, 2) else 0)
    assert interes_del_periodo(saldo, tasa, por_anio) == D(redondeado) / 100


# --- 2. an exact payoff settles the loan -----------------------------------------------------------------

MIL = Condiciones(
    principal=D("1000.00"), tasa_anual=D("12.00"), plazo=4, primer_periodo=Quincena(2026, 1),
    fecha_otorgamiento=date(2025, 12, 20),
)


def _tres_pagadas() -> Posicion:
    posicion = Posicion.nueva(MIL)
    assert MIL.cuota == D("253.13") and posicion.cuotas[-1].monto == D("253.14")
    for n in range(3):
        posicion.aplicar(fecha_valor=Quincena(2026, 1 + n).vencimiento, importe=D("253.13"), contexto=SIN_REMESA)
    return posicion


def test_it_settles_a_loan_when_a_deduction_pays_exactly_what_is_owed():
    posicion = _tres_pagadas()
    aplicacion = posicion.aplicar(fecha_valor=Quincena(2026, 4).vencimiento, importe=D("253.14"), contexto=SIN_REMESA)
    assert aplicacion.liquida and aplicacion.excedente == 0
    assert posicion.capital_insoluto == 0
    assert posicion.fecha_liquidacion == Quincena(2026, 4).vencimiento
    assert posicion.estado(date(2026, 3, 1)) == "LIQUIDADO"


def test_it_settles_a_loan_paid_off_exactly_on_its_last_due_date():
    posicion = _tres_pagadas()
    vencimiento = Quincena(2026, 4).vencimiento
    liquidacion = posicion.liquidacion(vencimiento, SIN_REMESA)
    assert liquidacion == D("253.14")
    assert posicion.aplicar(fecha_valor=vencimiento, importe=liquidacion, contexto=SIN_REMESA).liquida
    assert posicion.liquidado


def test_it_settles_an_exact_payoff_with_moratorios_owed():
    posicion = _tres_pagadas()
    con_remesa = Contexto(remesas=frozenset({Quincena(2026, 4)}))
    despues = Quincena(2026, 4).vencimiento + timedelta(days=10)
    debe = posicion.liquidacion(despues, con_remesa)
    assert debe > D("253.14")
    assert posicion.aplicar(fecha_valor=despues, importe=debe, contexto=con_remesa).liquida


@settings(max_examples=150, deadline=None)
@given(
    principal=st.integers(min_value=1000, max_value=60000),
    tasa=st.sampled_from([D("5.00"), D("9.00"), D("11.50"), D("12.00"), D("14.50")]),
    plazo=st.integers(min_value=1, max_value=30),
)
def test_paying_every_installment_on_time_settles_every_loan(principal, tasa, plazo):
    condiciones = Condiciones(
        principal=D(principal), tasa_anual=tasa, plazo=plazo, primer_periodo=Quincena(2026, 1),
        fecha_otorgamiento=date(2025, 12, 20),
    )
    posicion = Posicion.nueva(condiciones)
    for cuota in list(posicion.cuotas):
        assert not posicion.liquidado
        posicion.aplicar(fecha_valor=cuota.vencimiento, importe=cuota.monto, contexto=SIN_REMESA)
    assert posicion.liquidado and posicion.capital_insoluto == 0 and posicion.excedentes == 0


def test_it_writes_off_a_last_installment_short_by_at_most_one_peso():
    posicion = _tres_pagadas()
    vencimiento = Quincena(2026, 4).vencimiento
    posicion.aplicar(fecha_valor=vencimiento, importe=D("253.13"), contexto=SIN_REMESA)
    assert not posicion.liquidado
    ajuste = posicion.ajustar_redondeo(fecha=vencimiento, contexto=SIN_REMESA)
    assert ajuste is not None and ajuste.importe == D("0.01") and ajuste.liquida
    assert (ajuste.interes + ajuste.capital) == D("0.01")
    assert posicion.liquidado and posicion.capital_insoluto == 0
    assert posicion.fecha_liquidacion == vencimiento


def test_it_does_not_write_off_more_than_one_peso():
    posicion = _tres_pagadas()
    vencimiento = Quincena(2026, 4).vencimiento
    posicion.aplicar(fecha_valor=vencimiento, importe=D("252.13"), contexto=SIN_REMESA)  # short by 1.01
    assert posicion.ajustar_redondeo(fecha=vencimiento, contexto=SIN_REMESA) is None
    assert not posicion.liquidado


def test_it_does_not_write_off_before_the_last_installment():
    posicion = Posicion.nueva(MIL)
    posicion.aplicar(fecha_valor=Quincena(2026, 1).vencimiento, importe=D("253.12"), contexto=SIN_REMESA)
    assert posicion.ajustar_redondeo(fecha=Quincena(2026, 1).vencimiento, contexto=SIN_REMESA) is None


def test_a_partly_restored_position_answers_the_same_without_restoring_the_rest():
    # A remesa restores only the installments due by its value date (instantanea.restaurar's `corte`): the last
    # installment is then among those left stored, not yet due, and no write-off applies; it answers so without
    # restoring the rest of the schedule. Restored whole, the answer is the same.
    from prestamos import instantanea

    posicion = Posicion.nueva(MIL)
    vencimiento = Quincena(2026, 1).vencimiento
    posicion.aplicar(fecha_valor=vencimiento, importe=D("253.12"), contexto=SIN_REMESA)
    datos = instantanea.guardar(posicion)
    parcial = instantanea.restaurar(datos, MIL, corte=vencimiento)
    assert parcial._por_restaurar  # three installments left as stored

    assert parcial.ajustar_redondeo(fecha=vencimiento, contexto=SIN_REMESA) is None
    assert parcial._por_restaurar  # and still so
    assert instantanea.restaurar(datos, MIL).ajustar_redondeo(fecha=vencimiento, contexto=SIN_REMESA) is None


# --- 3. a new moratorio factor never re-prices past days -------------------------------------------------

FACTOR_TRES_EN_JULIO = Contexto(
    parametros=ParametrosMora(dias_gracia=20, factor=D("3.0")),
    factores=((date(2026, 7, 6), D("3.0")),),
)


def test_it_prices_each_day_at_the_factor_in_force_that_day():
    """SPEC §6's worked example: 6 days at 1.5 and 14 at 3.0 → 11.42 (not 13.44)."""
    assert moratorio_por_tramos(
        importe_vencido=D("701.12"), tasa_anual=D("11.50"), tramos=[(6, D("1.5")), (14, D("3.0"))]
    ) == D("11.42")
    condiciones = Condiciones(
        principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 12),
        fecha_otorgamiento=date(2026, 6, 1),
    )
    posicion = Posicion.nueva(condiciones)
    contexto = Contexto(parametros=FACTOR_TRES_EN_JULIO.parametros, factores=FACTOR_TRES_EN_JULIO.factores,
                        remesas=frozenset({Quincena(2026, 12)}))
    assert posicion.moratorios(date(2026, 7, 20), contexto) == D("11.42")


def test_the_audits_case_is_priced_at_the_old_factor_until_the_change():
    """700.12 unpaid since 15/01 at 11.50 %; factor 1.5 → 3.0 from 01/02: 5.70 on 01/02, not 11.41."""
    condiciones = Condiciones(
        principal=D("29990.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 1),
        fecha_otorgamiento=date(2025, 12, 20),
    )
    posicion = Posicion.nueva(condiciones)
    posicion.aplicar(fecha_valor=date(2026, 1, 15), importe=posicion.cuotas[0].monto - D("700.12"), contexto=SIN_REMESA)
    contexto = Contexto(
        parametros=ParametrosMora(factor=D("3.0")), factores=((date(2026, 2, 1), D("3.0")),),
        remesas=frozenset({Quincena(2026, 1)}),
    )
    assert posicion.cuotas[0].pendiente == D("700.12")
    assert posicion.moratorio_pendiente(posicion.cuotas[0], date(2026, 2, 1), contexto) == D("5.70")


def test_a_payment_charges_the_segments_and_moratorios_accrue_on_from_there():
    condiciones = Condiciones(
        principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena(2026, 12),
        fecha_otorgamiento=date(2026, 6, 1),
    )
    contexto = Contexto(parametros=FACTOR_TRES_EN_JULIO.parametros, factores=FACTOR_TRES_EN_JULIO.factores,
                        remesas=frozenset({Quincena(2026, 12)}))
    posicion = Posicion.nueva(condiciones)
    aplicacion = posicion.aplicar(fecha_valor=date(2026, 7, 20), importe=D("11.42"), contexto=contexto)
    assert aplicacion.moratorios == D("11.42")
    # From 20/07 on, all at 3.0: 701.12 × 34.5 % × 10 / 360 = 6.72
    assert posicion.moratorios(date(2026, 7, 30), contexto) == D("6.72")
