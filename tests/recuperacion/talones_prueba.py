"""Payslips for the aclaraciones tests: real ones (a PDF drawn by reportlab, photos by Pillow) and hostile
ones (a renamed executable, an SVG with a script, PDFs that run JavaScript in the ways viewers accept)."""

import io
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf() -> bytes:
    """A one-page payslip as a payroll portal would print it."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    salida = io.BytesIO()
    hoja = canvas.Canvas(salida, pagesize=letter)
    hoja.drawString(72, 720, "SECRETARIA DE EDUCACION PUBLICA - Comprobante de pago")
    hoja.drawString(72, 700, "Quincena 2026-Q11   Deduccion ISSSTE prestamo personal 20000000001: 701.12")
    hoja.showPage()
    hoja.save()
    return salida.getvalue()


def imagen(formato: str = "JPEG", tamanio=(600, 400)) -> bytes:
    from PIL import Image, ImageDraw

    foto = Image.new("RGB", tamanio, "white")
    ImageDraw.Draw(foto).text((20, 20), "Talon de pago 2026-Q11  ISSSTE 701.12", fill="black")
    salida = io.BytesIO()
    foto.save(salida, formato)
    return salida.getvalue()


def _pdf_minimo(*objetos: bytes) -> bytes:
    """A small well-formed PDF from its objects (1: catalog, 2: pages, 3: page, then the rest)."""
    cuerpo, offsets = io.BytesIO(), []
    cuerpo.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    for numero, objeto in enumerate(objetos, start=1):
        offsets.append(cuerpo.tell())
        cuerpo.write(b"%d 0 obj\n" % numero + objeto + b"\nendobj\n")
    xref = cuerpo.tell()
    cuerpo.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objetos) + 1))
    for offset in offsets:
        cuerpo.write(b"%010d 00000 n \n" % offset)
    cuerpo.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objetos) + 1, xref))
    return cuerpo.getvalue()


PAGINAS = (b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")


def pdf_con_javascript(forma: str = "openaction") -> bytes:
    """PDFs that run JavaScript when opened, each hiding it differently."""
    if forma == "openaction":  # the classic: /OpenAction with a JavaScript action
        return _pdf_minimo(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", *PAGINAS
        )
    if forma == "names":  # document-level JavaScript in the names tree
        return _pdf_minimo(
            b"<< /Type /Catalog /Pages 2 0 R /Names << /JavaScript << /Names [(x) 4 0 R] >> >> >>",
            *PAGINAS,
            b"<< /S /JavaScript /JS (this.print()) >>",
        )
    if forma == "escapado":  # names spelled with #xx escapes: /J#61vaScript is /JavaScript
        return _pdf_minimo(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>", *PAGINAS
        )
    if forma == "comprimido":  # the action inside a Flate-compressed object stream
        dentro = b"4 0 << /S /JavaScript /JS (app.alert(1)) >>"
        flujo = zlib.compress(dentro)
        return _pdf_minimo(
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            *PAGINAS,
            b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(flujo)
            + flujo
            + b"\nendstream",
        )
    if forma == "lanzar":  # not JavaScript, as bad: launch a program
        return _pdf_minimo(b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Launch /F (calc.exe) >> >>", *PAGINAS)
    raise ValueError(forma)


def pdf_disfrazado(forma: str) -> bytes:
    """What passed the byte filter (issue 24): the active entry sits between a string `(stream` and a string
    `(endstream)`, which a byte scanner takes for a stream body and skips, while any PDF reader sees two
    strings around a live entry of the catalog. Also forms and actions in annotations and pages, which
    the byte filter never looked for."""
    if forma in ("javascript", "incrustado", "lanzar"):
        activo = {
            "javascript": b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
            "incrustado": b"/Names << /EmbeddedFiles << /Names [(nomina.exe) 4 0 R] >> >>",
            "lanzar": b"/OpenAction << /S /Launch /F (calc.exe) >>",
        }[forma]
        archivo = (  # the embedded file itself, its /Type left out (optional) so no byte names it
            (b"<< /F (nomina.exe) /EF << /F 5 0 R >> >>", b"<< /Length 2 >>\nstream\nMZ\nendstream")
            if forma == "incrustado" else ()
        )
        return _pdf_minimo(
            b"<< /Type /Catalog /Pages 2 0 R /Disfraz (stream\n) " + activo + b" /Fin (endstream) >>",
            *PAGINAS,
            *archivo,
        )
    if forma == "formulario":  # AcroForm: fields a viewer fills and submits
        return _pdf_minimo(
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
            PAGINAS[0],
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (clabe) /Rect [72 600 300 620] >>",
        )
    if forma == "xfa":
        return _pdf_minimo(b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] /XFA 4 0 R >> >>", *PAGINAS,
                           b"<< /Length 0 >>\nstream\n\nendstream")
    if forma == "anotacion":  # a link whose action runs JavaScript when clicked
        return _pdf_minimo(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            PAGINAS[0],
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [<< /Type /Annot /Subtype /Link "
            b"/Rect [0 0 612 792] /A << /S /JavaScript /JS (this.exportDataObject()) >> >>] >>",
        )
    if forma == "pagina-aa":  # the page's additional actions: run on opening the page
        return _pdf_minimo(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            PAGINAS[0],
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /AA << /O 4 0 R >> >>",
            b"<< /S /Launch /Win << /F (cmd.exe) >> >>",
        )
    if forma == "uri":  # opens an address on the internet
        return _pdf_minimo(b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /URI /URI (http://x.invalid/) >> >>",
                           *PAGINAS)
    raise ValueError(forma)


def pdf_de_paginas(paginas: int) -> bytes:
    """A payslip of `paginas` pages drawn by reportlab, each saying its number."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    salida = io.BytesIO()
    hoja = canvas.Canvas(salida, pagesize=letter)
    for numero in range(1, paginas + 1):
        hoja.drawString(72, 720, f"Comprobante de pago - hoja {numero}")
        hoja.showPage()
    hoja.save()
    return salida.getvalue()


def pdf_con_accion_benigna() -> bytes:
    """/OpenAction that only opens page 1 at a zoom: no JavaScript, accepted."""
    return _pdf_minimo(b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>", *PAGINAS)


EJECUTABLE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode"
)
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def archivo(contenido: bytes, nombre: str = "talon.pdf", tipo: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nombre, contenido, content_type=tipo)
