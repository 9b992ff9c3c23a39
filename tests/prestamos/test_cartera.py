"""The payment engine: allocation order, moratorios, abono a capital, payoff, replay (docs/reglas.md §5, §6)."""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from prestamos.calculo import Quincena
from prestamos.cartera import Aplicacion, Condiciones, Contexto, Posicion

EJEMPLO = Condiciones(
    principal=D("30000.00"),
    tasa_anual=D("11.50"),
    plazo=48,
    primer_periodo=Quincena(2026, 1),
    fecha_otorgamiento=date(2025, 12, 20),
)
SIN_REMESA = Contexto()


def test_it_starts_from_the_french_schedule():
    p = Posicion.nueva(EJEMPLO)
    assert EJEMPLO.cuota == D("701.12")
    assert len(p.cuotas) == 48
    assert (p.cuotas[0].interes, p.cuotas[0].capital) == (D("143.75"), D("557.37"))
    assert p.saldo_deudor_total(date(2025, 12, 31), SIN_REMESA) == D("30000.00")


def test_it_applies_a_deduction_to_the_installment_due_on_its_value_date():
    p = Posicion.nueva(EJEMPLO)
    a = p.aplicar(fecha_valor=date(2026, 1, 15), importe=D("701.12"), contexto=SIN_REMESA)
    assert (a.moratorios, a.interes, a.capital, a.excedente) == (D("0"), D("143.75"), D("557.37"), D("0"))
    assert p.capital_insoluto == D("29442.63")
    assert p.cuotas_pagadas() == 1


def test_it_charges_no_moratorio_within_the_grace_period_without_remesa():
    p = Posicion.nueva(EJEMPLO)
    assert p.saldo_deudor_total(date(2026, 1, 30), SIN_REMESA) == D("30000.00") + D("143.75")


def test_it_accrues_moratorios_from_the_due_date_once_the_deduction_is_missing():
    p = Posicion.nueva(EJEMPLO)
    # Remesa for Q01 loaded without this loan: missing at once, moratorio from the due date.
    con_remesa = Contexto(remesas=frozenset({Quincena(2026, 1)}))
    d = date(2026, 1, 15) + timedelta(days=20)
    # 701.12 × 17.25 % × 20 / 360 = 6.7191 → 6.72
    assert p.moratorios(d, con_remesa) == D("6.72")
    # Without the remesa, after the 20 grace days it is missing too, counted from the due date.
    assert p.moratorios(date(2026, 1, 15) + timedelta(days=21), SIN_REMESA) == D("7.06")
    assert p.moratorios(date(2026, 1, 15) + timedelta(days=20), SIN_REMESA) == D("0")


def test_it_pays_moratorios_then_interest_then_capital_inside_an_installment():
    p = Posicion.nueva(EJEMPLO)
    con_remesa = Contexto(remesas=frozenset({Quincena(2026, 1)}))
    a = p.aplicar(fecha_valor=date(2026, 2, 4), importe=D("100.00"), contexto=con_remesa)
    assert a.moratorios == D("6.72") and a.interes == D("93.28") and a.capital == D("0")
    assert p.cuotas[0].pendiente_interes == D("50.47")


def test_it_covers_several_installments_oldest_first():
    p = Posicion.nueva(EJEMPLO)
    a = p.aplicar(fecha_valor=date(2026, 1, 31), importe=D("1402.24"), contexto=SIN_REMESA)
    assert [c.numero for c in a.cuotas] == [1, 2]
    assert p.cuotas_pagadas() == 2 and a.abono_capital == 0


def test_it_sends_money_beyond_what_is_due_to_capital_shortening_the_term():
    p = Posicion.nueva(EJEMPLO)
    a = p.aplicar(fecha_valor=date(2026, 1, 15), importe=D("5701.12"), contexto=SIN_REMESA)
    assert a.abono_capital == D("5000.00")
    assert p.capital_insoluto == D("24442.63")
    assert all(c.monto == D("701.12") for c in p.cuotas[1:-1])
    assert len(p.cuotas) < 48
    assert p.capital_insoluto == sum(c.pendiente_capital for c in p.cuotas)


