from django.db import migrations


def crear_roles(apps, schema_editor):
    """The three staff roles with their permissions by codename (accounts.roles).

    Permissions are normally created after `migrate` ends (post_migrate): create them here first, so the
    groups get theirs on a fresh database too.
    """
    from django.contrib.auth.management import create_permissions

    from accounts.roles import roles_asignar

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_asignar(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def quitar_roles(apps, schema_editor):
    from accounts.roles import CONSULTA, OPERACION, SUPERVISION

    apps.get_model("auth", "Group").objects.filter(name__in=[CONSULTA, OPERACION, SUPERVISION]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_recuperacion_de_curp"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("prestamos", "0005_cargas"),
        ("recuperacion", "0001_descuentos_y_avisos"),
        ("fopi", "0001_initial"),
    ]

    operations = [migrations.RunPython(crear_roles, quitar_roles)]
