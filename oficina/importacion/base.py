import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from oficina.cronometro import Cronometro
from oficina.exportar import INICIO_FORMULA

MAX_ERRORES_LISTADOS = 1000


@dataclass(frozen=True)
class ErrorFila:
    linea: int
    motivo: str

    def __str__(self) -> str:
        return f"línea {self.linea}: {self.motivo}" if self.linea else self.motivo


class ArchivoRechazado(Exception):
    """The whole file is refused; nothing was written."""

    def __init__(self, errores: list[ErrorFila], *, tipo: str = "", total_errores: int | None = None):
        self.errores = errores
        self.tipo = tipo
        self.total_errores = total_errores if total_errores is not None else len(errores)
        super().__init__(self.mensaje())

    def mensaje(self) -> str:
        encabezado = f"Archivo rechazado ({self.total_errores} error(es)); no se cargó nada."
        lineas = [str(e) for e in self.errores]
        if self.total_errores > len(self.errores):
            lineas.append(f"… y {self.total_errores - len(self.errores)} error(es) más.")
        return "\n".join([encabezado, *lineas])


class ErrorCampo(ValueError):
    """A cell that does not parse; its message is shown to staff with the line number."""


@dataclass
class Resumen:
    tipo: str
    leidas: int = 0
    creadas: int = 0
    actualizadas: int = 0
    omitidas: int = 0
    rechazadas: int = 0
    detalle: dict[str, int] = field(default_factory=dict)
    tiempos: Cronometro = field(default_factory=Cronometro)  # seconds per stage, for benchmarks and logs

    def texto(self) -> str:
        partes = [
            f"Archivo de {self.tipo}: {self.leidas} fila(s) leída(s)",
            f"{self.creadas} creada(s)",
            f"{self.actualizadas} actualizada(s)",
            f"{self.omitidas} omitida(s)",
            f"{self.rechazadas} rechazada(s)",
        ]
        partes += [f"{nombre}: {n}" for nombre, n in self.detalle.items()]
        return ", ".join(partes) + "."


Progreso = Callable[[int, int], None]


# Filled by `registrar` as each app imports its importers (their AppConfig.ready).
IMPORTADORES: list[type["Importador"]] = []


def registrar(importador: type["Importador"]) -> type["Importador"]:
    """Class decorator: make a file kind known to `importar_archivo`."""
    if importador not in IMPORTADORES:
        IMPORTADORES.append(importador)
    return importador


