from django.core.management.base import BaseCommand
from django.utils import timezone

from fopi.services import fopis_vencer


class Command(BaseCommand):
    help = "Marca como vencidos los FOPI pendientes cuya vigencia ya pasó. Ejecutar diariamente."

    def handle(self, *args, **options):
        self.stdout.write(f"FOPI vencidos: {fopis_vencer(hoy=timezone.localdate())}")
