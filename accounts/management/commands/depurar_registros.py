from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services import cuentas_sin_verificar_eliminar


class Command(BaseCommand):
    help = "Elimina las cuentas cuyo correo no se verificó a tiempo (libera su CURP). Ejecutar diariamente."

    def handle(self, *args, **options):
        dias = settings.REGISTRO_DIAS_PARA_VERIFICAR
        eliminadas = cuentas_sin_verificar_eliminar(dias=dias)
        self.stdout.write(f"Cuentas sin verificar en {dias} días eliminadas: {eliminadas}")
