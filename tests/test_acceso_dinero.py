"""Issue "Identity and access": the findings about money and input (FOPI sequence and throttle, moratorio
parameters, digits, importer errors, admin forms). Each failed before its fix."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fopi.models import Fopi, PagoBancario
from fopi.services import FOPIS_POR_DIA, fopi_emitir
from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos.models import Dependencia, Derechohabiente, ParametroMora, Prestamo
from tests.fabricas import CURP_ALICE, CURP_BOB, ENCABEZADO_PRESTAMOS, FOLIO_ALICE

HOY = date(2026, 6, 5)


@pytest.mark.django_db
def test_a_borrower_is_throttled_but_staff_issue_on_her_behalf(prestamo_alice, staff, hoy):
    hoy(HOY)
    for _ in range(FOPIS_POR_DIA):
        fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=HOY, usuario=prestamo_alice.derechohabiente.usuario)
    with pytest.raises(ValidationError, match="Usa el más reciente"):
        fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=HOY, usuario=prestamo_alice.derechohabiente.usuario)
    assert Fopi.objects.filter(estado="PENDIENTE").count() == 1  # the last one still pays
    fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=HOY, usuario=staff)


@pytest.mark.django_db
def test_the_sequence_never_locks_a_loan_out_of_paying_and_a_reused_number_takes_no_money(prestamo_alice, hoy):
    hoy(HOY)
    antiguo = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=HOY)
    # 998 more issued and cancelled over the years: every number up to 999 has been used once.
    Fopi.objects.bulk_create(
        Fopi(prestamo=prestamo_alice, secuencia=n, tipo="PARCIAL", importe=D("100.00") + n, vigencia=date(2020, 1, 15),
             referencia=f"{FOLIO_ALICE}{n:03d}9999{n % 10}2{n % 97:02d}", estado="CANCELADO")
        for n in range(2, 1000)
    )
    Fopi.objects.filter(secuencia__gte=2).update(emitido=timezone.now() - timedelta(days=400))
    nuevo = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=HOY)
    assert Fopi.objects.get(pk=antiguo.pk).estado == "CANCELADO"
    assert nuevo.secuencia == 1 and nuevo.referencia != antiguo.referencia  # number 1 again, another reference
    # Someone pays the old, cancelled slip: it goes to review; the new FOPI stays payable.
    importar_archivo(
        f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,V1,{HOY},{antiguo.referencia},500.00\n".encode()
    )
    pago = PagoBancario.objects.get()
    assert pago.estado == "EN_REVISION" and pago.fopi_id == antiguo.pk
    assert Fopi.objects.get(pk=nuevo.pk).estado == "PENDIENTE"


@pytest.mark.django_db
def test_moratorio_parameters_take_effect_from_tomorrow_only(cliente_staff):
    url = reverse("admin:prestamos_parametromora_add")
    hoy = timezone.localdate()
    ayer = cliente_staff.post(url, {"vigente_desde": (hoy - timedelta(days=30)).isoformat(), "dias_gracia": 5, "factor": "3.00"})
    assert "sólo puede regir a partir de mañana" in ayer.content.decode()
    assert not ParametroMora.objects.filter(factor=D("3.00")).exists()
    manana = cliente_staff.post(url, {"vigente_desde": (hoy + timedelta(days=1)).isoformat(), "dias_gracia": 20, "factor": "2.00"})
    assert manana.status_code == 302 and ParametroMora.objects.filter(factor=D("2.00")).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fila, mensaje", [
    (f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,48,2025-12-20,9999-Q24,VIGENTE,0,", "un año después"),
    (f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,0.01,11.50,48,2025-12-20,2026-Q01,VIGENTE,0,", "demasiado pequeño"),
    ("٢٠٠٠٠٠٠٠٠٠١" + f",{CURP_ALICE},ORDINARIO,30000.00,11.50,48,2025-12-20,2026-Q01,VIGENTE,0,", "11 dígitos"),
])
def test_a_bad_loan_row_is_a_spanish_line_never_a_traceback(alice, fila, mensaje):
    with pytest.raises(ArchivoRechazado) as exc:
        importar_archivo((ENCABEZADO_PRESTAMOS + fila + "\n").encode())
    assert "línea 2:" in exc.value.mensaje() and mensaje in exc.value.mensaje()
    assert not Prestamo.objects.exists()


@pytest.mark.django_db
def test_a_huge_field_is_refused_in_spanish(alice):
    with pytest.raises(ArchivoRechazado) as exc:
        importar_archivo(b'clave,nombre\nSEP,"' + b"x" * 200_000 + b'"\n')
    assert "demasiado largo" in exc.value.mensaje() and "field" not in exc.value.mensaje()


@pytest.mark.django_db
def test_admin_forms_refuse_what_the_importers_refuse(cliente_staff, sep):
    cliente_staff.post(reverse("admin:prestamos_dependencia_add"), {"clave": "=1+1", "nombre": "Fórmula"})
    assert not Dependencia.objects.filter(clave="=1+1").exists()
    respuesta = cliente_staff.post(reverse("admin:prestamos_derechohabiente_add"), {
        "curp": CURP_BOB, "tipo": "TRABAJADOR", "nombre": "<b>Roberto</b>", "primer_apellido": "Hernández 😀",
        "dependencia": sep.pk,
    })
    assert "Sólo letras" in respuesta.content.decode()
    assert not Derechohabiente.objects.filter(curp=CURP_BOB).exists()


@pytest.mark.django_db
def test_the_fopi_form_takes_ascii_digits_only(cliente_alice, prestamo_alice, hoy):
    hoy(HOY)
    respuesta = cliente_alice.post(reverse("fopi_nuevo"), {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "５００"})
    assert "Escribe el importe en pesos" in respuesta.content.decode()
    assert not Fopi.objects.exists()
