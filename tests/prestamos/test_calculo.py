"""Loan mathematics (prestamos/calculo.py): docs/reglas.md §4–§6 worked examples, quincenas, properties."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oficina.dinero import CENTAVO, round2
from oficina.formatos import formato_fecha, formato_moneda
from prestamos.calculo import (
    Quincena,
    cuota_fija,
    interes_devengado,
    moratorio,
    proyectar,
    tabla_amortizacion,
    tasa_periodica,
)

D = Decimal

principales = st.integers(min_value=100_000, max_value=50_000_000).map(lambda c: D(c) / 100)
tasas = st.integers(min_value=0, max_value=3000).map(lambda c: D(c) / 100)
plazos = st.integers(min_value=1, max_value=240)
quincenas = st.builds(Quincena, anio=st.integers(2000, 2100), numero=st.integers(1, 24))


# --- round2 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valor", "esperado"),
    [
        (D("1.005"), D("1.01")),
        (D("1.0049999"), D("1.00")),
        (D("-1.005"), D("-1.01")),
        (D("2.675"), D("2.68")),
        (D("7"), D("7.00")),
        (3, D("3.00")),
    ],
)
def test_it_rounds_half_up_to_centavos(valor, esperado):
    assert round2(valor) == esperado
    assert round2(valor).as_tuple().exponent == CENTAVO.as_tuple().exponent


def test_it_refuses_floats():
    with pytest.raises(TypeError):
        round2(1.005)


# --- Quincena -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codigo", "anio", "numero"),
    [("2026-Q12", 2026, 12), ("2026-Q01", 2026, 1), ("1999-Q24", 1999, 24), ("  2026-Q03 \n", 2026, 3)],
)
def test_it_parses_and_formats_quincenas(codigo, anio, numero):
    quincena = Quincena.parse(codigo)
    assert quincena == Quincena(anio=anio, numero=numero)
    assert str(quincena) == codigo.strip()


@pytest.mark.parametrize(
    "codigo",
    ["2026-Q00", "2026-Q25", "2026-Q1", "2026-q12", "2026Q12", "26-Q12", "2026-Q123", "2026-12", "", "2026-Q1 2"],
)
def test_it_rejects_malformed_quincena_codes(codigo):
    with pytest.raises(ValueError, match="Quincena inválida|número de quincena"):
        Quincena.parse(codigo)


@pytest.mark.parametrize("numero", [0, 25, -1])
def test_it_rejects_quincena_numbers_outside_1_to_24(numero):
    with pytest.raises(ValueError, match="entre 1 y 24"):
        Quincena(anio=2026, numero=numero)


@pytest.mark.parametrize(
    ("codigo", "inicio", "vencimiento"),
    [
        ("2026-Q12", date(2026, 6, 16), date(2026, 6, 30)),
        ("2026-Q11", date(2026, 6, 1), date(2026, 6, 15)),
        ("2026-Q01", date(2026, 1, 1), date(2026, 1, 15)),
        ("2026-Q02", date(2026, 1, 16), date(2026, 1, 31)),
        ("2026-Q04", date(2026, 2, 16), date(2026, 2, 28)),
        ("2024-Q04", date(2024, 2, 16), date(2024, 2, 29)),
        ("2000-Q04", date(2000, 2, 16), date(2000, 2, 29)),
        ("2100-Q04", date(2100, 2, 16), date(2100, 2, 28)),
        ("2026-Q24", date(2026, 12, 16), date(2026, 12, 31)),
    ],
)
def test_it_knows_when_each_quincena_starts_and_is_due(codigo, inicio, vencimiento):
    quincena = Quincena.parse(codigo)
    assert quincena.inicio == inicio
    assert quincena.vencimiento == vencimiento


def test_it_describes_a_quincena_with_its_dates():
    assert Quincena.parse("2026-Q12").descripcion == "2ª quincena de junio de 2026, del 16 al 30 de junio"


@pytest.mark.parametrize(
    ("codigo", "n", "esperado"),
    [
        ("2026-Q24", 1, "2027-Q01"),
        ("2026-Q01", -1, "2025-Q24"),
        ("2026-Q12", 0, "2026-Q12"),
        ("2026-Q12", 48, "2028-Q12"),
        ("2026-Q12", 13, "2027-Q01"),
    ],
)
def test_it_adds_and_subtracts_quincenas_across_years(codigo, n, esperado):
    quincena = Quincena.parse(codigo)
    assert str(quincena + n) == esperado
    assert str(Quincena.parse(esperado) - n) == codigo
    assert Quincena.parse(esperado) - quincena == n


def test_it_orders_quincenas_by_time():
    assert Quincena.parse("2025-Q24") < Quincena.parse("2026-Q01") < Quincena.parse("2026-Q02")


@pytest.mark.parametrize(
    ("dia", "codigo"),
    [
        (date(2026, 6, 15), "2026-Q11"),
        (date(2026, 6, 16), "2026-Q12"),
        (date(2026, 6, 30), "2026-Q12"),
        (date(2026, 1, 1), "2026-Q01"),
        (date(2024, 2, 29), "2024-Q04"),
        (date(2026, 12, 31), "2026-Q24"),
    ],
)
def test_it_finds_the_quincena_of_a_day(dia, codigo):
    assert str(Quincena.de_fecha(dia)) == codigo


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_it_places_every_day_inside_its_quincena(dia):
    quincena = Quincena.de_fecha(dia)
    assert quincena.inicio <= dia <= quincena.vencimiento
    assert Quincena.de_fecha(quincena.inicio) == quincena
    assert Quincena.de_fecha(quincena.vencimiento) == quincena
    # Quincenas tile the calendar: the day after the due date starts the next one.
    assert (quincena + 1).inicio == quincena.vencimiento + timedelta(days=1)


@given(quincenas)
def test_it_round_trips_codes(quincena):
    assert Quincena.parse(str(quincena)) == quincena


@given(quincenas, st.integers(-500, 500))
def test_it_keeps_quincena_arithmetic_consistent(quincena, n):
    assert (quincena + n) - quincena == n
    assert (quincena + n) - n == quincena


# --- Amortization -------------------------------------------------------------------------------------


def test_it_computes_the_spec_worked_example():
    tabla = tabla_amortizacion(
        principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48, primer_periodo=Quincena.parse("2026-Q12")
    )
    assert cuota_fija(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=48) == D("701.12")
    assert len(tabla) == 48

    primero, ultimo = tabla[0], tabla[-1]
    assert (primero.numero, primero.cuota, primero.interes, primero.capital, primero.saldo_final) == (
        1, D("701.12"), D("143.75"), D("557.37"), D("29442.63"),
    )  # fmt: skip
    assert primero.periodo == Quincena.parse("2026-Q12")
    assert primero.vencimiento == date(2026, 6, 30)
    assert (ultimo.numero, ultimo.cuota, ultimo.interes, ultimo.capital, ultimo.saldo_final) == (
        48, D("700.95"), D("3.34"), D("697.61"), D("0.00"),
    )  # fmt: skip
    assert ultimo.periodo == Quincena.parse("2028-Q11")
    assert sum(r.interes for r in tabla) == D("3653.59")
    assert all(r.cuota == D("701.12") for r in tabla[:-1])


def test_it_keeps_the_full_precision_quincenal_rate():
    assert tasa_periodica(D("12")) == D("0.005")
    assert tasa_periodica(D("11.50")) * 24 * 100 == D("11.50")


@pytest.mark.parametrize(
    ("principal", "plazo", "cuota"),
    [(D("1000.00"), 3, D("333.33")), (D("1000.00"), 6, D("166.67")), (D("500.00"), 1, D("500.00"))],
)
def test_it_splits_a_zero_rate_loan_evenly(principal, plazo, cuota):
    assert cuota_fija(principal=principal, tasa_anual=D("0"), plazo=plazo) == cuota


def test_it_rejects_a_term_of_zero():
    with pytest.raises(ValueError):
        cuota_fija(principal=D("1000.00"), tasa_anual=D("9"), plazo=0)


@given(principal=principales, tasa=tasas, plazo=plazos)
def test_it_amortizes_exactly_the_principal(principal, tasa, plazo):
    tabla = tabla_amortizacion(
        principal=principal, tasa_anual=tasa, plazo=plazo, primer_periodo=Quincena.parse("2026-Q01")
    )
    assert len(tabla) == plazo
    assert sum(r.capital for r in tabla) == principal
    assert tabla[-1].saldo_final == 0
    assert all(r.saldo_final >= 0 for r in tabla)
    assert [r.numero for r in tabla] == list(range(1, plazo + 1))
    for anterior, siguiente in zip(tabla, tabla[1:]):
        assert siguiente.saldo_inicial == anterior.saldo_final
        assert siguiente.periodo == anterior.periodo + 1
    for r in tabla:
        assert r.cuota == r.interes + r.capital
        assert r.saldo_final == r.saldo_inicial - r.capital
        # Exactly: saldo × tasa / 2400, rounded half up once (docs/reglas.md §5), checked with fractions.
        exacto = Fraction(r.saldo_inicial) * Fraction(tasa) / 2400 * 100
        assert r.interes == Decimal(int(exacto) + (1 if exacto - int(exacto) >= Fraction(1, 2) else 0)) / 100


@given(principal=principales, tasa=tasas, plazo=plazos, abono=st.integers(min_value=1, max_value=10_000_000))
def test_it_shortens_the_term_when_the_saldo_is_lower(principal, tasa, plazo, abono):
    cuota = cuota_fija(principal=principal, tasa_anual=tasa, plazo=plazo)
    comun = dict(tasa_anual=tasa, cuota=cuota, primer_periodo=Quincena.parse("2026-Q05"), primer_numero=1)
    menor = max(principal - D(abono) / 100, D("0.00"))
    original = proyectar(saldo=principal, ultimo_numero=plazo, **comun)
    con_abono = proyectar(saldo=menor, ultimo_numero=plazo, **comun)
    assert len(con_abono) <= len(original)
    assert sum(r.capital for r in con_abono) == menor


def test_it_projects_from_a_later_installment():
    renglones = proyectar(
        saldo=D("1000.00"),
        tasa_anual=D("12"),
        cuota=D("400.00"),
        primer_periodo=Quincena.parse("2026-Q23"),
        primer_numero=10,
        ultimo_numero=48,
    )
    assert [(r.numero, str(r.periodo), r.interes, r.capital, r.saldo_final) for r in renglones] == [
        (10, "2026-Q23", D("5.00"), D("395.00"), D("605.00")),
        (11, "2026-Q24", D("3.03"), D("396.97"), D("208.03")),
        (12, "2027-Q01", D("1.04"), D("208.03"), D("0.00")),
    ]
    assert renglones[-1].cuota == D("209.07")


def test_it_charges_everything_left_on_the_last_allowed_installment():
    renglones = proyectar(
        saldo=D("1000.00"),
        tasa_anual=D("12"),
        cuota=D("100.00"),
        primer_periodo=Quincena.parse("2026-Q01"),
        primer_numero=47,
        ultimo_numero=48,
    )
    assert [r.numero for r in renglones] == [47, 48]
    assert renglones[-1].capital == renglones[-1].saldo_inicial
    assert renglones[-1].saldo_final == 0


def test_it_projects_nothing_for_a_paid_loan():
    assert (
        proyectar(
            saldo=D("0.00"),
            tasa_anual=D("11.50"),
            cuota=D("701.12"),
            primer_periodo=Quincena.parse("2026-Q12"),
            primer_numero=5,
            ultimo_numero=48,
        )
        == []
    )


# --- Moratorios and accrued interest ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("importe", "dias", "esperado"),
    [
        (D("1402.24"), 20, D("13.44")),  # docs/reglas.md §6 worked example: two cuotas of 701.12
        (D("701.12"), 20, D("6.72")),
        (D("1402.24"), 0, D("0.00")),
        (D("1402.24"), -5, D("0.00")),
        (D("1402.24"), 360, D("241.89")),
    ],
)
def test_it_computes_moratorios(importe, dias, esperado):
    assert moratorio(importe_vencido=importe, tasa_anual=D("11.50"), factor=D("1.5"), dias=dias) == esperado


@pytest.mark.parametrize(
    ("desde", "hasta", "esperado"),
    [
        (date(2026, 6, 30), date(2026, 7, 10), D("95.83")),  # 30,000 × 11.5 % × 10 / 360
        (date(2026, 6, 30), date(2026, 6, 30), D("0.00")),
        (date(2026, 7, 10), date(2026, 6, 30), D("0.00")),
    ],
)
def test_it_accrues_ordinary_interest_by_actual_days_over_360(desde, hasta, esperado):
    assert interes_devengado(capital=D("30000.00"), tasa_anual=D("11.50"), desde=desde, hasta=hasta) == esperado


# --- Formatting ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("importe", "texto"),
    [
        (D("30000"), "$30,000.00"),
        (D("0"), "$0.00"),
        (D("0.5"), "$0.50"),
        (D("999.995"), "$1,000.00"),
        (D("1234567.891"), "$1,234,567.89"),
        (D("-1234.56"), "-$1,234.56"),
        (D("-0.001"), "$0.00"),
    ],
)
def test_it_formats_pesos(importe, texto):
    assert formato_moneda(importe) == texto


@pytest.mark.parametrize(
    ("dia", "texto"), [(date(2026, 6, 30), "30/06/2026"), (date(2026, 1, 5), "05/01/2026")]
)
def test_it_formats_dates_day_first(dia, texto):
    assert formato_fecha(dia) == texto
