from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from recuperacion.omisiones import detectar_omisiones


class Command(BaseCommand):
    help = (
        "Detecta descuentos de nómina omitidos (docs/reglas.md §6): actualiza el estado de cada préstamo activo y avisa "
        "por correo al derechohabiente la primera vez que se detecta cada quincena omitida. Se ejecuta a diario."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fecha", help="fecha de la revisión, AAAA-MM-DD (por omisión, hoy)")

    def handle(self, *args, fecha=None, **options):
        try:
            hoy = date.fromisoformat(fecha) if fecha else timezone.localdate()
        except ValueError:
            raise CommandError(f"--fecha debe tener el formato AAAA-MM-DD, no {fecha!r}")
        nuevas = detectar_omisiones(hoy=hoy)
        self.stdout.write(f"Revisión al {hoy:%d/%m/%Y}: {nuevas} omisión(es) nueva(s) detectada(s).")
