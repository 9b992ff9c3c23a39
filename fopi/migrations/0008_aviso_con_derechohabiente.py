import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0007: on PostgreSQL the rows it filled leave pending FK triggers that forbid altering the table
    in the same transaction."""

    dependencies = [("fopi", "0007_devoluciones_de_pagos_y_avisos_al_acreditado"), ("prestamos", "0019_movimiento_ajuste")]

    operations = [
        migrations.AlterField(
            model_name="avisocorreo",
            name="derechohabiente",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="avisos_correo", to="prestamos.derechohabiente"
            ),
        ),
    ]
