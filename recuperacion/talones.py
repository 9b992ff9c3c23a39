"""The payslip (talón de pago) a borrower uploads with an aclaración (docs/reglas.md §10): recognised by
its content, never by its name, and refused with a clear Spanish message when it is not a PDF, JPEG or PNG
we can trust to show to CAPP staff.

Uploads come from the internet, so a talón is assumed hostile until shown otherwise:
- the type is read from the first bytes (PDF `%PDF-`, JPEG `FF D8 FF`, PNG's 8-byte signature); an
  executable, an SVG or an HTML page renamed `talon.pdf` is none of them;
- an image must decode (Pillow) and stay under a pixel budget (a "decompression bomb" is refused);
- a PDF is read by a PDF parser (pypdf), never searched as bytes: a byte scanner is fooled by a string that
  spells `(stream` … `(endstream)` around a live entry (issue 24). Every object the file holds, reachable
  from its trailer or listed in its cross-reference table, inside object streams too, is looked at: no
  JavaScript, no action but a jump within the document (launch, URI, submit…), no additional actions,
  no embedded or attached files, no forms (AcroForm, XFA, widgets), no rich media. A PDF the parser
  cannot read, an encrypted one, or one of more than 5 pages is refused as well. Staff never open it:
  they see the pages rendered to PNG by poppler (`pagina_png`), and the original is kept for the record;
- 0 bytes and more than `ACLARACION_TALON_MAXIMO` (5 MB) are refused; `LimiteDeTalon` stops keeping an
  upload's bytes as soon as it passes the limit, so a 50 MB file never lands on disk.

Nothing here writes: a `Talon` is the checked content, which `recuperacion.aclaraciones` then stores.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import resource
import subprocess
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
FIRMAS = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
PIXELES_MAXIMOS = 40_000_000  # a 40-megapixel photo of a payslip is already more than enough
PAGINAS_MAXIMAS = 5  # a payslip is one or two pages; staff see each one as an image
OBJETOS_MAXIMOS = 50_000  # a payslip holds a few hundred PDF objects; past this it is no payslip

logger = logging.getLogger(__name__)

# What makes a PDF act rather than show (ISO 32000-1 §12.5, §12.6, §12.7, §7.11). Dictionary keys whose mere
# presence is refused: JavaScript (the action's /JS, the names tree's /JavaScript), additional actions (/AA,
# on the document, a page or an annotation), forms (/AcroForm, /XFA), embedded files (/EmbeddedFiles in the
# names tree, /EF in a file specification), rich media.
_CLAVES_ACTIVAS = frozenset({
    "/JS", "/JavaScript", "/AA", "/AcroForm", "/XFA", "/EmbeddedFiles", "/EF", "/RichMediaContent",
    "/RichMediaSettings",
})
# An action's type (/S) other than /GoTo, which only jumps to another page of the same document (a plain
# destination, `/OpenAction [page /Fit]`, is an array and no action at all).
_ACCIONES = frozenset({
    "/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ResetForm", "/ImportData", "/GoToR", "/GoToE",
    "/GoTo3DView", "/Sound", "/Movie", "/Hide", "/Named", "/SetOCGState", "/Rendition", "/Trans", "/Thread",
    "/RichMediaExecute",
})
# Annotations that are form fields, attached files or media (a /Link or a /Text note only shows).
_ANOTACIONES_ACTIVAS = frozenset({"/Widget", "/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"})

NO_RECONOCIDO = (
    "El archivo no es un PDF, JPEG ni PNG (lo revisamos por su contenido, no por su nombre). "
    "Sube tu talón de pago en PDF tal como lo descargaste, o una foto en JPEG o PNG."
)
PDF_ACTIVO = (
    "El PDF contiene código o contenido activo (JavaScript, acciones, enlaces, formularios o archivos "
    "incrustados) y por seguridad no lo aceptamos. Descarga de nuevo tu talón de pago o súbelo como foto "
    "(JPEG o PNG)."
)
PDF_CIFRADO = (
    "El PDF está protegido con contraseña o cifrado y no podemos revisarlo. Súbelo sin protección, "
    "o una foto de tu talón (JPEG o PNG)."
)
DANADO = "No pudimos abrir el archivo: parece dañado o incompleto. Vuelve a descargar tu talón o toma otra foto."
VACIO = "El archivo está vacío (0 bytes). Elige el archivo de tu talón de pago."


def maximo() -> int:
    return settings.ACLARACION_TALON_MAXIMO


def demasiado_grande(tamanio: int) -> str:
    megas = maximo() // (1024 * 1024)
    return (
        f"El archivo pesa {tamanio / (1024 * 1024):.1f} MB y el máximo es de {megas} MB. "
        "Si es una foto, tómala con menor resolución o súbela en PDF."
    )


@dataclass(frozen=True)
class Talon:
    """A payslip whose content was checked: only `leer_talon` makes one."""

    contenido: bytes
    tipo: str  # PDF, JPEG or PNG, as its content showed
    nombre: str  # as the borrower named it: for display only
    sha256: str

    @property
    def tamanio(self) -> int:
        return len(self.contenido)


def leer_talon(archivo: UploadedFile) -> Talon:
    """The checked talón, or ValidationError with the reason in Spanish. Reads at most the limit + 1 byte."""
    tamanio = archivo.size or 0
    if tamanio > maximo():
        raise ValidationError(demasiado_grande(tamanio), code="tamanio")
    archivo.seek(0)
    contenido = archivo.read(maximo() + 1)
    if len(contenido) > maximo():
        raise ValidationError(demasiado_grande(len(contenido)), code="tamanio")
    if not contenido:
        raise ValidationError(VACIO, code="vacio")
    tipo = revisar_contenido(contenido)
    nombre = (archivo.name or "").replace("\x00", "")[-255:]
    return Talon(contenido=contenido, tipo=tipo, nombre=nombre, sha256=hashlib.sha256(contenido).hexdigest())


def tipo_por_firma(contenido: bytes) -> str | None:
    return next((tipo for firma, tipo in FIRMAS if contenido.startswith(firma)), None)


def revisar_contenido(contenido: bytes) -> str:
    """The content's type if it is a PDF, JPEG or PNG we accept; ValidationError otherwise."""
    tipo = tipo_por_firma(contenido)
    if tipo is None:
        raise ValidationError(NO_RECONOCIDO, code="tipo")
    if tipo == PDF:
        _revisar_pdf(contenido)
    else:
        _revisar_imagen(contenido, tipo)
    return tipo


