"""The ledger's three optional links indexed only where set (docs/performance.md, "Remesa load").

`revierte`, `reaplica` and `registrado_por` are empty on nearly every movement, yet each had a full index
(two of them unique): every row a remesa writes added three entries under the NULL key. Now a partial
index each (`WHERE … IS NOT NULL`); the two unique ones keep "reversed at most once" and "re-booked at
most once" as before, since NULLs never conflicted.

On PostgreSQL the old indexes are dropped by name and the foreign keys are left alone: the generic
AlterField would drop and re-add each foreign key, re-validating 25 million rows. Elsewhere (SQLite) the
generic operation rebuilds the table.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLA = "prestamos_movimiento"
COLUMNAS = {"revierte_id": True, "reaplica_id": True, "registrado_por_id": False}  # column: was unique
NUEVOS = {"movimiento_revierte_una_vez", "movimiento_reaplica_una_vez", "movimiento_registrado_por"}


class FueraDePostgres(migrations.AlterField):
    """AlterField whose schema change runs on other databases only (PostgreSQL: `quitar_indices`)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def quitar_indices(apps, schema_editor):
    conexion = schema_editor.connection
    if conexion.vendor != "postgresql":
        return
    with conexion.cursor() as cursor:
        restricciones = conexion.introspection.get_constraints(cursor, TABLA)
    for nombre, datos in restricciones.items():
        if nombre in NUEVOS or datos["foreign_key"] or len(datos["columns"]) != 1:
            continue
        if datos["columns"][0] in COLUMNAS:  # a unique constraint, or a plain index (then the first is a no-op)
            schema_editor.execute(f'ALTER TABLE "{TABLA}" DROP CONSTRAINT IF EXISTS "{nombre}"')
            schema_editor.execute(f'DROP INDEX IF EXISTS "{nombre}"')


def poner_indices(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for columna, unica in COLUMNAS.items():
        if unica:
            schema_editor.execute(f'ALTER TABLE "{TABLA}" ADD CONSTRAINT "{TABLA}_{columna}_key" UNIQUE ("{columna}")')
        else:
            schema_editor.execute(f'CREATE INDEX "{TABLA}_{columna}_idx" ON "{TABLA}" ("{columna}")')


class Migration(migrations.Migration):
    dependencies = [
        ("prestamos", "0017_prestamo_actualizacion_en_sitio"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(quitar_indices, poner_indices, elidable=False),
        FueraDePostgres(
            model_name="movimiento",
            name="reaplica",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="reaplicacion", to="prestamos.movimiento", verbose_name="reaplica a"),
        ),
        FueraDePostgres(
            model_name="movimiento",
            name="registrado_por",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        FueraDePostgres(
            model_name="movimiento",
            name="revierte",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="reversion", to="prestamos.movimiento", verbose_name="revierte a"),
        ),
        migrations.AddIndex(
            model_name="movimiento",
            index=models.Index(condition=models.Q(("registrado_por__isnull", False)), fields=["registrado_por"],
                               name="movimiento_registrado_por"),
        ),
        migrations.AddConstraint(
            model_name="movimiento",
            constraint=models.UniqueConstraint(condition=models.Q(("revierte__isnull", False)), fields=("revierte",),
                                               name="movimiento_revierte_una_vez"),
        ),
        migrations.AddConstraint(
            model_name="movimiento",
            constraint=models.UniqueConstraint(condition=models.Q(("reaplica__isnull", False)), fields=("reaplica",),
                                               name="movimiento_reaplica_una_vez"),
        ),
    ]
