"""The FOPI PDF (fopi/pdf.py): what the borrower prints and takes to the bank (docs/reglas.md §7).

Checked the way a bank and a borrower meet it: the text poppler extracts, the fonts embedded, and the
barcode decoded from the rendered page as a scanner would. No database needed.
"""

import subprocess
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.graphics.barcode.code128 import _patterns as PATRONES_CODE128

from fopi.pdf import AVISO_COPIAS, BancoPdf, DatosFopi, referencia_agrupada, render_fopi
from oficina.pdf import ESTANDAR, INCRUSTADAS, fuentes_para
from tests.fabricas import paginas, texto

REFERENCIA = "2000000000100150209224"  # docs/reglas.md §7 worked example: folio 20000000001, 30/06/2026, 1,234.56

BANCOS = (
    BancoPdf(nombre="BBVA México", convenio="1234567"),
    BancoPdf(nombre="Banorte", convenio="0987654"),
    BancoPdf(nombre="Santander", convenio="5566778"),
)


def fopi(**cambios) -> DatosFopi:
    datos = dict(
        nombre="María Núñez Ibáñez",
        curp="NUIM850312MDFXBR05",
        folio="20000000001",
        tipo="PARCIAL",
        tipo_texto="Pago parcial",
        importe=Decimal("1234.56"),
        vigencia=date(2026, 6, 30),
        referencia=REFERENCIA,
        secuencia=1,
        emitido=date(2026, 6, 24),
        bancos=BANCOS,
        clabe="646180201000000015",
        beneficiario="ISSSTE Préstamos Personales",
    )
    datos.update(cambios)
    return DatosFopi(**datos)


def fuentes(pdf: bytes, carpeta) -> list[list[str]]:
    """pdffonts rows: name, type, encoding, emb, sub, uni, object id, generation."""
    archivo = carpeta / "fopi.pdf"  # pdffonts needs a file it can seek in, not stdin
    archivo.write_bytes(pdf)
    salida = subprocess.run(["pdffonts", str(archivo)], capture_output=True, check=True).stdout.decode()
    return [linea.split() for linea in salida.splitlines()[2:] if linea.strip()]


def test_it_is_a_one_page_pdf():
    pdf = render_fopi(fopi())

    assert pdf.startswith(b"%PDF")
    assert paginas(pdf) == 1


def test_spanish_texts_print_in_the_base_14_fonts_with_winansi_encoding(tmp_path):
    pdf = render_fopi(fopi())

    filas = fuentes(pdf, tmp_path)
    # Nothing embedded: every viewer and printer has Helvetica, and WinAnsi holds ñ and the accents.
    assert sorted(fila[0] for fila in filas) == ["Helvetica", "Helvetica-Bold"], filas
    assert all("WinAnsi" in fila for fila in filas), filas
    assert b"FontFile2" not in pdf
    assert "María Núñez Ibáñez" in texto(pdf)


def test_a_text_outside_winansi_embeds_the_truetype_fonts(tmp_path):
    # A bank name typed by staff (or a name from another source) with a letter WinAnsi lacks.
    pdf = render_fopi(fopi(bancos=(*BANCOS, BancoPdf(nombre="Banco Łukasz", convenio="1212121"))))

    filas = fuentes(pdf, tmp_path)
    assert b"FontFile2" in pdf
    assert all(fila[-5] == "yes" and "BitstreamVera" in fila[0] for fila in filas), filas
    contenido = texto(pdf)
    assert "Banco Łukasz" in contenido
    assert "María Núñez Ibáñez" in contenido


def test_fuentes_para_checks_every_text():
    assert fuentes_para("Ñandú", "Begoña — “Ibáñez” …") == ESTANDAR
    assert fuentes_para("María", "Ōsaka") == INCRUSTADAS
    assert fuentes_para() == ESTANDAR


def test_it_shows_the_borrower_and_the_loan():
    contenido = texto(render_fopi(fopi()))

    assert "Formato de Pago de Individuales (FOPI)" in contenido
    assert "María Núñez Ibáñez" in contenido
    assert "NUIM850312MDFXBR05" in contenido
    assert "20000000001" in contenido
    assert "Pago parcial" in contenido


def test_it_shows_the_amount_and_the_vigencia():
    contenido = texto(render_fopi(fopi()))

    assert "$1,234.56" in contenido
    assert "Pagar a más tardar el 30/06/2026" in contenido


def test_it_shows_the_reference_unbroken_and_grouped():
    contenido = texto(render_fopi(fopi()))

    assert REFERENCIA in contenido
    assert referencia_agrupada(REFERENCIA) == "2000 0000 0010 0150 2092 24"
    assert "2000 0000 0010 0150 2092 24" in contenido


