"""The cédula's keyset pages (dependencias/cedula.py) walk one dependencia's loans in id order: an index on
(dependencia_id, id) makes each page a range scan instead of reading and sorting all of the dependencia's loans.
Created here, beside the only reader, rather than in prestamos."""

from django.db import migrations

TABLA = "prestamos_prestamo"


class Migration(migrations.Migration):
    dependencies = [("dependencias", "0001_initial"), ("prestamos", "0020_movimientos_de_saldo")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS cedula_prestamo_dependencia_id ON {TABLA} (dependencia_id, id)",
            "DROP INDEX IF EXISTS cedula_prestamo_dependencia_id",
        )
    ]