class Importador:
    """Base for one kind of file. Subclasses define `tipo`, `columnas`, `validar` and `cargar`.

    `validar` gets every row and may query the database, but in bulk (a fixed number of queries
    for the whole file); it returns the parsed records and the errors. `cargar` writes them and runs
    inside the import's transaction.
    """

    tipo: str = ""
    columnas: tuple[str, ...] = ()
    # Trailing columns a file may leave out (each row then gets "" for them), and other names a header may
    # use for a column (docs/reglas.md §8, §12).
    opcionales: tuple[str, ...] = ()
    alias: dict[str, str] = {}

    def columna(self, nombre: str) -> str:
        """The name the file's own header gives the column `nombre` (so messages use the file's words)."""
        return next((c for c in getattr(self, "encabezado", ()) if self.alias.get(c, c) == nombre), nombre)

    @classmethod
    def reconoce(cls, encabezado: tuple[str, ...]) -> bool:
        nombres = tuple(cls.alias.get(c, c) for c in encabezado)
        return nombres == cls.columnas or nombres == cls.columnas + cls.opcionales

    def __init__(self, *, usuario=None, nombre_archivo: str = "", sha256: str = ""):
        self.usuario = usuario
        self.nombre_archivo = nombre_archivo
        self.sha256 = sha256  # of the file's bytes: what a reversal of "this file" finds it by

    # Kinds that can load a whole file inside the database define `cargar_en_bloque(contenido, progreso)`,
    # returning the Resumen, or None (nothing written) to leave the file to `validar` and `cargar`.
    cargar_en_bloque = None

    # Kinds that move money also define `revertir(resumen, motivo)`: undo what this very file applied
    # (docs/reglas.md §9), or raise ArchivoRechazado saying why not.
    revertir = None

    def validar(self, filas: list[tuple[int, list[str]]]) -> tuple[list, list[ErrorFila]]:
        raise NotImplementedError

    def fila(self, linea: int, celdas: list[str]):
        """Parse one row into a record, or raise ErrorCampo."""
        raise NotImplementedError

    def parsear(self, filas: list[tuple[int, list[str]]]) -> tuple[list, list[ErrorFila]]:
        """Every row through `fila`: the good records, and each bad row's line number and reason."""
        registros, errores = [], []
        for linea, celdas in filas:
            try:
                registros.append(self.fila(linea, celdas))
            except ErrorCampo as exc:
                errores.append(ErrorFila(linea, str(exc)))
        return registros, errores

    def cargar(self, registros: list, resumen: Resumen, progreso: Progreso | None) -> None:
        raise NotImplementedError

    # Cell parsers shared by every kind: each raises ErrorCampo with a Spanish message.

    @staticmethod
    def texto(valor: str, campo: str, *, max_len: int, requerido: bool = True) -> str:
        valor = valor.strip()
        if not valor:
            if requerido:
                raise ErrorCampo(f"«{campo}» está vacío")
            return ""
        if len(valor) > max_len:
            raise ErrorCampo(f"«{campo}» excede {max_len} caracteres")
        if valor.startswith(INICIO_FORMULA):
            raise ErrorCampo(f"«{campo}» no puede empezar con {valor[0]!r}")
        if any(ord(c) < 32 for c in valor):
            raise ErrorCampo(f"«{campo}» contiene caracteres de control")
        return valor

    @staticmethod
    def clave(valor: str, campo: str, *, max_len: int = 20) -> str:
        valor = valor.strip().upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9_.-]*", valor) or len(valor) > max_len:  # prestamos.validadores.CLAVE
            raise ErrorCampo(f"«{campo}» debe ser una clave de letras y números de hasta {max_len} caracteres")
        return valor

    @staticmethod
    def importe(valor: str, campo: str = "importe", *, maximo: Decimal = Decimal("99999999.99")) -> Decimal:
        valor = valor.strip()
        if not re.fullmatch(r"[0-9]{1,10}(\.[0-9]{1,2})?", valor):
            raise ErrorCampo(f"«{campo}» debe ser un importe con punto decimal y hasta dos decimales (p. ej. 1234.56)")
        try:
            cantidad = Decimal(valor)
        except InvalidOperation:
            raise ErrorCampo(f"«{campo}» no es un número")
        if cantidad <= 0:
            raise ErrorCampo(f"«{campo}» debe ser mayor que cero")
        if cantidad > maximo:
            raise ErrorCampo(f"«{campo}» es demasiado grande")
        return cantidad.quantize(Decimal("0.01"))

    @staticmethod
    def fecha(valor: str, campo: str) -> date:
        valor = valor.strip()
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", valor):
            raise ErrorCampo(f"«{campo}» debe tener el formato AAAA-MM-DD")
        try:
            d = date.fromisoformat(valor)
        except ValueError:
            raise ErrorCampo(f"«{campo}» no es una fecha real ({valor})")
        if not 1990 <= d.year <= 2100:
            raise ErrorCampo(f"«{campo}» está fuera del rango de fechas admitido")
        return d

    @staticmethod
    def entero(valor: str, campo: str, *, minimo: int, maximo: int, defecto: int | None = None) -> int:
        valor = valor.strip()
        if not valor and defecto is not None:
            return defecto
        if not re.fullmatch(r"[0-9]{1,6}", valor):
            raise ErrorCampo(f"«{campo}» debe ser un número entero")
        numero = int(valor)
        if not minimo <= numero <= maximo:
            raise ErrorCampo(f"«{campo}» debe estar entre {minimo} y {maximo}")
        return numero


def duplicados(claves: Iterable[tuple[int, object]], campo: str) -> list[ErrorFila]:
    """Errors for keys repeated inside one file (the first occurrence stays valid)."""
    vistos: dict[object, int] = {}
    errores = []
    for linea, clave in claves:
        if clave in vistos:
            errores.append(ErrorFila(linea, f"«{campo}» {clave} repetido (ya aparece en la línea {vistos[clave]})"))
        else:
            vistos[clave] = linea
    return errores
