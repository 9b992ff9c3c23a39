"""The FOPI benchmark's floor is a fair one: it prints every text the real FOPI prints, no fewer."""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import fopi_pdf  # noqa: E402

from fopi.pdf import render_fopi  # noqa: E402
from tests.fabricas import texto  # noqa: E402


def palabras(pdf: bytes) -> Counter:
    return Counter(texto(pdf).split())


def test_the_floor_prints_the_same_words_as_the_fopi():
    for datos in fopi_pdf.datos_de_ejemplo(5):
        assert palabras(fopi_pdf.piso(datos)) == palabras(render_fopi(datos))


def test_the_floor_lists_every_text_once():
    datos = fopi_pdf.datos_de_ejemplo(1)[0]
    contenido = texto(fopi_pdf.piso(datos))

    for linea in fopi_pdf.textos_de(datos):
        assert linea in contenido
