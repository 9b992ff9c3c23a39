from django.core.management.base import BaseCommand
from django.utils import timezone

from fopi.avisos import DIAS_ANTES_DE_VENCER, fopis_por_vencer_avisar


class Command(BaseCommand):
    help = (
        f"Avisa por correo de los FOPI pendientes de pago que vencen en {DIAS_ANTES_DE_VENCER} días o menos, "
        "una vez por FOPI. Ejecutar diariamente."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"FOPI por vencer avisados: {fopis_por_vencer_avisar(hoy=timezone.localdate())}")