def demasiadas_paginas(paginas: int) -> str:
    return (
        f"El PDF tiene {paginas} páginas y el máximo es de {PAGINAS_MAXIMAS}. Sube sólo las hojas de tu talón "
        "de pago de esa quincena, o una foto (JPEG o PNG)."
    )


def _revisar_pdf(contenido: bytes) -> None:
    """Parsed, then every object looked at (`_objetos`): what a viewer could act upon refuses the file."""
    from pypdf import PdfReader

    if b"%%EOF" not in contenido[-4096:]:
        raise ValidationError(DANADO, code="danado")  # truncated: a parser would guess what is missing
    try:
        # strict: a file whose cross-references or objects are not where it says is refused, not repaired
        # by guessing (another reader could guess otherwise and find what this one missed).
        lector = PdfReader(io.BytesIO(contenido), strict=True)
        if "/Encrypt" in lector.trailer:
            raise ValidationError(PDF_CIFRADO, code="cifrado")
        if "/Root" not in lector.trailer:
            raise ValueError("sin catálogo")  # pypdf would look for one; a viewer may pick another
        paginas = len(lector.pages)
        for diccionario in _objetos(lector):
            if _es_activo(diccionario):
                raise ValidationError(PDF_ACTIVO, code="activo")
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds (RecursionError too) for a broken or hostile file
        logger.info("Talón PDF ilegible", exc_info=True)
        if b"/Encrypt" in contenido:  # pypdf fails opening some encrypted files: say why, not "dañado"
            raise ValidationError(PDF_CIFRADO, code="cifrado") from None
        raise ValidationError(DANADO, code="danado") from None
    if paginas == 0:
        raise ValidationError(DANADO, code="danado")
    if paginas > PAGINAS_MAXIMAS:
        raise ValidationError(demasiadas_paginas(paginas), code="paginas")


