from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command

from oficina.importacion import ArchivoRechazado
from prestamos.models import Movimiento, Prestamo
from tests.fabricas import CURP_ALICE, CURP_BOB, FOLIO_ALICE, cargar_prestamos

FILA = f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,48,2025-12-20,2026-Q01,VIGENTE,10,"


@pytest.mark.django_db
def test_it_loads_a_loan_with_its_opening_entry(alice):
    resumen = cargar_prestamos(FILA)
    assert (resumen.creadas, resumen.omitidas) == (1, 0)
    p = Prestamo.objects.get(folio=FOLIO_ALICE)
    assert p.cuota == D("701.12") and p.dependencia == alice.dependencia
    apertura = p.movimientos.get()
    assert apertura.tipo == Movimiento.Tipo.APERTURA
    assert apertura.importe == D("7011.20") and apertura.fecha_valor == date(2026, 5, 31)
    assert apertura.interes + apertura.capital == apertura.importe


@pytest.mark.django_db
def test_it_keeps_liquidado_loans_as_history(alice):
    cargar_prestamos(f"10000000009,{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    p = Prestamo.objects.get(folio="10000000009")
    assert p.estado == "LIQUIDADO" and p.fecha_liquidacion == date(2020, 1, 31)


@pytest.mark.django_db
def test_it_skips_an_identical_loan_and_refuses_a_changed_one(alice):
    cargar_prestamos(FILA)
    assert cargar_prestamos(FILA).omitidas == 1
    with pytest.raises(ArchivoRechazado) as exc:
        cargar_prestamos(FILA.replace("30000.00", "31000.00"))
    assert "ya fue cargado con otros datos (importe)" in exc.value.mensaje()
    assert Prestamo.objects.count() == 1 and Movimiento.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fila, motivo",
    [
        (FILA.replace(FOLIO_ALICE, "123"), "11 dígitos"),
        (FILA.replace("ORDINARIO", "HIPOTECARIO"), "«tipo»"),
        (FILA.replace("30000.00", "-5"), "«importe»"),
        (FILA.replace("11.50", "11.505"), "«tasa_anual»"),
        (FILA.replace(",48,", ",0,"), "«plazo_quincenas»"),
        (FILA.replace("2025-12-20", "2025-02-30"), "no es una fecha real"),
        (FILA.replace("2026-Q01", "2026-Q25"), "«primera_quincena»"),
        (FILA.replace("VIGENTE", "CANCELADO"), "«estado»"),
        (FILA.replace("VIGENTE,10,", "VIGENTE,10,2026-01-01"), "sólo se llena"),
        (FILA.replace("VIGENTE,10,", "LIQUIDADO,10,"), "obligatoria"),
        (FILA.replace(CURP_ALICE, CURP_BOB), "no está en el padrón"),
    ],
)
def test_it_rejects_bad_rows_writing_nothing(alice, fila, motivo):
    otra = f"20000000077,{CURP_ALICE},ORDINARIO,1000.00,11.50,12,2025-12-20,2026-Q01,VIGENTE,0,"
    with pytest.raises(ArchivoRechazado) as exc:
        cargar_prestamos(otra, fila)
    assert "línea 3" in exc.value.mensaje() and motivo in exc.value.mensaje()
    assert Prestamo.objects.count() == 0


@pytest.mark.django_db
def test_it_fails_the_command_with_every_bad_line(alice, tmp_path):
    from tests.fabricas import ENCABEZADO_PRESTAMOS

    ruta = tmp_path / "prestamos.csv"
    ruta.write_text(ENCABEZADO_PRESTAMOS + FILA.replace("11.50", "x") + "\n" + FILA.replace("48", "999") + "\n")
    with pytest.raises(CommandError) as exc:
        call_command("importar", str(ruta))
    assert "línea 2" in str(exc.value) and "línea 3" in str(exc.value)


@pytest.mark.django_db
def test_it_refuses_to_edit_or_delete_ledger_entries(prestamo_alice):
    movimiento = prestamo_alice.movimientos.get()
    with pytest.raises(PermissionError):
        movimiento.save()
    with pytest.raises(PermissionError):
        movimiento.delete()
    with pytest.raises(PermissionError):
        Movimiento.objects.filter(pk=movimiento.pk).update(importe=1)
    with pytest.raises(PermissionError):
        Movimiento.objects.all().delete()
