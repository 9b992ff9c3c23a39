"""One index for a loan's ledger, carrying the statement's columns (see LIBRO_POR_PRESTAMO in models.py).

It replaces two: 0006's raw (prestamo_id, id) index, now declared in Movimiento.Meta, and the foreign key's
own index on prestamo_id, which the new one's first column serves. Fewer indexes also mean less work for
every movement a remesa appends. On PostgreSQL the new index is built, and 0006's dropped, CONCURRENTLY,
so a production ledger stays writable meanwhile; the new one is in place before the old ones go.
"""

from django.db import migrations, models

# As declared in prestamos.models (LIBRO_POR_PRESTAMO) when this migration was written; spelled out here so
# a later change to the model makes a new migration instead of rewriting this one.
LIBRO_POR_PRESTAMO = models.Index(
    fields=["prestamo", "id"],
    include=["tipo", "fecha_valor", "importe", "moratorios", "interes", "capital", "excedente", "origen"],
    name="movimiento_libro_prestamo",
)
ANTERIOR = "prestamos_movimiento_prestamo_id_id"  # created by 0006 with raw SQL


def crear(apps, schema_editor):
    movimiento = apps.get_model("prestamos", "Movimiento")
    extra = {"concurrently": True} if schema_editor.connection.vendor == "postgresql" else {}
    schema_editor.execute(LIBRO_POR_PRESTAMO.create_sql(movimiento, schema_editor, **extra))
    concurrente = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX {concurrente}IF EXISTS {ANTERIOR}")


def deshacer(apps, schema_editor):
    movimiento = apps.get_model("prestamos", "Movimiento")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {ANTERIOR} ON prestamos_movimiento (prestamo_id, id)")
    schema_editor.execute(LIBRO_POR_PRESTAMO.remove_sql(movimiento, schema_editor))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("prestamos", "0006_movimiento_prestamo_id_indice")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(crear, deshacer, elidable=False)],
            state_operations=[migrations.AddIndex(model_name="movimiento", index=LIBRO_POR_PRESTAMO)],
        ),
        migrations.AlterField(
            model_name="movimiento",
            name="prestamo",
            field=models.ForeignKey(
                db_index=False, on_delete=models.deletion.PROTECT, related_name="movimientos", to="prestamos.prestamo"
            ),
        ),
    ]
