from datetime import date

import pytest
from django.core.exceptions import ValidationError

from oficina.identidad import validar_curp

HOY = date(2026, 11, 26)


@pytest.mark.parametrize(
    "entrada, esperada",
    [
        ("GAML850312MDFRPR02", "GAML850312MDFRPR02"),
        ("  gaml850312mdfrpr02 ", "GAML850312MDFRPR02"),  # lower case and spaces
        ("GAML 8503 12MD FRPR02", "GAML850312MDFRPR02"),
        ("SAFM920214HNEXRR01", "SAFM920214HNEXRR01"),  # NE: born abroad
        ("MEDA010203MDFNZNA1", "MEDA010203MDFNZNA1"),  # 17th char a letter: born 2001
        ("BOXW310820HNERXN09", "BOXW310820HNERXN09"),
    ],
)
def test_it_accepts_valid_curps(entrada, esperada):
    assert validar_curp(entrada, hoy=HOY) == esperada


@pytest.mark.parametrize(
    "entrada, codigo",
    [
        ("GAML850312MDFRPR0", "longitud"),
        ("GAML850312MDFRPR021", "longitud"),
        ("", "longitud"),
        ("G4ML850312MDFRPR02", "iniciales"),
        ("GAML85O312MDFRPR02", "fecha_formato"),
        ("GAML850312XDFRPR02", "sexo"),
        ("GAML850312MXXRPR02", "entidad"),
        ("GAML850312MDF1PR02", "consonantes"),
        ("GAML850312MDFRPR#2", "siglo"),
        ("GAML850312MDFRPRA2", "fecha_futura"),  # letter = born 2085: in the future
        ("GAML850312MDFRPR0X", "digito"),
        ("GAML851312MDFRPR02", "fecha_invalida"),  # month 13
        ("GAML850230MDFRPR02", "fecha_invalida"),  # 30 February
        ("GAML850312MDFRPR03", "verificador"),
        ("MEDA150203MDFNZNA1", "menor"),  # born 2015: 11 years old
        ("MEDA150203MDFNZN01", "verificador"),  # digit = 1915: adult, check digit wrong
    ],
)
def test_it_refuses_each_kind_of_invalid_curp_with_its_own_code(entrada, codigo):
    with pytest.raises(ValidationError) as exc:
        validar_curp(entrada, hoy=HOY)
    assert exc.value.code == codigo
    assert exc.value.messages[0]  # a Spanish message for the form


def test_it_reads_the_century_from_the_17th_character():
    from oficina.identidad import fecha_nacimiento

    assert fecha_nacimiento("MEDA010203MDFNZNA1") == date(2001, 2, 3)
    assert fecha_nacimiento("GAML850312MDFRPR02") == date(1985, 3, 12)


def test_it_messages_are_spanish():
    with pytest.raises(ValidationError) as exc:
        validar_curp("GAML850312MDFRPR03", hoy=HOY)
    assert "dígito verificador" in exc.value.messages[0]
