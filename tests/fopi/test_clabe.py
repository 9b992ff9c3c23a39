"""CLABE (fopi/clabe.py): docs/reglas.md §11 check digit, our STP accounts, and any bank's CLABE for refunds."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fopi.clabe import NUMERO_MAXIMO, clabe_agrupada, clabe_para, digito_verificador, es_clabe_valida

numeros = st.integers(min_value=1, max_value=NUMERO_MAXIMO)
prefijos = st.text(alphabet="0123456789", min_size=4, max_size=4)


def test_it_computes_the_spec_worked_example():
    assert digito_verificador("03218000011835971") == "9"
    assert es_clabe_valida("032180000118359719")


@pytest.mark.parametrize(
    "clabe",
    [
        "002010077777777771",  # Banamex, the example of Banxico's CLABE leaflet
        "646180201000000015",  # ours: STP, plaza 180, prefix 2010, FOPI number 1
    ],
)
def test_it_accepts_any_banks_clabe_with_its_check_digit(clabe):
    assert es_clabe_valida(clabe)


@pytest.mark.parametrize(
    "texto",
    [
        "032180000118359718",  # wrong check digit
        "03218000011835971",  # 17 digits
        "0321800001183597190",  # 19 digits
        "03218000011835971 9",
        "032-180000118359719",
        "０３２180000118359719",  # full-width digits
        "٠٣٢180000118359719",  # Arabic-Indic digits: int() reads them, a CLABE must not
        "",
        None,
        32180000118359719,
    ],
)
def test_it_refuses_what_is_not_an_18_ascii_digit_clabe(texto):
    assert not es_clabe_valida(texto)


def test_it_builds_our_stp_clabe_from_the_prefix_and_the_fopi_number():
    clabe = clabe_para(1234567, prefijo="2010")
    assert clabe[:17] == "64618020101234567" and es_clabe_valida(clabe)
    assert clabe_agrupada(clabe) == ("646", "180", "20101234567", clabe[-1])


@pytest.mark.parametrize("numero", [0, -1, NUMERO_MAXIMO + 1, True, "12", 1.0])
def test_it_refuses_a_number_outside_seven_digits(numero):
    with pytest.raises(ValueError):
        clabe_para(numero)


@pytest.mark.parametrize("prefijo", ["201", "20100", "2O10", "٢٠١٠", 2010])
def test_it_refuses_a_prefix_that_is_not_four_digits(prefijo):
    with pytest.raises(ValueError):
        clabe_para(1, prefijo=prefijo)


@given(numeros, prefijos)
def test_every_clabe_issued_is_valid_stp_and_carries_its_number(numero, prefijo):
    clabe = clabe_para(numero, prefijo=prefijo)
    assert es_clabe_valida(clabe)
    assert clabe.startswith("646180" + prefijo) and int(clabe[10:17]) == numero


@given(st.sets(numeros, min_size=2, max_size=50), prefijos)
def test_different_fopis_never_share_a_clabe(numeros_fopi, prefijo):
    assert len({clabe_para(n, prefijo=prefijo) for n in numeros_fopi}) == len(numeros_fopi)


@given(numeros, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_any_one_digit_breaks_the_check_digit(numero, posicion, delta):
    clabe = clabe_para(numero)
    alterada = clabe[:posicion] + str((int(clabe[posicion]) + delta) % 10) + clabe[posicion + 1 :]
    assert not es_clabe_valida(alterada)
