"""The statement parts drawn in Python (the chart, `grafica.svg`; the terms, `tablas.condiciones`) print what
the templates they replaced printed, byte for byte (tests/recuperacion/plantillas/*_referencia.html are those
templates as they were)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.template import engines

from prestamos.selectors import SerieSaldo
from recuperacion.grafica import Marca, grafica_saldo, svg
from tests.fabricas import CURP_ALICE
from tests.recuperacion.test_pensionados import rosa  # noqa: F401 — a fixture

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


# --- The loan's terms (recuperacion/templatetags/tablas.py `condiciones`) ---------------------------------

CONDICIONES_REFERENCIA = engines["django"].from_string(
    (Path(__file__).parent / "plantillas" / "condiciones_referencia.html").read_text()
)
CONDICIONES = engines["django"].from_string('{% include "recuperacion/_condiciones.html" %}')


def _vista(folio, dia=date(2026, 6, 5)):
    from prestamos.models import Prestamo
    from prestamos.selectors import vistas_prestamos

    return vistas_prestamos([Prestamo.objects.select_related("dependencia").get(folio=folio)], dia)[0]


@pytest.mark.django_db
def test_las_condiciones_son_las_de_la_plantilla(prestamo_alice, rosa):  # noqa: F811
    from tests.fabricas import FOLIO_ALICE, cargar_prestamos
    from tests.recuperacion.test_pensionados import FOLIO_ROSA

    cargar_prestamos(f"10000000009,{CURP_ALICE},ESPECIAL,15000.00,12.00,24,2019-01-10,2019-Q02,LIQUIDADO,24,2020-01-31")
    vistas = [_vista(FOLIO_ALICE), _vista(FOLIO_ALICE, date(2030, 1, 1)), _vista("10000000009"), _vista(FOLIO_ROSA)]
    assert any(v.liquidado for v in vistas) and not all(v.liquidado for v in vistas)
    assert {v.primer_periodo.PLURAL for v in vistas} == {"quincenas", "meses"}
    for vista in vistas:
        esperado = CONDICIONES_REFERENCIA.render({"vista": vista})
        assert CONDICIONES.render({"vista": vista}) == esperado
    # Text is escaped as the template escaped it.
    vista = vistas[0]
    vista.prestamo.dependencia.nombre = 'Secretaría <b>"A&B"</b>'
    esperado = CONDICIONES_REFERENCIA.render({"vista": vista})
    assert "&lt;b&gt;&quot;A&amp;B&quot;" in esperado and CONDICIONES.render({"vista": vista}) == esperado
