"""The statement's loan parts kept in the cache (recuperacion/partes.py): never stale, never another's.

Every test runs twice: with a memory cache (entries kept and found) and with none (Django's dummy cache:
every part drawn each time), so both paths give the same page.
"""

import re
import uuid
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prestamos.models import Dependencia, Movimiento, Prestamo
from prestamos.services import prestamo_aplicar_pago
from recuperacion import partes
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, FOLIO_BOB, remesa

URL = "/prestaciones/recuperacion-de-credito/estado-de-cuenta/"


@pytest.fixture(params=["memoria", "ninguna"])
def cache_paginas(request, settings):
    """The shared cache as the page sees it: a fresh memory cache, or none at all."""
    if request.param == "memoria":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                       "LOCATION": f"estado-{uuid.uuid4()}"}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    return request.param


def pagina(cliente) -> str:
    respuesta = cliente.get(URL)
    assert respuesta.status_code == 200
    # The logout form's CSRF token is masked anew on every response: the only part that may differ.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", respuesta.content.decode())


def movimientos(html: str) -> str:
    tabla = html[html.index("<caption>Movimientos del préstamo") :]
    return tabla[: tabla.index("</table>")]


def fila(html: str, numero: int) -> str:
    tabla = html[html.index("<caption>Tabla de amortización") :]
    return re.search(rf'<tr class="[^"]*"><td data-etiqueta="Núm.">{numero}</td>.*?</tr>', tabla).group(0)


def en_cache(prestamo) -> bool:
    from django.core.cache import cache

    return cache.get(partes.clave(prestamo.pk)) is not None


@pytest.mark.django_db
def test_the_page_from_the_cache_is_the_page_drawn_now(cache_paginas, cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 7, 10))  # Q11 missing (moratorios, notice), Q12 awaiting its remesa
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("300.00"), fecha_valor=date(2026, 6, 20),
                          tipo=Movimiento.Tipo.PAGO, origen="Pago <b>BBVA</b>", hoy=date(2026, 6, 20))
    primera = pagina(cliente_alice)
    assert en_cache(prestamo_alice) == (cache_paginas == "memoria")
    assert pagina(cliente_alice) == primera
    assert "<svg" in primera and "Pago &lt;b&gt;BBVA&lt;/b&gt;" in primera and "Tabla de amortización" in primera


@pytest.mark.django_db
def test_the_cached_parts_are_what_the_statement_body_draws_itself(cache_paginas, prestamo_alice, hoy):
    """The CAPP console draws the body without `detalle` (the includes): the same markup as the cached parts."""
    from django.template.loader import render_to_string

    from fopi import selectors as fopi_selectors
    from recuperacion import selectors
    from recuperacion.grafica import grafica_saldo

    hoy(date(2026, 7, 10))
    estado = selectors.estado_de_cuenta(derechohabiente=prestamo_alice.derechohabiente, hoy=date(2026, 7, 10))
    vigente = estado.vigente
    comprobantes = fopi_selectors.comprobantes([vigente])
    base = {"estado": estado, "vigente": vigente, "comprobantes": comprobantes}
    propio = render_to_string("recuperacion/_estado_cuenta.html", {**base, "grafica": grafica_saldo(vigente.serie_saldo())})
    for _ in range(2):  # drawn and stored, then (memory cache) read back
        assert render_to_string("recuperacion/_estado_cuenta.html", {**base, "detalle": partes.detalle(vigente, comprobantes)}) == propio


@pytest.mark.django_db
def test_a_payment_through_the_ledger_s_writer_shows_at_once(cache_paginas, cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 20))
    antes = pagina(cliente_alice)
    assert pagina(cliente_alice) == antes and "10 / 38" in antes
    prestamo_aplicar_pago(prestamo=prestamo_alice, importe=D("701.12"), fecha_valor=date(2026, 6, 15),
                          tipo=Movimiento.Tipo.DESCUENTO, origen="prueba", hoy=date(2026, 6, 20))
    despues = pagina(cliente_alice)
    assert "11 / 37" in despues and ">Pagada</td>" in fila(despues, 11)
    assert movimientos(despues).count("<tr") == movimientos(antes).count("<tr") + 1


@pytest.mark.django_db
def test_a_remesa_shows_at_once_whichever_path_writes_it(cache_paginas, cliente_alice, prestamo_alice, hoy, monkeypatch):
    """On PostgreSQL the second remesa's ordinary deduction is written set-based (libro.asentar_ordinarias),
    by SQL that never builds a Movimiento in Python; on SQLite by the engine. The page sees it either way."""
    from prestamos import libro

    en_bloque = []
    asentar_ordinarias = libro.asentar_ordinarias
    monkeypatch.setattr(libro, "asentar_ordinarias", lambda *a, **k: en_bloque.append(1) or asentar_ordinarias(*a, **k))
    hoy(date(2026, 6, 20))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    hoy(date(2026, 7, 3))
    antes = pagina(cliente_alice)
    assert pagina(cliente_alice) == antes and "11 / 37" in antes
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q12")
    assert bool(en_bloque) == (connection.vendor == "postgresql")
    despues = pagina(cliente_alice)
    assert "12 / 36" in despues and ">Pagada</td>" in fila(despues, 12)
    assert "2ª quincena de junio de 2026" in movimientos(despues) and "2ª quincena de junio de 2026" not in movimientos(antes)


