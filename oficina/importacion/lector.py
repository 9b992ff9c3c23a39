import csv
import hashlib
import io
from pathlib import Path
from typing import BinaryIO

from django.db import transaction

from oficina.importacion.base import (
    IMPORTADORES,
    MAX_ERRORES_LISTADOS,
    ArchivoRechazado,
    ErrorFila,
    Importador,
    Progreso,
    Resumen,
)


def importadores() -> list[type[Importador]]:
    """Every kind of file, recognised by its header row (docs/reglas.md, "Archivos")."""
    return list(IMPORTADORES)


def _decodificar(contenido: bytes) -> str:
    try:
        return contenido.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArchivoRechazado(
            [ErrorFila(0, f"El archivo no está codificado en UTF-8 (byte inválido en la posición {exc.start}).")]
        )


def _elegir_importador(encabezado: list[str]) -> type[Importador]:
    columnas = tuple(c.strip().lower() for c in encabezado)
    for clase in importadores():
        if clase.reconoce(columnas):
            return clase
    # The optional trailing columns in brackets: the padrón's "tipo" is part of a valid header too.
    esperados = "; ".join(
        ",".join(c.columnas) + (f"[,{','.join(c.opcionales)}]" if c.opcionales else "") for c in importadores()
    )
    raise ArchivoRechazado(
        [ErrorFila(1, f"Encabezado no reconocido: «{','.join(encabezado)[:200]}». Encabezados válidos: {esperados}")]
    )


def _error_csv(exc: csv.Error) -> str:
    """The csv module's English errors, said in Spanish."""
    texto = str(exc)
    if "field larger than field limit" in texto:
        return "CSV mal formado: un campo es demasiado largo (¿unas comillas sin cerrar?)."
    if "new-line character seen in unquoted field" in texto:
        return "CSV mal formado: hay un salto de línea dentro de un campo sin comillas."
    if "quotechar" in texto or "delimiter" in texto or "quote" in texto:
        return "CSV mal formado: comillas mal colocadas en un campo."
    return "CSV mal formado: la línea no se puede leer como valores separados por comas."


