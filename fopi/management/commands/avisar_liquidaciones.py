from django.core.management.base import BaseCommand
from django.utils import timezone

from fopi.avisos import DIAS_LIQUIDACION_RECIENTE, liquidaciones_avisar


class Command(BaseCommand):
    help = (
        "Avisa por correo de los préstamos liquidados en los últimos "
        f"{DIAS_LIQUIDACION_RECIENTE} días que ningún pago avisó (p. ej. por su último descuento vía nómina), "
        "una vez por préstamo. Ejecutar diariamente."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Préstamos liquidados avisados: {liquidaciones_avisar(hoy=timezone.localdate())}")
