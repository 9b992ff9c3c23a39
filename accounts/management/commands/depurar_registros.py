from captcha.models import CaptchaStore
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.services import cuentas_sin_verificar_eliminar


class Command(BaseCommand):
    help = (
        "Elimina las cuentas cuyo correo no se verificó a tiempo (libera su CURP) y los códigos de seguridad "
        "(captcha) vencidos. Ejecutar diariamente."
    )

    def handle(self, *args, **options):
        dias = settings.REGISTRO_DIAS_PARA_VERIFICAR
        eliminadas = cuentas_sin_verificar_eliminar(dias=dias)
        self.stdout.write(f"Cuentas sin verificar en {dias} días eliminadas: {eliminadas}")
        # Every showing of the signup form writes a captcha row; the library deletes only the ones answered.
        captchas, _ = CaptchaStore.objects.filter(expiration__lte=timezone.now()).delete()
        self.stdout.write(f"Códigos de seguridad vencidos eliminados: {captchas}")