@pytest.mark.django_db
def test_a_reversal_shows_at_once(cache_paginas, cliente_alice, prestamo_alice, hoy):
    from oficina.importacion import revertir_archivo
    from tests.fabricas import ENCABEZADO

    hoy(date(2026, 6, 20))
    archivo = (ENCABEZADO + f"SEP,2026-Q11,{FOLIO_ALICE},{CURP_ALICE},701.12\n").encode()
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q11")
    antes = pagina(cliente_alice)
    assert pagina(cliente_alice) == antes and "11 / 37" in antes and "fila--reversion" not in antes
    revertir_archivo(archivo, motivo="Archivo equivocado", nombre_archivo="descuentos.csv")
    despues = pagina(cliente_alice)
    assert "fila--reversion" in movimientos(despues) and "10 / 38" in despues


@pytest.mark.django_db
def test_money_in_review_applied_by_the_capp_shows_with_its_comprobante(
    cache_paginas, cliente_alice, prestamo_alice, hoy, staff
):
    from fopi.models import PagoBancario
    from fopi.services import fopi_emitir, pago_aplicar_a_prestamo
    from oficina.importacion import importar_archivo

    hoy(date(2026, 6, 20))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("701.12"), hoy=date(2026, 6, 20))
    importar_archivo(f"banco,autorizacion,fecha_pago,referencia,importe\nBBVA,C1,2026-06-20,{fopi.referencia},675.04\n".encode())
    pago = PagoBancario.objects.get()
    assert pago.estado == PagoBancario.Estado.EN_REVISION
    antes = pagina(cliente_alice)
    assert pagina(cliente_alice) == antes and "Comprobante de pago" not in antes
    pago_aplicar_a_prestamo(pago=pago, prestamo=prestamo_alice, usuario=staff, motivo="Pagó de menos")
    despues = pagina(cliente_alice)
    assert "Comprobante de pago" in movimientos(despues) and "$675.04" in movimientos(despues)


@pytest.mark.django_db
def test_the_next_day_draws_the_parts_again(cache_paginas, cliente_alice, prestamo_alice, hoy):
    hoy(date(2026, 6, 14))  # Q11 falls due on 15/06
    assert ">Por vencer</td>" in fila(pagina(cliente_alice), 11)
    hoy(date(2026, 6, 16))
    html = pagina(cliente_alice)
    assert ">Vencida</td>" in fila(html, 11) and "16/06/2026" in html


@pytest.mark.django_db
def test_what_changes_without_a_movement_shows_at_once(cache_paginas, cliente_alice, prestamo_alice, hoy):
    """The dependencia's name (in the terms) and a movement booked behind the snapshot's back: the entry is
    signed with the ledger as read and with the loan's row, not with the snapshot pointer alone."""
    from prestamos import posiciones

    hoy(date(2026, 6, 20))
    pagina(cliente_alice)
    Dependencia.objects.filter(pk=prestamo_alice.dependencia_id).update(nombre="Secretaría de Educación (SEP)")
    assert "Secretaría de Educación (SEP)" in pagina(cliente_alice)
    replay = posiciones.posicion(prestamo_alice, reproducir=True)
    fecha = date(2026, 6, 16)
    a = replay.aplicar(fecha_valor=fecha, importe=D("100.00"), contexto=posiciones.contexto(prestamo_alice, fecha))
    Movimiento.objects.create(
        prestamo=prestamo_alice, tipo=Movimiento.Tipo.PAGO, fecha_valor=fecha, importe=D("100.00"),
        moratorios=a.moratorios, interes=a.interes, capital=a.capital, excedente=a.excedente,
        aplicacion=a.a_json(), origen="sin instantánea",
    )
    assert "sin instantánea" in movimientos(pagina(cliente_alice))


def _consultas(cliente) -> int:
    with CaptureQueriesContext(connection) as consultas:
        assert cliente.get(URL).status_code == 200
    return len(consultas)


