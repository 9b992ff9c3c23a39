"""Amounts as people type them (docs/reglas.md §14, oficina/campos.py)."""

from decimal import Decimal as D

import pytest
from django import forms
from hypothesis import given, settings
from hypothesis import strategies as st

from oficina.campos import ImporteField, leer_importe


@pytest.mark.parametrize(
    ("texto", "importe"),
    [
        ("3000", "3000.00"),
        ("3000.5", "3000.50"),
        ("3,000", "3000.00"),
        ("3,000.00", "3000.00"),
        ("$3,000.00", "3000.00"),
        (" $ 3,000.00 ", "3000.00"),
        ("1,234,567.89", "1234567.89"),
        ("0.5", "0.50"),
    ],
)
def test_it_reads_what_people_type(texto, importe):
    assert leer_importe(texto) == D(importe)


@pytest.mark.parametrize(
    "texto",
    ["3.000,00", "30,00", "3,0000", "1.234.56", "３０００", "٣٠٠٠", "3000.123", "-5", "abc", "$", "3e3", "1,23"],
)
def test_it_refuses_anything_else(texto):
    assert leer_importe(texto) is None


def test_the_field_says_what_is_accepted():
    class F(forms.Form):
        importe = ImporteField()

    f = F({"importe": "3.000,00"})
    assert not f.is_valid() and "3,000.00" in f.errors["importe"][0]
    assert F({"importe": "$3,000"}).is_valid()


def test_an_amount_beyond_decimals_precision_is_too_big_not_an_error():
    """27 digits overflow the default 28-digit context when quantized; the form says "too big" (a 500 before)."""

    class F(forms.Form):
        importe = ImporteField()

    assert leer_importe("100000000000000000000000000") == D("100000000000000000000000000.00")
    # Any number of digits (the management command reads what it is given, no 40-character limit in front).
    assert leer_importe("9" * 200 + ".5") == D("9" * 200 + ".50")
    assert leer_importe("9" * 200 + ".5").as_tuple().exponent == -2
    f = F({"importe": "100000000000000000000000000"})
    assert not f.is_valid() and f.errors["importe"] == ["El importe es demasiado grande."]


@settings(max_examples=200, deadline=None)
@given(
    texto=st.one_of(
        st.from_regex(r"\$?[0-9]{1,400}(\.[0-9]{1,3})?", fullmatch=True),
        st.text(alphabet="0123456789,.$ ", max_size=60),
    )
)
def test_any_run_of_digits_is_an_amount_or_a_spanish_message_never_a_decimal_error(texto):
    campo = ImporteField()
    try:
        importe = campo.clean(texto)
    except forms.ValidationError as error:
        assert error.messages[0] in campo.error_messages.values()
    else:
        assert D("0.01") <= importe <= D("9999999999.99") and importe.as_tuple().exponent == -2
