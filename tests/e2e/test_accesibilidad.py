"""Journey 5: axe-core finds no serious or critical violation on the main pages (desktop and phone widths)."""

from pathlib import Path

import pytest

from tests.e2e.navegador import AXE, captura, describir_violaciones, recorrer, violaciones_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ANCHOS = (1280, 375)


@pytest.fixture
def axe_disponible():
    if not Path(AXE).is_file():
        pytest.fail(
            f"No existe {AXE}: instala axe-core con "
            "`npm install --no-save --no-audit --no-fund axe-core@4` en la raíz del repositorio.",
            pytrace=False,
        )


def test_main_pages_have_no_serious_accessibility_violations(axe_disponible, pagina, live_server, paginas_principales):
    page = pagina
    informe = []
    for ancho in ANCHOS:
        page.context.clear_cookies()
        page.set_viewport_size({"width": ancho, "height": 900})
        for p in recorrer(page, live_server, paginas_principales):
            if ancho != 375:  # the 375 px captures come from the phone journey
                captura(page, p.nombre, ancho)
            if violaciones := violaciones_axe(page):
                informe.append(describir_violaciones(p.nombre, ancho, violaciones))
    assert not informe, "Violaciones de axe (serious/critical):\n" + "\n".join(informe)