def test_it_lists_the_authorized_banks_with_their_convenios():
    contenido = texto(render_fopi(fopi()), "-layout")

    assert "Bancos autorizados" in contenido
    for banco in BANCOS:
        renglon = next(linea for linea in contenido.splitlines() if banco.nombre in linea)
        assert banco.convenio in renglon


def test_it_warns_to_print_two_copies_and_pay_once():
    contenido = texto(render_fopi(fopi()))

    assert "Imprime dos copias. No pagues dos veces con el mismo formato." in contenido
    assert AVISO_COPIAS == "Imprime dos copias. No pagues dos veces con el mismo formato."
    assert "un solo uso" in contenido
    assert "válido hasta el 30/06/2026" in contenido


def test_it_shows_the_capp_contact_in_the_footer():
    contenido = texto(render_fopi(fopi()))

    assert "ISSSTETEL 55 4000 1000, opción 5" in contenido
    assert "capp@issste.gob.mx" in contenido
    assert "Página 1 de 1" in contenido


def test_it_prints_a_barcode_a_scanner_reads_as_the_reference():
    pdf = render_fopi(fopi())

    assert leer_code128(pdf) == REFERENCIA


def test_it_prints_the_barcode_of_each_reference():
    otra = "2000000000100250209127"
    assert leer_code128(render_fopi(fopi(referencia=otra))) == otra


def test_it_keeps_a_long_bank_list_on_one_page():
    bancos = tuple(BancoPdf(nombre=f"Banco Número {k:02d} de México", convenio=f"{k:07d}") for k in range(1, 25))

    pdf = render_fopi(fopi(bancos=bancos))

    assert paginas(pdf) == 1
    contenido = texto(pdf)
    assert all(b.nombre in contenido and b.convenio in contenido for b in bancos)
    assert AVISO_COPIAS in contenido


def test_it_fits_a_long_name_and_the_other_types():
    nombre = "María de los Ángeles Guadalupe Hernández Fernández de Córdoba y Sáenz de Santamaría"

    pdf = render_fopi(fopi(nombre=nombre, tipo="LIQUIDACION", tipo_texto="Liquidación", importe=Decimal("234567.89")))

    contenido = texto(pdf)
    assert nombre in " ".join(contenido.split())
    assert "Liquidación" in contenido
    assert "$234,567.89" in contenido


def test_a_regularization_prints_every_period_it_pays_even_many_scattered_ones():
    """SPEC §13: a REGULARIZACION FOPI lists the quincenas it covers. Four or more apart do not fit one line:
    the line wraps, nothing is cut with "…", and the page is still one page."""
    from prestamos.calculo import Mes, Quincena, periodos_en_palabras

    for tipo, numeros in ((Quincena, (3, 7, 11, 15, 19, 22, 24)), (Mes, (1, 3, 5, 8, 10, 12))):
        periodos = [tipo(anio=2025, numero=n) for n in numeros]
        cubre = f"{tipo.PALABRAS.plural.capitalize()} sin descuento: {periodos_en_palabras(periodos)}"
        pdf = render_fopi(fopi(tipo="REGULARIZACION", tipo_texto="Regularización", cubre=cubre))

        contenido = " ".join(texto(pdf).split())
        assert "…" not in contenido
        assert cubre in contenido
        assert paginas(pdf) == 1
        assert AVISO_COPIAS in contenido and "Página 1 de 1" in contenido


def test_a_regularization_of_few_periods_keeps_its_one_line():
    from prestamos.calculo import Quincena, periodos_en_palabras

    cubre = f"Quincenas sin descuento: {periodos_en_palabras([Quincena(anio=2025, numero=n) for n in (3, 7)])}"
    renglones = texto(render_fopi(fopi(tipo="REGULARIZACION", tipo_texto="Regularización", cubre=cubre)), "-layout")
    assert any(cubre in renglon for renglon in renglones.splitlines())


def test_it_is_not_confused_by_markup_in_names():
    contenido = texto(render_fopi(fopi(nombre="Ñuño <Peña> & Hijos")))

    assert "Ñuño <Peña> & Hijos" in contenido


# --- A small Code128 reader: the page rendered in grey, one scan line through the bars ---------------


def leer_code128(pdf: bytes, *, dpi: int = 300) -> str:
    pgm = subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-aa", "no", "-aaVector", "no", "-f", "1", "-l", "1", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    ancho, alto, pixeles = _leer_pgm(pgm)
    for fila in range(0, alto, 4):
        renglon = pixeles[fila * ancho : (fila + 1) * ancho]
        valor = _decodificar_renglon(renglon)
        if valor is not None:
            return valor
    raise AssertionError("No se encontró un código de barras Code128 legible en la página.")


