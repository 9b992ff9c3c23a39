import time

from django.core.management.base import BaseCommand, CommandError

from prestamos import cuadre


class Command(BaseCommand):
    help = (
        "Verifica el libro de cada préstamo: la instantánea es la reproducción del libro y el dinero se conserva "
        "(recibido = aplicado + saldo a favor + devuelto). Por lotes; termina con error si hay alguna diferencia. "
        "Para después de restaurar un respaldo (docs/operacion.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lote", type=int, default=500, help="préstamos por lote (memoria acotada)")
        parser.add_argument("--mostrar", type=int, default=50, help="cuántas diferencias listar como máximo")

    def handle(self, *args, lote=500, mostrar=50, **options):
        inicio = time.monotonic()
        revisados = diferencias = 0
        for n, encontradas in cuadre.verificar(lote=lote):
            revisados += n
            for d in encontradas:
                diferencias += 1
                if diferencias <= mostrar:
                    self.stdout.write(f"{d.folio}: {d.que}")
        segundos = time.monotonic() - inicio
        resumen = f"{revisados} préstamos verificados en {segundos:.1f} s: {diferencias} diferencias"
        if diferencias:
            raise CommandError(resumen)
        self.stdout.write(self.style.SUCCESS(resumen))
