from datetime import date
from decimal import Decimal

from django.db import migrations


def crear(apps, schema_editor):
    apps.get_model("prestamos", "ParametroMora").objects.get_or_create(
        vigente_desde=date(2000, 1, 1), defaults={"dias_gracia": 20, "factor": Decimal("1.50")}
    )


class Migration(migrations.Migration):
    dependencies = [("prestamos", "0002_prestamos_y_movimientos")]
    operations = [migrations.RunPython(crear, migrations.RunPython.noop)]
