"""Journey 5: axe-core finds no serious or critical violation on the main pages (desktop and phone widths)."""

from pathlib import Path

import pytest

from tests.e2e.navegador import AXE, Pagina, captura, describir_violaciones, recorrer, violaciones_axe
from tests.fabricas import CONTRASENA
from tests.recuperacion.test_pensionados import FOLIO_ROSA, rosa  # noqa: F401 (fixture)
from tests.recuperacion.test_pensionados_palabras import sin_mayo  # noqa: F401 (fixture)

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


@pytest.fixture
def paginas_de_todos(prestamo_alice, sin_mayo):  # noqa: F811
    """Every borrower page of the section, for a worker (Alice) and for a pensioner (Rosa, on 10 June 2026 with
    May's deduction missing and a regularization FOPI issued): SPEC §14 wants both read right and accessible."""
    from datetime import date

    from fopi.services import fopi_emitir
    from prestamos.models import Prestamo

    base = "/prestaciones/recuperacion-de-credito"
    comunes = ["", "estado-de-cuenta/", "regularizacion/", "fopi/", "fopi/nuevo/", "fopi/pagos/", "avisos/",
               "aclaraciones/", "aclaraciones/nueva/", "saldo-a-favor/"]
    alice = [Pagina(f"alice-{r.strip('/').replace('/', '-') or 'seccion'}", f"{base}/{r}", sesion=True) for r in comunes]
    alice.append(Pagina("alice-mi-cuenta", "/cuenta/mi-cuenta/", sesion=True))
    fopi = fopi_emitir(prestamo=Prestamo.objects.get(folio=FOLIO_ROSA), tipo="REGULARIZACION", hoy=date(2026, 6, 10))
    de_rosa = [Pagina(f"rosa-{r.strip('/').replace('/', '-') or 'seccion'}", f"{base}/{r}", sesion=True) for r in comunes]
    de_rosa += [Pagina("rosa-fopi-regularizacion", f"{base}/fopi/{fopi.pk}/", sesion=True),
             Pagina("rosa-mi-cuenta", "/cuenta/mi-cuenta/", sesion=True)]
    return alice, de_rosa


def test_every_borrower_page_of_a_worker_and_a_pensioner_is_accessible(axe_disponible, pagina, live_server, paginas_de_todos):
    page = pagina
    informe = []
    de_alice, de_rosa = paginas_de_todos
    for ancho in ANCHOS:
        for usuario, paginas in (("alice", de_alice), ("rosa", de_rosa)):
            page.context.clear_cookies()
            page.set_viewport_size({"width": ancho, "height": 900})
            for p in recorrer(page, live_server, paginas, usuario=usuario, contrasena=CONTRASENA):
                captura(page, p.nombre, ancho)
                ancho_real = page.evaluate("document.documentElement.scrollWidth")
                if ancho_real > ancho:
                    informe.append(f"{p.nombre} a {ancho} px: {ancho_real} px de ancho (desplazamiento lateral)")
                if violaciones := violaciones_axe(page):
                    informe.append(describir_violaciones(p.nombre, ancho, violaciones))
    assert not informe, "Problemas:\n" + "\n".join(informe)