def _objetos(lector):
    """Every dictionary (and stream dictionary) of the file: those reachable from the trailer and every
    object its cross-reference tables list, reachable or not, so nothing a lenient viewer might still find
    goes unseen. Iterative: a deep or cyclic graph is no stack overflow."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

    pendientes = [lector.trailer]
    pendientes += [IndirectObject(n, gen, lector) for gen, ids in lector.xref.items() for n in ids]
    pendientes += [IndirectObject(n, 0, lector) for n in lector.xref_objStm]
    vistos: set[tuple[int, int]] = set()
    while pendientes:
        objeto = pendientes.pop()
        if isinstance(objeto, IndirectObject):
            if (objeto.idnum, objeto.generation) in vistos:
                continue
            vistos.add((objeto.idnum, objeto.generation))
            if len(vistos) > OBJETOS_MAXIMOS:
                raise ValueError("demasiados objetos")
            objeto = objeto.get_object()
        if isinstance(objeto, DictionaryObject):
            yield objeto
            pendientes.extend(dict.values(objeto))  # unresolved: references go through `vistos`
            if isinstance(objeto, StreamObject) and objeto.get("/Type") == "/ObjStm":
                pendientes.extend(_objetos_comprimidos(objeto, lector))
        elif isinstance(objeto, ArrayObject):
            pendientes.extend(list.__iter__(objeto))


def _objetos_comprimidos(flujo, lector) -> list:
    """Every object an object stream holds, whether or not the cross-references point at it: "N offset"
    pairs, then the objects (ISO 32000-1 §7.5.7). Decoded by pypdf, within its decompression limits."""
    from pypdf.generic import NumberObject, read_object

    datos = io.BytesIO(flujo.get_data())
    cuantos, primero = int(flujo["/N"]), int(flujo["/First"])
    if not 0 <= cuantos <= OBJETOS_MAXIMOS:
        raise ValueError("flujo de objetos inválido")

    def leer():
        while (caracter := datos.read(1)) and caracter in b" \t\r\n\f\x00":  # PDF whitespace
            pass
        datos.seek(-len(caracter), io.SEEK_CUR)
        return read_object(datos, lector)

    encabezado = [NumberObject(leer()) for _ in range(2 * cuantos)]
    objetos = []
    for desplazamiento in encabezado[1::2]:
        datos.seek(primero + int(desplazamiento))
        objetos.append(leer())
    return objetos


def _es_activo(diccionario) -> bool:
    if not _CLAVES_ACTIVAS.isdisjoint(diccionario.keys()):
        return True
    tipo = _nombre(diccionario, "/S")
    if tipo in _ACCIONES or (_nombre(diccionario, "/Type") == "/Action" and tipo != "/GoTo"):
        return True
    # By /Subtype alone: an annotation's /Type is optional, and no drawing (image, font, form XObject) uses these.
    return _nombre(diccionario, "/Subtype") in _ANOTACIONES_ACTIVAS


def _nombre(diccionario, clave: str) -> str | None:
    from pypdf.generic import NameObject

    valor = diccionario.get(clave)  # resolved
    return str(valor) if isinstance(valor, NameObject) else None


def _revisar_imagen(contenido: bytes, tipo: str) -> None:
    from PIL import Image

    formato = {JPEG: "JPEG", PNG: "PNG"}[tipo]
    try:
        with Image.open(io.BytesIO(contenido), formats=[formato]) as imagen:
            ancho, alto = imagen.size
            if ancho * alto > PIXELES_MAXIMOS:
                raise ValidationError(
                    "La imagen es demasiado grande (más de 40 megapíxeles). Tómala con menor resolución.",
                    code="pixeles",
                )
            imagen.verify()
        with Image.open(io.BytesIO(contenido), formats=[formato]) as imagen:
            imagen.load()  # verify() does not decode JPEG data; a truncated photo fails here
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 — Pillow raises many kinds for a broken or hostile file
        raise ValidationError(DANADO, code="danado") from None


# --- what staff and the borrower see: page images ----------------------------------------------------------

PDFTOPPM = "/usr/bin/pdftoppm"  # poppler-utils (the README's install step; CI installs it)
LADO_MAXIMO = 1600  # pixels, the longer side: a letter page reads well, a giant MediaBox costs no more
SEGUNDOS_MAXIMOS = 20
MEMORIA_MAXIMA = 1024 * 1024 * 1024  # address space of the renderer
FIRMA_PNG = b"\x89PNG\r\n\x1a\n"


class TalonIlegible(Exception):
    """poppler could not render the page (or it does not exist): no image, and the log says why."""


def paginas(contenido: bytes, tipo: str) -> int:
    """How many page images a payslip shows: a photo is one; a PDF its pages, at most PAGINAS_MAXIMAS (more were
    refused when it was filed)."""
    if tipo != PDF:
        return 1
    from pypdf import PdfReader

    try:
        return min(len(PdfReader(io.BytesIO(contenido), strict=True).pages), PAGINAS_MAXIMAS)
    except Exception:  # checked when filed; a file that stopped reading shows no page rather than a 500
        logger.warning("No se pudieron contar las páginas de un talón PDF", exc_info=True)
        return 0


def _limitar_recursos() -> None:
    """In the renderer's process, before it runs: a hostile PDF gets bounded CPU, memory and output."""
    resource.setrlimit(resource.RLIMIT_CPU, (SEGUNDOS_MAXIMOS, SEGUNDOS_MAXIMOS))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORIA_MAXIMA, MEMORIA_MAXIMA))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024 * 1024, 64 * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def pagina_png(contenido: bytes, numero: int) -> bytes:
    """Page `numero` (from 1) of a PDF as a PNG drawn by poppler's `pdftoppm`, the longer side LADO_MAXIMO.

    poppler draws; it runs no JavaScript and follows no action. It reads the PDF from a private temporary
    file, in its own process with no environment, limited in CPU time, memory and output size, and is
    killed after SEGUNDOS_MAXIMOS: a PDF crafted to hang or to exhaust the renderer costs that at most.
    """
    with tempfile.TemporaryDirectory(prefix="talon-") as carpeta:
        entrada, salida = os.path.join(carpeta, "talon.pdf"), os.path.join(carpeta, "pagina")
        with open(entrada, "wb") as archivo:
            archivo.write(contenido)
        argumentos = [
            PDFTOPPM, "-png", "-f", str(numero), "-l", str(numero), "-scale-to", str(LADO_MAXIMO), "-singlefile",
            entrada, salida,
        ]
        try:
            subprocess.run(
                argumentos, check=True, capture_output=True, timeout=SEGUNDOS_MAXIMOS, env={},
                stdin=subprocess.DEVNULL, preexec_fn=_limitar_recursos,  # setrlimit only; gunicorn.conf.py runs one thread a worker
            )
            with open(f"{salida}.png", "rb") as archivo:
                png = archivo.read()
        except (subprocess.SubprocessError, OSError) as error:
            logger.warning("pdftoppm no pudo dibujar la página %s de un talón: %s", numero, error)
            raise TalonIlegible(str(error)) from None
    if not png.startswith(FIRMA_PNG):
        raise TalonIlegible("pdftoppm no produjo un PNG")
    return png


# --- upload handler: a file past the limit is not kept -------------------------------------------------


class TalonExcedido(UploadedFile):
    """What the form receives instead of a file past the limit: its name and the bytes it had, no content."""

    def __init__(self, nombre: str, tamanio: int):
        super().__init__(file=io.BytesIO(), name=nombre, content_type="application/octet-stream", size=tamanio)


class LimiteDeTalon(FileUploadHandler):
    """First of the request's upload handlers: counts each file's bytes and, past the limit, stops passing
    them on, so neither memory nor a temporary file keeps the rest; the form then sees a `TalonExcedido`
    whose size says by how much it was exceeded."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.recibidos, self.excedido = 0, False

    def receive_data_chunk(self, raw_data, start):
        self.recibidos += len(raw_data)
        if self.recibidos > maximo():
            self.excedido = True
            return None  # swallowed: the next handlers never see these bytes
        return raw_data

    def file_complete(self, file_size):
        return TalonExcedido(self.file_name, self.recibidos) if self.excedido else None
