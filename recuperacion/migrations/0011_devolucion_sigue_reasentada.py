"""A paid refund request names the refund in force (docs/reglas.md §9): requests whose DEVOLUCION a reversal
re-booked before the request followed it (recuperacion/devoluciones.py `devoluciones_seguir`) catch up.
Backwards: each such request names its chain's first DEVOLUCION again, as before."""

from django.db import migrations
from django.db.models import Q


def _pagadas_reasentadas(apps):
    """Paid requests on a reversed DEVOLUCION (forward) or on a re-booked one (backwards)."""
    SolicitudDevolucion = apps.get_model("recuperacion", "SolicitudDevolucion")
    return SolicitudDevolucion.objects.filter(
        Q(movimiento__reversion__isnull=False) | Q(movimiento__reaplica__isnull=False), estado="PAGADA"
    ).distinct()


def seguir(apps, schema_editor):
    Movimiento = apps.get_model("prestamos", "Movimiento")
    for solicitud in _pagadas_reasentadas(apps).iterator():
        movimiento_id = solicitud.movimiento_id
        while Movimiento.objects.filter(revierte_id=movimiento_id).exists():
            siguiente = Movimiento.objects.filter(reaplica_id=movimiento_id).values_list("pk", flat=True).first()
            if siguiente is None:  # reversed and not booked again: not a refund's chain; left as it is
                break
            movimiento_id = siguiente
        if movimiento_id != solicitud.movimiento_id:
            solicitud.movimiento_id = movimiento_id
            solicitud.save(update_fields=["movimiento"])


def volver(apps, schema_editor):
    Movimiento = apps.get_model("prestamos", "Movimiento")
    for solicitud in _pagadas_reasentadas(apps).iterator():
        movimiento_id = solicitud.movimiento_id
        while (anterior := Movimiento.objects.values_list("reaplica_id", flat=True).get(pk=movimiento_id)) is not None:
            movimiento_id = anterior
        if movimiento_id != solicitud.movimiento_id:
            solicitud.movimiento_id = movimiento_id
            solicitud.save(update_fields=["movimiento"])


class Migration(migrations.Migration):
    dependencies = [
        ("prestamos", "0021_cfdi_nomina"),
        ("recuperacion", "0010_cfdi_nomina"),
    ]

    operations = [migrations.RunPython(seguir, volver)]
