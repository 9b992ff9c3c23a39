"""One entry point for every data file (SPEC §8): the kind is known from the header row.

Each kind has its own importer class (parser + validator + loader); `importar_archivo` reads the
file, picks the importer, validates every row (all or nothing) and loads inside one transaction.
"""

from prestamos.importacion.base import ArchivoRechazado, ErrorFila, Resumen
from prestamos.importacion.lector import importar_archivo

__all__ = ["ArchivoRechazado", "ErrorFila", "Resumen", "importar_archivo"]
