"""The payslip (talón de pago) a borrower uploads with an aclaración (docs/reglas.md §10): recognised by
its content, never by its name, and refused with a clear Spanish message when it is not a PDF, JPEG or PNG
we can trust to show to CAPP staff.

Uploads come from the internet, so a talón is assumed hostile until shown otherwise:
- the type is read from the first bytes (PDF `%PDF-`, JPEG `FF D8 FF`, PNG's 8-byte signature); an
  executable, an SVG or an HTML page renamed `talon.pdf` is none of them;
- an image must decode (Pillow) and stay under a pixel budget (a "decompression bomb" is refused);
- a PDF must not carry active content: JavaScript (`/JS`, `/JavaScript`, an `/OpenAction` that runs
  them), launch actions, embedded files, rich media or XFA forms. Names written with `#xx` escapes are
  decoded first, and compressed (Flate) streams are inflated, within a budget, so that an object stream
  cannot hide them. An encrypted PDF cannot be inspected, so it is refused too;
- 0 bytes and more than `ACLARACION_TALON_MAXIMO` (5 MB) are refused; `LimiteDeTalon` stops keeping an
  upload's bytes as soon as it passes the limit, so a 50 MB file never lands on disk.

Nothing here writes: a `Talon` is the checked content, which `recuperacion.aclaraciones` then stores.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
FIRMAS = ((b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG))
PIXELES_MAXIMOS = 40_000_000  # a 40-megapixel photo of a payslip is already more than enough
INFLADO_MAXIMO = 64 * 1024 * 1024  # bytes of decompressed PDF streams inspected, all streams together

# Active content in a PDF: the names a viewer acts upon. A name ends at whitespace or a delimiter.
_FIN_DE_NOMBRE = rb"(?=[\s()<>\[\]{}/%]|$)"
_ACTIVO = re.compile(
    rb"/(JS|JavaScript|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData|GoToE)" + _FIN_DE_NOMBRE
)
_ESCAPE_EN_NOMBRE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)

NO_RECONOCIDO = (
    "El archivo no es un PDF, JPEG ni PNG (lo revisamos por su contenido, no por su nombre). "
    "Sube tu talón de pago en PDF tal como lo descargaste, o una foto en JPEG o PNG."
)
PDF_ACTIVO = (
    "El PDF contiene código o contenido activo (JavaScript, acciones automáticas o archivos incrustados) "
    "y por seguridad no lo aceptamos. Descarga de nuevo tu talón de pago o súbelo como foto (JPEG o PNG)."
)
PDF_CIFRADO = (
    "El PDF está protegido con contraseña o cifrado y no podemos revisarlo. Súbelo sin protección, "
    "o una foto de tu talón (JPEG o PNG)."
)
NO_REVISABLE = (
    "El PDF usa una codificación interna que no podemos revisar. Descárgalo de nuevo de tu portal de nómina "
    "o sube una foto de tu talón (JPEG o PNG)."
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


def _revisar_pdf(contenido: bytes) -> None:
    """Active content is named in dictionaries: in the file's own text, or inside object streams
    (`/Type /ObjStm`, usually Flate-compressed). Stream bodies are left out of the plain scan: a JPEG
    of a scanned payslip holds millions of random bytes, among which `/JS` turns up by chance."""
    if b"%%EOF" not in contenido[-4096:]:
        raise ValidationError(DANADO, code="danado")
    fuera, flujos, desde = [], [], 0
    for flujo in _STREAM.finditer(contenido):
        fuera.append(contenido[desde : flujo.start(1)])
        diccionario = contenido[max(contenido.rfind(b"obj", desde, flujo.start()), desde) : flujo.start()]
        flujos.append((_nombres(diccionario), flujo[1]))
        desde = flujo.end(1)
    fuera.append(contenido[desde:])
    texto = _nombres(b"".join(fuera))
    if re.search(rb"/Encrypt" + _FIN_DE_NOMBRE, texto):
        raise ValidationError(PDF_CIFRADO, code="cifrado")
    if _ACTIVO.search(texto):
        raise ValidationError(PDF_ACTIVO, code="activo")
    presupuesto = INFLADO_MAXIMO
    for diccionario, cuerpo in flujos:
        if not re.search(rb"/ObjStm" + _FIN_DE_NOMBRE, diccionario):
            continue  # page contents, images, fonts: drawing, nothing a viewer runs
        if re.search(rb"/FlateDecode" + _FIN_DE_NOMBRE, diccionario):
            cuerpo = _inflar(cuerpo, presupuesto)
            if cuerpo is None:
                raise ValidationError(DANADO, code="danado")
        elif re.search(rb"/Filter" + _FIN_DE_NOMBRE, diccionario):
            raise ValidationError(NO_REVISABLE, code="no_revisable")  # another encoding: cannot look inside
        presupuesto -= len(cuerpo)
        if presupuesto < 0:
            raise ValidationError(DANADO, code="danado")  # a compression bomb is no payslip
        if _ACTIVO.search(_nombres(cuerpo)):
            raise ValidationError(PDF_ACTIVO, code="activo")


def _nombres(texto: bytes) -> bytes:
    """PDF names may spell any character as `#xx` (`/J#61vaScript`): decoded before looking for them."""
    return _ESCAPE_EN_NOMBRE.sub(lambda m: bytes([int(m[1], 16)]), texto)


def _inflar(datos: bytes, presupuesto: int) -> bytes | None:
    """The Flate-decoded stream (at most `presupuesto` + 1 bytes), or None when it does not decode."""
    try:
        return zlib.decompressobj().decompress(datos, max(presupuesto, 0) + 1)
    except zlib.error:
        return None


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
