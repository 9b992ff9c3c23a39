"""Room in the loans table for each remesa's snapshot update to stay on its page (docs/performance.md).

Every remesa rewrites the position snapshot of every loan it pays. With full pages PostgreSQL must put
each new row version on another page and add it to the table's eight indexes; with room on the page
(fillfactor 50) and no indexed column changed, the update is "HOT": same page, no index entries. New
pages are written half full; rows on full pages move to new pages the first time a remesa updates them,
so no rewrite of the table is needed. The snapshot (about 2.5 KB of JSON, stored compressed) is compressed
with lz4 instead of pglz where the server has it: several times faster to compress and read, which a
remesa does a million times. PostgreSQL only; others ignore it.
"""

from django.db import migrations


def ajustar(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE prestamos_prestamo SET (fillfactor = 50)")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone():  # a server built without lz4 keeps pglz
            schema_editor.execute("ALTER TABLE prestamos_prestamo ALTER COLUMN posicion SET COMPRESSION lz4")


def deshacer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE prestamos_prestamo RESET (fillfactor)")
    schema_editor.execute("ALTER TABLE prestamos_prestamo ALTER COLUMN posicion SET COMPRESSION DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("prestamos", "0016_movimiento_tipo_aclaracion")]

    operations = [migrations.RunPython(ajustar, deshacer, elidable=False)]
