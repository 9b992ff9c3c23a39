"""Index the ledger by (prestamo, id): "this loan's movements after its snapshot", in id order.

That is what every remesa lote asks for 5,000 loans at a time (posiciones_al_dia: movements with id
greater than each loan's posicion_hasta) and what the statement page reads (a borrower's movements in
booking order). With only the foreign key's index on prestamo_id, PostgreSQL fetched every movement of
each loan (24 a year per loan) to discard those before the snapshot; with this one it reads none.

Raw SQL, outside the models' state, so `makemigrations --check` stays clean: the model (Movimiento.Meta)
should declare it in a later change, and its foreign-key index on prestamo_id alone then becomes redundant.
On PostgreSQL the index is built CONCURRENTLY, so a production ledger stays writable while it builds.
"""

from django.db import migrations

NOMBRE = "prestamos_movimiento_prestamo_id_id"


def crear(apps, schema_editor):
    concurrente = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {concurrente}IF NOT EXISTS {NOMBRE} ON prestamos_movimiento (prestamo_id, id)")


def borrar(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NOMBRE}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("prestamos", "0005_cargas")]

    operations = [migrations.RunPython(crear, borrar, elidable=False)]
