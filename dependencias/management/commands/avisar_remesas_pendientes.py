"""`avisar_remesas_pendientes` (daily, docs/reglas.md §16)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from dependencias.recordatorios import avisar


class Command(BaseCommand):
    help = "Avisa por correo a las dependencias cuya remesa no llegó 5 días después del vencimiento (una vez por periodo)."

    def handle(self, **opciones):
        enviados = avisar(timezone.localdate())
        for clave, periodo, correos in enviados:
            self.stdout.write(f"{clave} {periodo}: avisado a {', '.join(correos)}")
        self.stdout.write(f"{len(enviados)} recordatorio(s) enviado(s).")
