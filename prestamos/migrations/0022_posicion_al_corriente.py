from django.db import migrations, models


def plegar_cuentas(apps, schema_editor):
    """Unapplying this migration: every loan's count of installments paid as scheduled is written into its snapshot's
    JSON first (prestamos/instantanea.py, `plegar`), so the code before the count reads the same positions."""
    from prestamos import instantanea
    from prestamos.calculo import Periodo

    Prestamo = apps.get_model("prestamos", "Prestamo")
    contados = (Prestamo.objects.filter(posicion_al_corriente__gt=0).order_by("pk")
                .only("pk", "posicion", "primera_quincena", "posicion_al_corriente"))
    lote = []
    for prestamo in contados.iterator(chunk_size=2000):
        prestamo.posicion = instantanea.plegar(
            prestamo.posicion, Periodo.parse(str(prestamo.primera_quincena)), prestamo.posicion_al_corriente
        )
        prestamo.posicion_al_corriente = 0
        lote.append(prestamo)
        if len(lote) == 2000:
            Prestamo.objects.bulk_update(lote, ["posicion", "posicion_al_corriente"])
            lote = []
    Prestamo.objects.bulk_update(lote, ["posicion", "posicion_al_corriente"])


class Migration(migrations.Migration):

    dependencies = [
        ("prestamos", "0021_cfdi_nomina"),
    ]

    operations = [
        migrations.AddField(
            model_name="prestamo",
            name="posicion_al_corriente",
            field=models.IntegerField(
                db_default=0, default=0, editable=False, verbose_name="cuotas pagadas al corriente después de la posición"
            ),
        ),
        # Forward every count is 0: nothing to do. Backward, before the column goes.
        migrations.RunPython(migrations.RunPython.noop, plegar_cuentas),
    ]
