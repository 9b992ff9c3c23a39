"""Journey 4: on a 375 px phone the main pages fit the screen and every control is reachable with Tab."""

import pytest

from tests.e2e.navegador import abrir_desplegables, captura, desborde_horizontal, no_alcanzables_con_tab, recorrer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ANCHO = 375


def revisar_desborde(page, nombre, problemas):
    if desborde := desborde_horizontal(page, ANCHO):
        problemas.append(
            f"{nombre}: desplazamiento horizontal, ancho del documento {desborde['ancho_documento']} px > {ANCHO}; "
            f"sobresalen: {', '.join(desborde['elementos'])}"
        )


def test_main_pages_fit_a_phone_and_work_with_the_keyboard(pagina, live_server, paginas_principales):
    page = pagina
    page.set_viewport_size({"width": ANCHO, "height": 740})
    problemas = []
    for p in recorrer(page, live_server, paginas_principales):
        captura(page, p.nombre, ANCHO)
        revisar_desborde(page, p.nombre, problemas)
        if abrir_desplegables(page):  # e.g. the amortization table: what it shows must fit too
            revisar_desborde(page, f"{p.nombre} (desplegables abiertos)", problemas)
        if faltan := no_alcanzables_con_tab(page):
            problemas.append(f"{p.nombre}: no se alcanzan con Tab: {'; '.join(faltan)}")
    assert not problemas, "\n".join(problemas)
