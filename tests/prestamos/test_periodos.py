"""Payroll periods (docs/reglas.md §4, §12): a quincena and a month are one value object with two kinds."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prestamos.calculo import Mes, Periodo, Quincena, cuota_fija, periodo, tabla_amortizacion

CLASES = st.sampled_from([Quincena, Mes])


@st.composite
def periodos(draw, clase=None):
    clase = clase or draw(CLASES)
    return clase(anio=draw(st.integers(min_value=1990, max_value=2100)), numero=draw(st.integers(1, clase.POR_ANIO)))


@given(periodos())
def test_every_period_has_one_due_date_inside_it_and_reads_back_from_its_code(p):
    assert p.inicio <= p.vencimiento
    assert type(p).de_fecha(p.inicio) == p == type(p).de_fecha(p.vencimiento)
    assert periodo(str(p)) == p and type(p).parse(str(p)) == p


@given(periodos())
def test_periods_are_contiguous_and_ordered(p):
    siguiente = p + 1
    assert siguiente.inicio == p.vencimiento + timedelta(days=1)
    assert p < siguiente and siguiente - p == 1


@given(periodos(), st.integers(min_value=-500, max_value=500))
def test_adding_and_subtracting_round_trip(p, n):
    assert (p + n) - n == p
    assert (p + n) - p == n


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)), CLASES)
def test_every_day_belongs_to_exactly_one_period_of_each_kind(d, clase):
    p = clase.de_fecha(d)
    assert p.inicio <= d <= p.vencimiento


def test_a_month_covers_the_whole_month_and_is_due_on_its_last_day():
    junio = Mes.parse("2026-M06")
    assert (junio.inicio, junio.vencimiento) == (date(2026, 6, 1), date(2026, 6, 30))
    assert junio.descripcion == "junio de 2026"
    assert Mes.parse("2028-M02").vencimiento == date(2028, 2, 29)
    assert (Mes(2026, 12) + 1, Mes(2026, 1) - 1) == (Mes(2027, 1), Mes(2025, 12))


def test_the_kinds_do_not_mix():
    with pytest.raises(ValueError, match="Se esperaba quincena"):
        Quincena.parse("2026-M06")
    with pytest.raises(ValueError, match="número de mes debe estar entre 1 y 12"):
        Mes.parse("2026-M13")
    with pytest.raises(TypeError):
        Quincena(2026, 1) < Mes(2026, 1)  # noqa: B015 — the comparison itself must fail
    with pytest.raises(TypeError):
        Quincena(2026, 1) - Mes(2026, 1)
    assert isinstance(periodo("2026-Q12"), Quincena) and isinstance(periodo("2026-M06"), Mes)
    assert Periodo.parse(Mes(2026, 6)) == Mes(2026, 6)


@pytest.mark.parametrize("codigo", ["2026-m06", "2026-M6", "2026M06", "2026-M00", "٢٠٢٦-M06", "2026-X06", ""])
def test_it_reads_codes_strictly(codigo):
    with pytest.raises(ValueError):
        periodo(codigo)


def test_the_monthly_worked_example():
    """30,000.00 at 11.50 % over 24 months (docs/reglas.md §12)."""
    assert cuota_fija(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=24, por_anio=12) == D("1405.21")
    tabla = tabla_amortizacion(principal=D("30000.00"), tasa_anual=D("11.50"), plazo=24, primer_periodo=Mes(2026, 1))
    primero, ultimo = tabla[0], tabla[-1]
    assert (primero.interes, primero.capital, primero.saldo_final) == (D("287.50"), D("1117.71"), D("28882.29"))
    assert (len(tabla), ultimo.cuota, ultimo.saldo_final) == (24, D("1405.20"), D("0.00"))
    assert sum(r.interes for r in tabla) == D("3725.03")
    assert [r.periodo for r in tabla[:2]] == [Mes(2026, 1), Mes(2026, 2)] and ultimo.vencimiento == date(2027, 12, 31)