@pytest.mark.django_db
def test_the_page_makes_the_same_queries_however_many_movements(cache_paginas, client, alice, hoy,
                                                                 django_assert_max_num_queries):
    """First view (parts drawn and stored) and the next (parts read): the same number of queries with 2
    movements or 40. Session, user, payroll officer?, padrón entry, loans, movements, comprobantes; the
    first view also reads remesas and parameters (every view, without a cache)."""
    from django.core.cache import cache

    from tests.fabricas import cargar_prestamos

    hoy(date(2026, 6, 20))
    cargar_prestamos(f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,48,2025-12-20,2026-Q01,VIGENTE,10,")
    client.force_login(alice.usuario)
    prestamo = Prestamo.objects.get(folio=FOLIO_ALICE)
    cuentas = []
    for pagos in (1, 39):
        for k in range(pagos):
            prestamo_aplicar_pago(prestamo=prestamo, importe=D("10.00"), fecha_valor=date(2026, 6, 16),
                                  tipo=Movimiento.Tipo.PAGO, origen=f"pago {k}", hoy=date(2026, 6, 20))
        cache.clear()  # each round from a cold cache: remesas, parameters and parts all read anew
        with django_assert_max_num_queries(9):
            primera = _consultas(client)
        with django_assert_max_num_queries(9 if cache_paginas == "ninguna" else 7):
            segunda = _consultas(client)
        cuentas.append((primera, segunda))
    assert cuentas[0] == cuentas[1]


@pytest.mark.django_db
def test_a_borrower_never_gets_another_borrower_s_parts(cache_paginas, client, prestamo_alice, prestamo_bob, hoy):
    from django.core.cache import cache

    hoy(date(2026, 6, 20))
    client.force_login(prestamo_alice.derechohabiente.usuario)
    assert FOLIO_ALICE in pagina(client)
    # Even Alice's entry stored under Bob's loan (a bug, a collision) is not served to Bob: its signature
    # names Alice's loan.
    entrada = cache.get(partes.clave(prestamo_alice.pk))
    if entrada is not None:
        cache.set(partes.clave(prestamo_bob.pk), entrada)
    client.force_login(prestamo_bob.derechohabiente.usuario)
    html = pagina(client)
    assert FOLIO_BOB in html and FOLIO_ALICE not in html
    # And Bob's page asks for no loan of anyone else's.
    client.force_login(prestamo_alice.derechohabiente.usuario)
    assert FOLIO_BOB not in pagina(client)


class _Espia:
    """A cache seen through: records each key asked for by get and by get_many."""

    def __init__(self, cache):
        self._cache, self.get_de, self.get_many_de = cache, [], []

    def __getattr__(self, nombre):
        return getattr(self._cache, nombre)

    def get(self, clave, default=None):
        self.get_de.append(clave)
        return self._cache.get(clave, default)

    def get_many(self, claves):
        self.get_many_de.append(list(claves))
        return self._cache.get_many(claves)


@pytest.mark.django_db
def test_the_parts_entry_comes_in_the_remesas_round_trip(cache_paginas, cliente_alice, prestamo_alice, hoy, monkeypatch):
    """One round trip to the cache reads the remesas, the parameters and the loan's parts; the parts are
    never asked for apart. With no entry (first view, or no cache) they are drawn and stored."""
    from prestamos import posiciones

    hoy(date(2026, 7, 10))
    compartida, de_partes = _Espia(posiciones.cache_compartida), _Espia(partes.cache)
    monkeypatch.setattr(posiciones, "cache_compartida", compartida)
    monkeypatch.setattr(partes, "cache", de_partes)
    dibujos = []
    dibujar = partes.dibujar
    monkeypatch.setattr(partes, "dibujar", lambda *a: dibujos.append(1) or dibujar(*a))
    primera = pagina(cliente_alice)
    segunda = pagina(cliente_alice)
    assert segunda == primera
    clave = partes.clave(prestamo_alice.pk)
    assert sum(clave in claves for claves in compartida.get_many_de) == 2  # once per page
    assert clave not in compartida.get_de and clave not in de_partes.get_de
    assert len(dibujos) == (1 if cache_paginas == "memoria" else 2)


@pytest.mark.django_db
def test_other_pages_reading_the_statement_do_not_fetch_the_parts(cache_paginas, prestamo_alice, monkeypatch):
    from prestamos import posiciones
    from prestamos.selectors import SIN_LEER
    from recuperacion import selectors

    compartida = _Espia(posiciones.cache_compartida)
    monkeypatch.setattr(posiciones, "cache_compartida", compartida)
    estado = selectors.estado_de_cuenta(derechohabiente=prestamo_alice.derechohabiente, hoy=date(2026, 7, 10))
    assert estado.vigente.entrada is SIN_LEER
    assert not any(partes.clave(prestamo_alice.pk) in claves for claves in compartida.get_many_de)
    con = selectors.estado_de_cuenta(derechohabiente=prestamo_alice.derechohabiente, hoy=date(2026, 7, 10), con_partes=True)
    assert con.vigente.entrada is None  # asked for, not there yet
