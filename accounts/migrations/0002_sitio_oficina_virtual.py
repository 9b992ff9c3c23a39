from django.db import migrations


def nombrar_sitio(apps, schema_editor):
    """E-mails from allauth name the site: call it by the portal's name, not the host."""
    Site = apps.get_model("sites", "Site")
    Site.objects.update_or_create(
        id=1, defaults={"domain": "oficinavirtual.issste.gob.mx", "name": "Oficina Virtual"}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(nombrar_sitio, migrations.RunPython.noop)]
