"""The loans table shaped for a remesa that reads and rewrites a million loans (docs/performance.md).

- Once a row passes 2 KB (PostgreSQL's fixed threshold for toasting), its snapshot is compressed and
  moved out of line (`toast_tuple_target` 128) rather than kept compressed in the row, so the scans and
  joins a remesa makes over the table read less. Rows under 2 KB (short schedules) stay as they are.
- It is compressed with lz4 instead of pglz where the server has it: several times faster to compress and
  decompress, which a remesa does a million times.
- Room on each page (fillfactor 50): every remesa rewrites every loan it pays, and with room on the page
  and no indexed column changed the update is "HOT" (same page, no entries in the table's eight indexes).

Each applies to rows written from now on; a remesa rewrites the loans it pays, so no rewrite of the
table is needed. PostgreSQL only; others ignore it.
"""

from django.db import migrations


def ajustar(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE prestamos_prestamo SET (fillfactor = 50, toast_tuple_target = 128)")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone():  # a server built without lz4 keeps pglz
            schema_editor.execute("ALTER TABLE prestamos_prestamo ALTER COLUMN posicion SET COMPRESSION lz4")


def deshacer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE prestamos_prestamo RESET (fillfactor, toast_tuple_target)")
    schema_editor.execute("ALTER TABLE prestamos_prestamo ALTER COLUMN posicion SET COMPRESSION DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("prestamos", "0016_movimiento_tipo_aclaracion")]

    operations = [migrations.RunPython(ajustar, deshacer, elidable=False)]
