"""Vacuum the ledger after every remesa, so the statement's index-only scans stay index-only.

An index-only scan skips the table only for pages the visibility map marks all-visible, and only VACUUM
sets those marks. The ledger is insert-only, and PostgreSQL's default vacuums it after inserts of 20 % of
its rows: with 24 million movements that is five remesas, during which every statement would fetch its
newest movements from the table again. At 2 %, each remesa (a million rows) triggers an insert-only
vacuum, which only sets those marks and freezes rows, a cheap pass. PostgreSQL only; others ignore it.
"""

from django.db import migrations


def ajustar(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE prestamos_movimiento SET (autovacuum_vacuum_insert_scale_factor = 0.02)")


def deshacer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE prestamos_movimiento RESET (autovacuum_vacuum_insert_scale_factor)")


class Migration(migrations.Migration):
    dependencies = [("prestamos", "0007_movimiento_libro_prestamo")]

    operations = [migrations.RunPython(ajustar, deshacer, elidable=False)]