def leer_filas(texto: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    if "\x00" in texto:
        raise ArchivoRechazado([ErrorFila(0, "El archivo contiene bytes nulos; no es un CSV de texto.")])
    lector = csv.reader(io.StringIO(texto, newline=""), strict=True)
    try:
        encabezado = next(lector, None)
        if not encabezado:
            raise ArchivoRechazado([ErrorFila(1, "El archivo está vacío: falta el renglón de encabezado.")])
        filas = [(lector.line_num, fila) for fila in lector if any(c.strip() for c in fila)]
    except csv.Error as exc:
        raise ArchivoRechazado([ErrorFila(lector.line_num, _error_csv(exc))])
    return encabezado, filas


def _encabezado(texto: str) -> list[str] | None:
    """The header row alone, when the file is plain text whose first line reads as CSV; else None (the
    whole-file reader then says what is wrong)."""
    fin = texto.find("\n")
    primera = (texto if fin < 0 else texto[:fin]).rstrip("\r")
    if not primera.strip() or "\x00" in texto:
        return None
    try:
        return next(csv.reader([primera], strict=True), None)
    except csv.Error:
        return None


def _leer(origen, nombre_archivo: str) -> tuple[bytes, str]:
    if isinstance(origen, bytes):
        return origen, nombre_archivo
    if isinstance(origen, (str, Path)):
        return Path(origen).read_bytes(), nombre_archivo or Path(origen).name
    return origen.read(), nombre_archivo


def importar_archivo(
    origen: str | Path | BinaryIO | bytes,
    *,
    usuario=None,
    nombre_archivo: str = "",
    progreso: Progreso | None = None,
) -> Resumen:
    """Validate and load one data file, all or nothing. Raises ArchivoRechazado with every bad row."""
    contenido, nombre_archivo = _leer(origen, nombre_archivo)
    texto = _decodificar(contenido)
    sha256 = hashlib.sha256(contenido).hexdigest()
    encabezado = _encabezado(texto)
    if encabezado is not None:
        clase = _elegir_importador(encabezado)
        if clase.cargar_en_bloque is not None:
            importador = clase(usuario=usuario, nombre_archivo=nombre_archivo, sha256=sha256)
            importador.encabezado = tuple(c.strip().lower() for c in encabezado)
            resumen = importador.cargar_en_bloque(contenido, progreso)
            if resumen is not None:
                return resumen
    encabezado, filas = leer_filas(texto)
    clase = _elegir_importador(encabezado)
    importador = clase(usuario=usuario, nombre_archivo=nombre_archivo, sha256=sha256)
    importador.encabezado = tuple(c.strip().lower() for c in encabezado)

    errores = [
        ErrorFila(linea, f"se esperaban {len(encabezado)} columnas y hay {len(fila)}")
        for linea, fila in filas
        if len(fila) != len(encabezado)
    ]
    faltan = len(clase.columnas) + len(clase.opcionales) - len(encabezado)
    filas = [(linea, fila + [""] * faltan) for linea, fila in filas] if faltan else filas
    if errores:
        raise ArchivoRechazado(errores[:MAX_ERRORES_LISTADOS], tipo=clase.tipo, total_errores=len(errores))
    if not filas:
        raise ArchivoRechazado([ErrorFila(2, "El archivo no tiene filas de datos.")], tipo=clase.tipo)

    registros, errores = importador.validar(filas)
    if errores:
        errores.sort(key=lambda e: e.linea)
        raise ArchivoRechazado(errores[:MAX_ERRORES_LISTADOS], tipo=clase.tipo, total_errores=len(errores))

    resumen = Resumen(tipo=clase.tipo, leidas=len(filas))
    with transaction.atomic():
        importador.cargar(registros, resumen, progreso)
    return resumen


def revertir_archivo(
    origen: str | Path | BinaryIO | bytes, *, motivo: str, usuario=None, nombre_archivo: str = ""
) -> Resumen:
    """Undo everything this very file (the same bytes) applied, all or nothing (docs/reglas.md §9)."""
    contenido, nombre_archivo = _leer(origen, nombre_archivo)
    encabezado, _ = leer_filas(_decodificar(contenido))
    clase = _elegir_importador(encabezado)
    if clase.revertir is None:
        raise ArchivoRechazado(
            [ErrorFila(1, f"Un archivo de {clase.tipo} no mueve dinero: sólo se revierten remesas y archivos de pagos.")],
            tipo=clase.tipo,
        )
    if not motivo.strip():
        raise ArchivoRechazado([ErrorFila(0, "Escribe el motivo de la reversión (--motivo).")], tipo=clase.tipo)
    importador = clase(usuario=usuario, nombre_archivo=nombre_archivo, sha256=hashlib.sha256(contenido).hexdigest())
    resumen = Resumen(tipo=clase.tipo, leidas=0)
    with transaction.atomic():
        importador.revertir(resumen, motivo.strip())
    return resumen


def revertir_aplicado(archivo, *, motivo: str, usuario=None) -> Resumen:
    """The same as `revertir_archivo` for a file already known (the admin's ArchivoAplicado)."""
    clase = next((c for c in importadores() if c.tipo == archivo.tipo and c.revertir is not None), None)
    if clase is None:
        raise ArchivoRechazado([ErrorFila(0, f"Un archivo de {archivo.tipo} no se puede revertir.")])
    if not motivo.strip():
        raise ArchivoRechazado([ErrorFila(0, "Escribe el motivo de la reversión.")], tipo=clase.tipo)
    importador = clase(usuario=usuario, nombre_archivo=archivo.nombre, sha256=archivo.sha256)
    resumen = Resumen(tipo=clase.tipo, leidas=0)
    with transaction.atomic():
        importador.revertir(resumen, motivo.strip())
    return resumen
