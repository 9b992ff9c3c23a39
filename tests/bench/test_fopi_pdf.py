"""The FOPI benchmark's floor is a fair one: it prints every text the real FOPI prints, no fewer."""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import fopi_pdf  # noqa: E402

from fopi.pdf import AVISO_LIQUIDACION, render_fopi  # noqa: E402
from tests.fabricas import texto  # noqa: E402


def palabras(pdf: bytes) -> Counter:
    return Counter(texto(pdf).split())


def test_the_floor_prints_the_same_words_as_the_fopi():
    muestra = fopi_pdf.datos_de_ejemplo(12)
    # Every variant the FOPI prints: the three types, a REGULARIZACION's "Qué paga" line, the payoff's notice.
    assert {d.tipo for d in muestra} == {"PARCIAL", "LIQUIDACION", "REGULARIZACION"}
    assert all(bool(d.cubre) == (d.tipo == "REGULARIZACION") for d in muestra)

    for datos in muestra:
        assert palabras(fopi_pdf.piso(datos)) == palabras(render_fopi(datos))


def test_the_floor_lists_every_text_once():
    for datos in fopi_pdf.datos_de_ejemplo(12):
        contenido = texto(fopi_pdf.piso(datos))
        for linea in fopi_pdf.textos_de(datos):
            assert linea in contenido
        if datos.tipo == "REGULARIZACION":
            assert "Qué paga" in contenido and datos.cubre in contenido
        assert (AVISO_LIQUIDACION[0] in contenido) == (datos.tipo == "LIQUIDACION")


def test_the_regularizations_periods_read_as_the_fopi_words_them():
    cubre = [d.cubre for d in fopi_pdf.datos_de_ejemplo(60) if d.cubre]

    assert any(c.startswith("Quincenas sin descuento: ") for c in cubre)
    assert any(c.startswith("Meses sin descuento: ") for c in cubre)
    assert any(c.endswith("quincenas)") for c in cubre)  # a run of periods, printed as its ends


def test_the_floor_with_escribir_is_the_same_page():
    # The informative floor differs from the target's only in how it writes each text: the same PDF, byte for byte
    # but for its random document id.
    from reportlab import rl_config

    rl_config.invariant, antes = 1, rl_config.invariant
    try:
        for datos in fopi_pdf.datos_de_ejemplo(6):
            assert fopi_pdf.piso_directo(datos) == fopi_pdf.piso(datos)
    finally:
        rl_config.invariant = antes