def test_it_sends_money_to_capital_when_nothing_is_due_yet():
    p = Posicion.nueva(EJEMPLO)
    a = p.aplicar(fecha_valor=date(2026, 1, 5), importe=D("1000.00"), contexto=SIN_REMESA)
    assert a.abono_capital == D("1000.00") and not a.cuotas
    assert p.cuotas[0].interes == D("138.96")  # 29,000.00 × 11.5 % / 24


def test_it_settles_the_loan_with_the_payoff_and_keeps_the_excess_for_refund():
    p = Posicion.nueva(EJEMPLO)
    d = date(2026, 1, 25)
    liquidacion = p.liquidacion(d, SIN_REMESA)
    # capital 30,000 + Q01 interest 143.75 + 10 days of ordinary interest on 30,000 (95.83)
    assert liquidacion == D("30000.00") + D("143.75") + D("95.83")
    a = p.aplicar(fecha_valor=d, importe=liquidacion + D("10.00"), contexto=SIN_REMESA)
    assert a.liquida and a.excedente == D("10.00") and a.interes_devengado == D("95.83")
    assert p.liquidado and p.saldo_deudor_total(d, SIN_REMESA) == 0
    assert p.estado(d) == "LIQUIDADO"
    despues = p.aplicar(fecha_valor=date(2026, 1, 31), importe=D("701.12"), contexto=SIN_REMESA)
    assert despues.excedente == D("701.12")


def test_it_counts_no_accrued_interest_on_a_due_date():
    p = Posicion.nueva(EJEMPLO)
    d = date(2026, 1, 15)
    assert p.liquidacion(d, SIN_REMESA) == p.saldo_deudor_total(d, SIN_REMESA)


def test_it_puts_the_loan_in_cobranza_after_four_unpaid_installments():
    p = Posicion.nueva(EJEMPLO)
    assert p.estado(date(2026, 2, 15)) == "VIGENTE"
    assert p.estado(date(2026, 2, 28)) == "EN_COBRANZA"


def test_it_opens_with_the_installments_paid_before_the_load():
    p = Posicion.nueva(EJEMPLO)
    p.abrir(periodos_pagados=10)
    assert p.cuotas_pagadas() == 10 and p.cuotas_por_pagar() == 38
    assert p.saldo_deudor_total(date(2026, 5, 31), Contexto()) == p.capital_insoluto


montos = st.decimals(min_value=D("0.01"), max_value=D("40000"), places=2)
dias = st.integers(min_value=0, max_value=800)


@settings(max_examples=150, deadline=None)
@given(pagos=st.lists(st.tuples(dias, montos), min_size=1, max_size=12), con_remesas=st.booleans())
def test_it_never_loses_or_creates_a_centavo(pagos, con_remesas):
    p = Posicion.nueva(EJEMPLO)
    contexto = Contexto(remesas=frozenset(Quincena(2026, n) for n in range(1, 25)) if con_remesas else frozenset())
    libro = []
    for dia, importe in pagos:
        fecha = date(2026, 1, 1) + timedelta(days=dia)
        antes = p.liquidacion(fecha, contexto)
        assert antes >= p.saldo_deudor_total(fecha, contexto) >= 0
        a = p.aplicar(fecha_valor=fecha, importe=importe, contexto=contexto)
        assert a.moratorios + a.interes + a.capital + a.excedente == importe
        assert min(a.moratorios, a.interes, a.capital, a.excedente) >= 0
        assert p.capital_insoluto >= 0
        assert p.capital_insoluto == sum(c.pendiente_capital for c in p.cuotas)
        assert all(c.pendiente >= 0 for c in p.cuotas)
        libro.append(Aplicacion.de_json(a.a_json(), fecha_valor=a.fecha_valor, importe=a.importe))
    # Replaying the ledger gives the same position.
    repetida = Posicion.derivar(EJEMPLO, libro)
    assert repetida == p
