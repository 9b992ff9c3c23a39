"""`crear_usuario_dependencia CLAVE USUARIO CORREO [--password X]` (docs/reglas.md §16)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dependencias.admin import enlace_contrasena
from dependencias.models import UsuarioDependencia
from prestamos.models import Dependencia


class Command(BaseCommand):
    help = "Crea (o amplía) un usuario de la pagaduría de una dependencia."

    def add_arguments(self, parser):
        parser.add_argument("clave")
        parser.add_argument("usuario")
        parser.add_argument("correo")
        parser.add_argument("--password", default=None)

    @transaction.atomic
    def handle(self, clave, usuario, correo, password=None, **opciones):
        dependencia = Dependencia.objects.filter(clave=clave.strip().upper()).first()
        if dependencia is None:
            raise CommandError(f"La dependencia «{clave}» no existe.")
        User = get_user_model()
        cuenta, creada = User.objects.get_or_create(username=usuario, defaults={"email": correo})
        if cuenta.is_staff or cuenta.is_superuser or getattr(cuenta, "derechohabiente", None):
            raise CommandError(f"«{usuario}» es del personal o un derechohabiente: use otro nombre de usuario.")
        cuenta.email = correo
        if password:
            cuenta.set_password(password)
        elif creada:
            cuenta.set_unusable_password()
        cuenta.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(user=cuenta, email=correo, defaults={"verified": True, "primary": True})
        perfil, _ = UsuarioDependencia.objects.get_or_create(usuario=cuenta)
        perfil.dependencias.add(dependencia)
        self.stdout.write(f"Usuario {usuario} de {dependencia.clave} listo.")
        if not password:
            self.stdout.write(f"Enlace de un solo uso para fijar la contraseña: {enlace_contrasena(cuenta)}")
