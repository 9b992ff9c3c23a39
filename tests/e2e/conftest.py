"""Browser journeys: Playwright (sync API) in Debian's Chromium against pytest-django's live_server.

The live server runs in a thread of this same process, so the test can read `django.core.mail.outbox`
(locmem backend under pytest-django) and freeze the portal's "today" with the `hoy` fixture.
"""

import os

import pytest

# Playwright's sync API runs an asyncio loop in the test thread; the ORM calls made by the test (fixtures,
# assertions) happen there too, while the loop is idle.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
ESPERA_MS = 15_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The site sends a strict Content-Security-Policy; axe-core is injected as a <script>.
    return {**browser_context_args, "bypass_csp": True, "locale": "es-MX", "accept_downloads": True}


@pytest.fixture
def pagina(page):
    """pytest-playwright's page with shorter time-outs: a missing element fails in seconds, not 30 s."""
    page.set_default_timeout(ESPERA_MS)
    page.set_default_navigation_timeout(ESPERA_MS)
    return page


@pytest.fixture
def paginas_principales(prestamo_alice, hoy):
    """Alice with a loan, two missing deductions (so the regularization page has content) and a FOPI issued.

    Returns the main pages in visiting order: logged-out pages first, then Alice's (see `recorrer`).
    """
    from datetime import date
    from decimal import Decimal as D

    from fopi.services import fopi_emitir
    from prestamos.models import Remesa
    from tests.e2e.navegador import Pagina, enviar_registro_con_error
    from tests.fabricas import FOLIO_ALICE

    for n in (11, 12):
        Remesa.objects.create(dependencia=prestamo_alice.dependencia, quincena=f"2026-Q{n}")
    hoy(date(2026, 7, 5))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 7, 5))
    from fopi.models import Banco

    for orden, (nombre, convenio) in enumerate([("BBVA México", "1234567"), ("Banorte", "0987654")]):
        Banco.objects.create(nombre=nombre, convenio=convenio, orden=orden)
    base = "/prestaciones/recuperacion-de-credito"
    return [
        Pagina("inicio", "/"),
        Pagina("registro", "/cuenta/signup/"),
        Pagina("registro-con-errores", "/cuenta/signup/", preparar=enviar_registro_con_error),
        Pagina("login", "/cuenta/login/"),
        Pagina("recuperar-contrasena", "/cuenta/password/reset/"),
        Pagina("inicio-con-sesion", "/", sesion=True),
        Pagina("prestaciones", "/prestaciones/", sesion=True),
        Pagina("recuperacion", f"{base}/", sesion=True),
        Pagina("estado-de-cuenta", f"{base}/estado-de-cuenta/", sesion=True),
        Pagina("prestamo", f"{base}/prestamos/{FOLIO_ALICE}/", sesion=True),
        Pagina("fopi-formulario", f"{base}/fopi/nuevo/", sesion=True),
        Pagina(
            "fopi-formulario-efecto",
            f"{base}/fopi/nuevo/?prestamo={FOLIO_ALICE}&tipo=PARCIAL&importe=1500.00",
            sesion=True,
        ),
        Pagina("fopi", f"{base}/fopi/{fopi.pk}/", sesion=True),
        Pagina("fopi-lista", f"{base}/fopi/", sesion=True),
        Pagina("regularizacion", f"{base}/regularizacion/", sesion=True),
    ]


@pytest.fixture(autouse=True)
def _sitio_del_portal(db):
    """The site row the migration writes (accounts/0002): allauth names the portal with it on every page. A
    transactional test restores the migrated data, but an earlier flush in the same run can leave it missing
    on PostgreSQL; the browser journeys put it back explicitly rather than depend on the order."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.update_or_create(
        id=settings.SITE_ID, defaults={"domain": "oficinavirtual.issste.gob.mx", "name": "Oficina Virtual"}
    )
    Site.objects.clear_cache()