def _leer_pgm(datos: bytes) -> tuple[int, int, bytes]:
    # Binary PGM (P5): magic, width, height, maxval, then one byte per pixel.
    campos = []
    posicion = 0
    while len(campos) < 4:
        while datos[posicion : posicion + 1].isspace():
            posicion += 1
        inicio = posicion
        while not datos[posicion : posicion + 1].isspace():
            posicion += 1
        campos.append(datos[inicio:posicion])
    assert campos[0] == b"P5"
    ancho, alto = int(campos[1]), int(campos[2])
    return ancho, alto, datos[posicion + 1 :]


_SIMBOLOS = {patron: valor for valor, patron in PATRONES_CODE128.items()}
_START_C, _STOP = 105, 106


def _decodificar_renglon(renglon: bytes) -> str | None:
    oscuro = [p < 128 for p in renglon]
    if True not in oscuro:
        return None
    inicio = oscuro.index(True)
    fin = len(oscuro) - oscuro[::-1].index(True)
    corridas: list[int] = []
    previo, largo = oscuro[inicio], 0
    for p in oscuro[inicio:fin]:
        if p == previo:
            largo += 1
        else:
            corridas.append(largo)
            previo, largo = p, 1
    corridas.append(largo)
    # Bars and spaces of n symbols: 6 runs each, the stop symbol has 7 (13 modules).
    if len(corridas) < 19 or (len(corridas) - 7) % 6:
        return None
    simbolos = (len(corridas) - 7) // 6 + 1
    modulo = sum(corridas) / (11 * (simbolos - 1) + 13)
    letras = []
    for k, corrida in enumerate(corridas):
        modulos = round(corrida / modulo)
        if not 1 <= modulos <= 4:
            return None
        letras.append(("ABCD" if k % 2 == 0 else "abcd")[modulos - 1])
    valores = []
    for s in range(simbolos):
        patron = "".join(letras[6 * s : 6 * s + (7 if s == simbolos - 1 else 6)])
        if patron not in _SIMBOLOS:
            return None
        valores.append(_SIMBOLOS[patron])
    if valores[0] != _START_C or valores[-1] != _STOP:
        return None
    datos, verificador = valores[1:-2], valores[-2]
    if (valores[0] + sum(i * v for i, v in enumerate(datos, start=1))) % 103 != verificador:
        return None
    if any(v > 99 for v in datos):
        return None  # only digits (code set C) belong in a reference
    return "".join(f"{v:02d}" for v in datos)


# --- Fitting a text: the fast path (unmeasured when it cannot overflow, measured once per process) -------


def _ajuste_medido_siempre(texto: str, fuente: str, tamanio: float, ancho: float) -> tuple[str, float]:
    """The fitting as it was before it was made fast: measure, shrink, cut with "…"."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    ancho_texto = stringWidth(texto, fuente, tamanio)
    if ancho_texto > ancho:
        tamanio = max(min(6.5, tamanio), tamanio * ancho / ancho_texto)
        while len(texto) > 1 and stringWidth(texto, fuente, tamanio) > ancho:
            texto = texto[:-2].rstrip() + "…"
    return texto, tamanio


@settings(max_examples=300, deadline=None)
@given(
    texto=st.text(alphabet="WM@—…%ÆáéíóúñÑ il.1 ABCmw" + "Łż", min_size=0, max_size=90),
    fuentes=st.sampled_from([ESTANDAR, INCRUSTADAS]),
    negrita=st.booleans(),
    tamanio=st.sampled_from([8.5, 9.0, 9.5, 10.5, 11.0, 15.0, 17.0, 20.0]),
    ancho=st.floats(min_value=20, max_value=520),
)
def test_the_fast_fit_is_the_measured_fit(texto, fuentes, negrita, tamanio, ancho):
    from fopi.pdf import _ajustado

    if fuentes is ESTANDAR:  # base-14 fonts only ever get WinAnsi texts (fuentes_para)
        texto = texto.encode("cp1252", "ignore").decode("cp1252")
    fuente = fuentes.negrita if negrita else fuentes.normal

    assert _ajustado(texto, fuente, tamanio, ancho) == _ajuste_medido_siempre(texto, fuente, tamanio, ancho)
    assert _ajustado(texto, fuente, tamanio, ancho) == _ajuste_medido_siempre(texto, fuente, tamanio, ancho)  # cached
