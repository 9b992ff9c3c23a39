"""FOPI bank reference (fopi/referencia.py): docs/reglas.md §7 "base 97 con fecha e importe condensados"."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fopi.referencia import (
    ReferenciaDesarmada,
    coincide,
    construir_referencia,
    desarmar_referencia,
    digito_importe,
    digitos_verificadores,
    fecha_condensada,
    fecha_de_condensada,
    referencia_valida,
    vigencia_para,
)

D = Decimal
EJEMPLO = "2000000000100150209224"

folios = st.text(alphabet="0123456789", min_size=11, max_size=11)
secuencias = st.integers(min_value=1, max_value=999)
vigencias = st.dates(min_value=date(2013, 1, 1), max_value=date(2039, 11, 18))
importes = st.integers(min_value=1, max_value=999_999_999).map(lambda c: D(c) / 100)


@st.composite
def referencias(draw):
    return construir_referencia(
        folio=draw(folios), secuencia=draw(secuencias), vigencia=draw(vigencias), importe=draw(importes)
    )


def test_it_builds_the_spec_worked_example():
    assert fecha_condensada(date(2026, 6, 30)) == "5020"
    assert digito_importe(D("1234.56")) == "9"
    assert digitos_verificadores("20000000001001" + "5020" + "9" + "2") == "24"
    referencia = construir_referencia(
        folio="20000000001", secuencia=1, vigencia=date(2026, 6, 30), importe=D("1234.56")
    )
    assert referencia == EJEMPLO
    assert referencia_valida(referencia)
    assert coincide(referencia=referencia, vigencia=date(2026, 6, 30), importe=D("1234.56"))


def test_it_takes_a_reference_apart():
    assert desarmar_referencia(EJEMPLO) == ReferenciaDesarmada(
        folio="20000000001",
        secuencia=1,
        fecha_condensada="5020",
        vigencia=date(2026, 6, 30),
        digito_importe="9",
    )


# --- Parts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dia", "codigo"),
    [
        (date(2013, 1, 1), "0000"),
        (date(2013, 1, 31), "0030"),
        (date(2013, 2, 1), "0031"),
        (date(2014, 1, 1), "0372"),
        (date(2026, 6, 30), "5020"),
        (date(2039, 11, 18), "9999"),
    ],
)
def test_it_condenses_dates(dia, codigo):
    assert fecha_condensada(dia) == codigo
    assert fecha_de_condensada(codigo) == dia


@pytest.mark.parametrize("dia", [date(2012, 12, 31), date(2039, 11, 19), date(2040, 1, 1)])
def test_it_refuses_dates_that_do_not_fit_in_four_digits(dia):
    with pytest.raises(ValueError):
        fecha_condensada(dia)


@pytest.mark.parametrize("codigo", ["5021", "0059", "123", "12a4"])  # 31 June, 29 Feb 2013, malformed
def test_it_refuses_condensed_codes_that_are_not_a_day(codigo):
    with pytest.raises(ValueError):
        fecha_de_condensada(codigo)


@given(vigencias)
def test_it_condenses_every_vigencia_reversibly(dia):
    assert fecha_de_condensada(fecha_condensada(dia)) == dia


@pytest.mark.parametrize(
    ("importe", "digito"),
    [
        (D("1234.56"), "9"),  # 6·7 + 5·3 + 4·1 + 3·7 + 2·3 + 1·1 = 89
        (D("0.01"), "7"),
        (D("0.10"), "3"),
        (D("1.00"), "1"),
        (D("100.00"), "3"),  # 10000 centavos: the 1 falls on the fifth weight, 3
        (D("100"), "3"),
        (D("0"), "0"),
    ],
)
def test_it_condenses_the_amount_into_one_digit(importe, digito):
    assert digito_importe(importe) == digito


@pytest.mark.parametrize("importe", [D("-1.00"), D("1.005")])
def test_it_refuses_amounts_that_are_not_whole_centavos(importe):
    with pytest.raises(ValueError):
        digito_importe(importe)


@pytest.mark.parametrize(
    ("argumentos", "mensaje"),
    [
        ({"folio": "2000000000", "secuencia": 1}, "11 dígitos"),
        ({"folio": "200000000011", "secuencia": 1}, "11 dígitos"),
        ({"folio": "2000000000A", "secuencia": 1}, "11 dígitos"),
        ({"folio": "20000000001", "secuencia": 0}, "entre 1 y 999"),
        ({"folio": "20000000001", "secuencia": 1000}, "entre 1 y 999"),
    ],
)
def test_it_refuses_a_malformed_base(argumentos, mensaje):
    with pytest.raises(ValueError, match=mensaje):
        construir_referencia(**argumentos, vigencia=date(2026, 6, 30), importe=D("1234.56"))


@pytest.mark.parametrize(
    "referencia",
    [
        "",
        EJEMPLO[:-1],
        EJEMPLO + "0",
        EJEMPLO[:10] + "x" + EJEMPLO[11:],
        EJEMPLO[:19] + "3" + digitos_verificadores(EJEMPLO[:19] + "3"),  # right DD, wrong constant
    ],
)
def test_it_rejects_malformed_references(referencia):
    assert not referencia_valida(referencia)
    with pytest.raises(ValueError, match="Referencia inválida"):
        desarmar_referencia(referencia)


# --- Properties ---------------------------------------------------------------------------------------


@given(folio=folios, secuencia=secuencias, vigencia=vigencias, importe=importes)
def test_it_builds_references_that_validate_and_come_apart(folio, secuencia, vigencia, importe):
    referencia = construir_referencia(folio=folio, secuencia=secuencia, vigencia=vigencia, importe=importe)
    assert len(referencia) == 22
    assert referencia_valida(referencia)
    assert coincide(referencia=referencia, vigencia=vigencia, importe=importe)
    partes = desarmar_referencia(referencia)
    assert (partes.folio, partes.secuencia, partes.vigencia) == (folio, secuencia, vigencia)


def _con_digito(referencia: str, posicion: int, digito: str) -> str:
    return referencia[:posicion] + digito + referencia[posicion + 1 :]


@given(referencias(), st.integers(min_value=0, max_value=21), st.integers(min_value=1, max_value=9))
def test_it_catches_any_single_digit_change(referencia, posicion, desplazamiento):
    # Holds for every position: the change moves the weighted sum by w·Δ with w in {11,13,17,19,23} and
    # 0 < |Δ| ≤ 9, never a multiple of the prime 97; a change inside DD simply stops matching.
    digito = str((int(referencia[posicion]) + desplazamiento) % 10)
    assert not referencia_valida(_con_digito(referencia, posicion, digito))


def test_it_catches_every_single_digit_change_of_the_example():
    for posicion in range(22):
        for digito in "0123456789":
            if digito != EJEMPLO[posicion]:
                assert not referencia_valida(_con_digito(EJEMPLO, posicion, digito)), (posicion, digito)


@given(referencias(), st.integers(min_value=0, max_value=18))
def test_it_catches_swapped_neighbours_before_the_check_digits(referencia, posicion):
    # Neighbouring weights differ by 2, 4 or 12, so a swap moves the sum by a non-multiple of 97.
    a, b = referencia[posicion], referencia[posicion + 1]
    cambiada = referencia[:posicion] + b + a + referencia[posicion + 2 :]
    assert referencia_valida(cambiada) == (a == b)


@given(folio=folios, secuencia=secuencias, vigencia=vigencias, otra=vigencias, importe=importes)
def test_it_notices_a_different_vigencia(folio, secuencia, vigencia, otra, importe):
    referencia = construir_referencia(folio=folio, secuencia=secuencia, vigencia=vigencia, importe=importe)
    assert coincide(referencia=referencia, vigencia=otra, importe=importe) == (otra == vigencia)


@given(importe=importes, posicion=st.integers(min_value=0, max_value=8), desplazamiento=st.integers(1, 9))
def test_it_notices_an_amount_with_one_digit_different(importe, posicion, desplazamiento):
    # Weights 7, 3, 1 are coprime with 10, so changing one digit of the centavos always changes I.
    centavos = f"{int(importe * 100):09d}"
    digito = str((int(centavos[posicion]) + desplazamiento) % 10)
    otro = D(int(centavos[:posicion] + digito + centavos[posicion + 1 :])) / 100
    referencia = construir_referencia(
        folio="20000000001", secuencia=1, vigencia=date(2026, 6, 30), importe=importe
    )
    assert not coincide(referencia=referencia, vigencia=date(2026, 6, 30), importe=otro)


def test_it_cannot_tell_apart_amounts_with_the_same_digit():
    # One digit mod 10: the amount check is a guard against typos, not proof of the amount;
    # the import still compares the paid amount with the FOPI's stored amount (docs/reglas.md §7).
    assert digito_importe(D("1234.56")) == digito_importe(D("1237.46"))
    assert coincide(referencia=EJEMPLO, vigencia=date(2026, 6, 30), importe=D("1237.46"))
    assert not coincide(referencia=EJEMPLO, vigencia=date(2026, 6, 30), importe=D("1234.57"))


def test_it_does_not_match_an_invalid_reference():
    cambiada = _con_digito(EJEMPLO, 0, "3")
    assert not coincide(referencia=cambiada, vigencia=date(2026, 6, 30), importe=D("1234.56"))


# --- Vigencia -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hoy", "vigencia"),
    [
        (date(2026, 6, 16), date(2026, 6, 30)),
        (date(2026, 6, 27), date(2026, 6, 30)),  # exactly 3 days left: still this quincena
        (date(2026, 6, 28), date(2026, 7, 15)),  # 2 days left: the next one
        (date(2026, 6, 30), date(2026, 7, 15)),
        (date(2026, 6, 1), date(2026, 6, 15)),
        (date(2026, 6, 12), date(2026, 6, 15)),
        (date(2026, 6, 13), date(2026, 6, 30)),
        (date(2026, 12, 29), date(2027, 1, 15)),  # across the year
        (date(2026, 2, 25), date(2026, 2, 28)),
        (date(2026, 2, 26), date(2026, 3, 15)),
        (date(2024, 2, 26), date(2024, 2, 29)),  # leap year
    ],
)
def test_it_gives_at_least_three_days_to_pay(hoy, vigencia):
    assert vigencia_para(hoy) == vigencia


@given(st.dates(min_value=date(2013, 1, 1), max_value=date(2039, 10, 31)))
def test_it_always_leaves_three_to_about_eighteen_days(hoy):
    dias = (vigencia_para(hoy) - hoy).days
    assert 3 <= dias <= 18
    assert vigencia_para(hoy).day in (15, 28, 29, 30, 31)
