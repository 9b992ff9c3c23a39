import sys
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from oficina.importacion import ArchivoRechazado, importar_archivo, revertir_archivo


class Command(BaseCommand):
    help = (
        "Carga un archivo de datos (dependencias, derechohabientes, préstamos, descuentos o pagos); "
        "el tipo se reconoce por el encabezado. Todo o nada. Con --revertir y --motivo, revierte lo que ese "
        "mismo archivo aplicó (remesas y pagos)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archivo", help="ruta del archivo CSV (UTF-8, con encabezado)")
        parser.add_argument("--revertir", action="store_true", help="revertir lo que este archivo aplicó")
        parser.add_argument("--motivo", default="", help="por qué se revierte (obligatorio con --revertir)")

    def handle(self, *args, archivo, revertir=False, motivo="", **options):
        inicio = time.monotonic()
        mostrar = sys.stderr.isatty() or options.get("verbosity", 1) > 1
        ultimo = [0.0]

        def progreso(hechas: int, total: int) -> None:
            ahora = time.monotonic()
            if not mostrar or (ahora - ultimo[0] < 0.5 and hechas < total):
                return
            ultimo[0] = ahora
            ancho = 30
            lleno = ancho * hechas // max(total, 1)
            self.stderr.write(
                f"\r[{'#' * lleno}{'.' * (ancho - lleno)}] {hechas:,}/{total:,} filas", ending=""
            )
            if hechas >= total:
                self.stderr.write("")

        try:
            if revertir:
                resumen = revertir_archivo(archivo, motivo=motivo)
            else:
                resumen = importar_archivo(archivo, progreso=progreso)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        except FileNotFoundError:
            raise CommandError(f"No existe el archivo {archivo}")
        except IsADirectoryError:
            raise CommandError(f"{archivo} es una carpeta, no un archivo")
        except ArchivoRechazado as exc:
            raise CommandError(exc.mensaje())
        self.stdout.write(resumen.texto())
        self.stdout.write(f"Tiempo: {time.monotonic() - inicio:.1f} s")
