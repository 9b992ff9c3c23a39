"""recuperacion/grafica.py `svg`: the chart's markup in Python is the template's it replaced, byte for byte
(tests/recuperacion/plantillas/grafica_referencia.html is that template as it was)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.template import engines

from prestamos.selectors import SerieSaldo
from recuperacion.grafica import Marca, grafica_saldo, svg

REFERENCIA = engines["django"].from_string(
    (Path(__file__).parent / "plantillas" / "grafica_referencia.html").read_text()
)
PROPIA = engines["django"].from_string('{% include "recuperacion/_grafica.html" %}')


def _serie(**cambios) -> SerieSaldo:
    base = SerieSaldo(
        folio="10000000001",
        importe=D("30000.00"),
        otorgado=date(2025, 12, 20),
        hoy=date(2026, 6, 5),
        pagado=(
            (date(2025, 12, 20), D("30000.00")),
            (date(2026, 1, 15), D("29442.63")),
            (date(2026, 6, 5), D("25000.10")),
        ),
        proyectado=((date(2026, 6, 5), D("25000.10")), (date(2027, 12, 31), D("0.00"))),
        termino=date(2027, 12, 31),
        liquidado_el=None,
        adjetivo="descuento quincenal",
    )
    return replace(base, **cambios)


def _graficas():
    en_vigor = grafica_saldo(_serie())
    yield en_vigor
    # Today too close to the end: "Hoy" gives way (an empty label).
    yield grafica_saldo(
        _serie(hoy=date(2027, 12, 20), proyectado=((date(2027, 12, 20), D("600.00")), (date(2027, 12, 31), D("0.00"))))
    )
    # Paid off: no projection, no today.
    yield grafica_saldo(
        _serie(
            proyectado=(),
            termino=None,
            liquidado_el=date(2026, 6, 5),
            pagado=((date(2025, 12, 20), D("30000.00")), (date(2026, 6, 5), D("0.00"))),
        )
    )
    # A long loan, many year marks and rows.
    yield grafica_saldo(
        _serie(
            importe=D("80000.00"),
            otorgado=date(2022, 1, 10),
            pagado=((date(2022, 1, 10), D("80000.00")), (date(2026, 6, 5), D("31000.00"))),
            proyectado=((date(2026, 6, 5), D("31000.00")), (date(2029, 12, 31), D("0.00"))),
            termino=date(2029, 12, 31),
        )
    )
    # Text that must be escaped wherever the template printed text.
    yield replace(
        en_vigor,
        id="g\"<&>'",
        titulo="Saldo <b>&</b> \"x\" 'y'",
        descripcion="a<b>&c",
        leyenda_hoy="Hoy & <x>",
        leyenda_fin='Fin "<"',
        fin=Marca(300.0, "F<i>"),
        eje_x=(Marca(80.0, "<2026>"),),
    )
    yield replace(en_vigor, hoy=None)
    yield None


@pytest.mark.parametrize("grafica", list(_graficas()))
def test_el_svg_es_el_de_la_plantilla(grafica):
    esperado = REFERENCIA.render({"grafica": grafica})
    assert svg(grafica) + "\n" == esperado
    assert PROPIA.render({"grafica": grafica}) == esperado
    assert ("<figure" in esperado) == (grafica is not None)


def test_el_texto_se_escapa():
    grafica = list(_graficas())[4]
    html = svg(grafica)
    assert "Saldo &lt;b&gt;&amp;&lt;/b&gt; &quot;x&quot; &#x27;y&#x27;" in html and "<b>" not in html
