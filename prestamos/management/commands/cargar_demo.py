from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from prestamos.importacion import importar_archivo
from prestamos.models import Derechohabiente

DEMO = Path(settings.BASE_DIR) / "demo"
ARCHIVOS = ["dependencias.csv", "derechohabientes.csv"]
CONTRASENA_DEMO = "Prestamo2026!"
CONTRASENA_CAPP = "CappDemo2026!"
# Demo borrowers with an account (user name → CURP); the rest of the padrón can register.
CUENTAS = {
    "maria": "GAML850312MDFRPR02",
    "juan": "HERJ790605HJCRMN09",
    "ramon": "PEMR900101HDFRRS00",
}
CURP_PARA_REGISTRO = "LOSA820420MNLPNN07"
APPS_CAPP = ["accounts", "prestamos", "recuperacion", "fopi"]


class Command(BaseCommand):
    help = "Carga datos de demostración (se puede ejecutar varias veces)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for nombre in ARCHIVOS:
                resumen = importar_archivo(DEMO / nombre)
                self.stdout.write(resumen.texto())
            self._cuentas()
        self.stdout.write(self.style.SUCCESS("Datos de demostración listos."))

    def _usuario(self, username: str, email: str, contrasena: str, **extra):
        User = get_user_model()
        usuario, creado = User.objects.get_or_create(username=username, defaults={"email": email, **extra})
        if creado:
            usuario.set_password(contrasena)
            usuario.save()
        EmailAddress.objects.update_or_create(
            user=usuario, email=email, defaults={"verified": True, "primary": True}
        )
        return usuario

    def _cuentas(self):
        for username, curp in CUENTAS.items():
            usuario = self._usuario(username, f"{username}@ejemplo.gob.mx", CONTRASENA_DEMO)
            Derechohabiente.objects.filter(curp=curp).update(usuario=usuario)
        grupo, _ = Group.objects.get_or_create(name="Personal CAPP")
        grupo.permissions.set(Permission.objects.filter(content_type__app_label__in=APPS_CAPP))
        capp = self._usuario("capp", "capp@ejemplo.gob.mx", CONTRASENA_CAPP, is_staff=True)
        capp.groups.add(grupo)
