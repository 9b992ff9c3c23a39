"""One entry point for every data file (docs/reglas.md §8): the kind is known from the header row.

Each kind has its own importer class (parser + validator + loader) in the app that owns its data,
marked `@registrar`; each app imports its importers when it starts (`AppConfig.ready`), so this shared
package never imports an app. `importar_archivo` reads the file, picks the importer by its header,
validates every row (all or nothing) and loads inside one transaction.
"""

from oficina.importacion.base import ArchivoRechazado, ErrorFila, Importador, Resumen, registrar
from oficina.importacion.lector import importadores, importar_archivo, revertir_aplicado, revertir_archivo

__all__ = ["ArchivoRechazado", "ErrorFila", "Importador", "Resumen", "importadores", "importar_archivo", "registrar", "revertir_aplicado", "revertir_archivo"]
