"""An amount of 30 digits from outside (docs/reglas.md §8, §9): every CSV file kind with an amount column
refuses the whole file with the line and a Spanish reason and writes nothing — never a decimal error. The
forms (tests/test_campos.py, tests/test_robustez.py), the SPEI notification (tests/fopi/test_spei_fuzz.py),
`simular_abono` (tests/fopi/test_simular_abono.py), the payslip's CFDI (tests/recuperacion/test_cfdi.py) and
the dependencias' portal that reads a remesa before loading it (tests/dependencias/test_portal.py) are checked
beside their own tests."""

from datetime import date

import pytest
from django import forms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oficina.importacion import ArchivoRechazado, importar_archivo
from tests.fabricas import CURP_ALICE, FOLIO_ALICE
from tests.test_robustez import conteos

TREINTA = "9" * 30

# One valid row per file kind with an amount, `{importe}` where the amount goes.
FILAS = {
    "prestamos": (
        "folio,curp,tipo,importe,tasa_anual,plazo_quincenas,fecha_otorgamiento,primera_quincena,estado,"
        "quincenas_pagadas,fecha_liquidacion\n"
        f"20000000099,{CURP_ALICE},ORDINARIO,{{importe}},11.50,48,2025-12-20,2026-Q01,VIGENTE,0,\n"
    ),
    "remesa": f"clave_dependencia,quincena,folio,curp,importe\nSEP,2026-Q05,{FOLIO_ALICE},{CURP_ALICE},{{importe}}\n",
    "pagos": "banco,autorizacion,fecha_pago,referencia,importe\nBBVA,A1,2026-03-03,2000000000100150209224,{importe}\n",
}


def _rechazo(fila: str) -> str:
    antes = conteos()
    with pytest.raises(ArchivoRechazado) as rechazo:
        importar_archivo(fila.encode())
    assert conteos() == antes
    [error] = rechazo.value.errores
    return str(error)


@pytest.mark.django_db
@pytest.mark.parametrize("tipo", sorted(FILAS))
def test_a_30_digit_amount_refuses_the_file_with_its_line(prestamo_alice, hoy, tipo):
    hoy(date(2026, 3, 20))
    for importe in (TREINTA, f"{TREINTA}.99", f'"{int(TREINTA):,}"'):
        motivo = _rechazo(FILAS[tipo].format(importe=importe))
        assert motivo.startswith("línea 2:") and "«importe»" in motivo, motivo
    # The same row with an ordinary amount loads: what was refused was the amount.
    assert importar_archivo(FILAS[tipo].format(importe="1000.00").encode())


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tipo=st.sampled_from(sorted(FILAS)),
    enteros=st.integers(min_value=11, max_value=400),
    centavos=st.sampled_from(["", ".5", ".99", ".999"]),
    exponente=st.sampled_from(["", "e30", "E+28"]),
)
def test_any_overlong_amount_is_a_refusal_that_writes_nothing(prestamo_alice, tipo, enteros, centavos, exponente):
    motivo = _rechazo(FILAS[tipo].format(importe="9" * enteros + centavos + exponente))
    assert "«importe»" in motivo


@pytest.mark.django_db
def test_a_30_digit_moratorio_factor_in_the_admin_is_a_form_error_and_saves_nothing(cliente_staff):
    """The only amount-like number the admin edits (ParametroMora.factor, a model DecimalField)."""
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from prestamos.models import ParametroMora

    antes = ParametroMora.objects.count()
    manana = (timezone.localdate() + timedelta(days=1)).isoformat()
    for factor in (TREINTA, f"{TREINTA}.99", "1e30"):
        respuesta = cliente_staff.post(
            reverse("admin:prestamos_parametromora_add"), {"vigente_desde": manana, "dias_gracia": 5, "factor": factor}
        )
        assert respuesta.status_code == 200 and "errorlist" in respuesta.content.decode()
        assert ParametroMora.objects.count() == antes


@pytest.mark.parametrize("formulario", ["FopiForm", "ResolverAclaracionForm", "AclaracionForm"])
def test_the_amount_forms_say_too_big_for_30_digits(formulario):
    from fopi import forms as fopi_forms
    from recuperacion import formularios

    clase = getattr(fopi_forms, formulario, None) or getattr(formularios, formulario)
    campo = clase.base_fields["importe"]
    sin_comas, con_comas = TREINTA, f"${int(TREINTA):,}"  # 40 characters: the longest the field reads
    assert len(con_comas) == 40
    for importe in (sin_comas, con_comas, f"{TREINTA}.99"):
        with pytest.raises(forms.ValidationError) as error:
            campo.clean(importe)
        assert error.value.messages == ["El importe es demasiado grande."]
