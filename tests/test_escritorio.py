"""The CAPP desk (docs/reglas.md §15, issue 27): the admin's first page shows each role the counters of the queues
it can act on, each counting exactly the rows its link lists; it runs a fixed number of queries; its one search
box finds a borrower from whatever a caller has at hand, each match with "Abrir consola"."""

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import IntentosRegistro
from fopi.models import AlertaSpei, PagoBancario
from prestamos.models import Carga, Derechohabiente
from tests.accounts.personal import CON, OPE, PERSONAL, SIN_ROL, SU, SUP, cliente_de, miembro, mundo

OPERACION = {"pagos", "aclaraciones", "devoluciones", "cargas", "alertas"}
# Who sees which counter: the queues each role acts on (docs/reglas.md §3), written from the rules.
VISIBLES = {
    CON: set(),  # reads everything, acts on nothing
    OPE: OPERACION,
    SUP: OPERACION | {"registros"},  # also reopens registrations closed by failed RFC attempts
    SU: OPERACION | {"registros"},
    SIN_ROL: set(),
}
CONTADOR = re.compile(
    r'<a class="escritorio__contador[^"]*" href="(?P<url>[^"]+)" id="contador-(?P<clave>\w+)"[^>]*>\s*'
    r"<strong>(?P<n>\d+)</strong>"
)


def contadores(html: str) -> dict[str, tuple[int, str]]:
    return {m["clave"]: (int(m["n"]), m["url"].replace("&amp;", "&")) for m in CONTADOR.finditer(html)}


@pytest.fixture
def equipo(django_user_model, db):
    return {rol: miembro(rol, django_user_model) for rol in PERSONAL}


@pytest.fixture
def o(equipo):
    """The walks' world, plus rows each counter must leave out (too old, or not waiting) and more of those it counts."""
    o = mundo(equipo[SU])
    hace_dos_semanas = timezone.now() - timedelta(days=14)
    viejas = Carga.objects.bulk_create([
        Carga(archivo="cargas/v.csv", nombre="vieja.csv", estado=Carga.Estado.RECHAZADA, creada_por=equipo[SU]),
        Carga(archivo="cargas/t.csv", nombre="buena.csv", estado=Carga.Estado.TERMINADA, creada_por=equipo[SU]),
        Carga(archivo="cargas/r.csv", nombre="rechazada.csv", estado=Carga.Estado.RECHAZADA, creada_por=equipo[SU]),
    ])
    Carga.objects.filter(pk=viejas[0].pk).update(creada=hace_dos_semanas)
    vieja = AlertaSpei.objects.create(
        causa=AlertaSpei.Causa.CUENTA_INEXISTENTE, motivo="Ningún FOPI ha tenido esta CLABE", id_spei="2",
        fecha_operacion=timezone.localdate(), institucion_ordenante="40012", clave_rastreo="R2", monto=D("50.00"),
        cuenta_beneficiario="646180201099999998",
    )
    AlertaSpei.objects.filter(pk=vieja.pk).update(recibida=hace_dos_semanas)
    PagoBancario.objects.create(
        banco="BANORTE", autorizacion="A9", fecha_pago=timezone.localdate(), referencia="1", importe=D("10.00"),
        estado=PagoBancario.Estado.DEVOLUCION, motivo="otro", cargado_por=equipo[SU],
    )
    otro = Derechohabiente.objects.exclude(intentos_registro__isnull=False).exclude(pk=o["derechohabiente"].pk).first()
    IntentosRegistro.objects.create(derechohabiente=otro, fallidos=2, ultimo_fallido=timezone.now())
    return o


@pytest.mark.django_db
@pytest.mark.parametrize("rol", PERSONAL)
def test_each_role_sees_the_counters_it_acts_on_and_each_counts_its_queue(equipo, o, rol):
    cliente = cliente_de(equipo[rol])
    respuesta = cliente.get(reverse("admin:index"))
    assert respuesta.status_code == 200
    vistos = contadores(respuesta.content.decode())
    assert set(vistos) == VISIBLES[rol]
    for clave, (n, url) in vistos.items():
        lista = cliente.get(url)
        assert lista.status_code == 200, f"{clave}: {url}"
        assert lista.context_data["cl"].result_count == n, f"{clave}: el contador dice {n}"
    esperados = {"pagos": 1, "aclaraciones": 2, "devoluciones": 1, "cargas": 2, "alertas": 1, "registros": 1}
    assert {c: n for c, (n, _) in vistos.items()} == {c: esperados[c] for c in VISIBLES[rol]}


@pytest.mark.django_db
def test_the_counters_follow_the_queues(equipo, o):
    """A payment resolved leaves the count; the counter is not a cached number."""
    cliente = cliente_de(equipo[OPE])
    assert contadores(cliente.get(reverse("admin:index")).content.decode())["pagos"][0] == 1
    PagoBancario.objects.filter(estado=PagoBancario.Estado.EN_REVISION).update(estado=PagoBancario.Estado.DEVOLUCION)
    assert contadores(cliente.get(reverse("admin:index")).content.decode())["pagos"][0] == 0


@pytest.mark.django_db
def test_the_desk_runs_a_fixed_number_of_queries(equipo, o):
    cliente = cliente_de(equipo[SUP])
    cliente.get(reverse("admin:index"))  # the session's and the permissions' first reads
    with CaptureQueriesContext(connection) as antes:
        cliente.get(reverse("admin:index"))
    # Ten times the waiting work: the same queries.
    for i in range(10):
        PagoBancario.objects.create(
            banco="BANORTE", autorizacion=f"X{i}", fecha_pago=timezone.localdate(), referencia="1", importe=D("10.00"),
            estado=PagoBancario.Estado.EN_REVISION, motivo="sin FOPI", cargado_por=equipo[SU],
        )
        Carga.objects.create(archivo="c.csv", nombre=f"c{i}.csv", estado=Carga.Estado.FALLIDA, creada_por=equipo[SU])
    with CaptureQueriesContext(connection) as despues:
        cliente.get(reverse("admin:index"))
    assert len(despues) == len(antes) <= 10, [q["sql"] for q in despues.captured_queries]


# --- the search box --------------------------------------------------------------------------------------


@pytest.fixture
def transferencia(o, equipo):
    """A SPEI deposit for the borrower's FOPI, a peso short: in review, found by the payer's name."""
    fopi = o["fopi"]
    return PagoBancario.objects.create(
        canal=PagoBancario.Canal.SPEI, banco="BANAMEX", fecha_pago=timezone.localdate(), importe=D("499.00"),
        estado=PagoBancario.Estado.EN_REVISION, motivo="Importe distinto al del FOPI ($500.00)", fopi=fopi,
        clave_rastreo="MBAN01002607200000099", institucion_ordenante="40002", nombre_ordenante="PEDRO PARAMO RULFO",
        cuenta_ordenante="002180004567891234", cuenta_beneficiario=fopi.clabe, concepto=fopi.referencia,
    )


def _buscar(cliente, texto):
    respuesta = cliente.get(reverse("admin:index"), {"q": texto})
    assert respuesta.status_code == 200
    return respuesta.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "dato",
    ["curp", "folio", "nombre", "aclaracion", "referencia", "clabe", "rastreo", "ordenante"],
)
def test_one_box_finds_the_borrower_from_whatever_the_caller_has(equipo, o, transferencia, dato):
    d, fopi = o["derechohabiente"], o["fopi"]
    texto = {
        "curp": d.curp.lower(),
        "folio": o["prestamo"].folio,
        "nombre": f"{d.nombre.split()[0]} {d.primer_apellido}",
        "aclaracion": o["aclaracion"].folio,
        "referencia": fopi.referencia,
        "clabe": fopi.clabe,
        "rastreo": transferencia.clave_rastreo,
        "ordenante": "pedro paramo",
    }[dato]
    html = _buscar(cliente_de(equipo[CON]), texto)
    consola = reverse("admin:recuperacion_consola_detalle", args=[d.pk])
    assert f'<a href="{consola}">Abrir consola</a>' in html, html
    assert "resultado" in html


@pytest.mark.django_db
def test_a_payment_in_review_found_by_the_payers_name_offers_resolver_to_operacion(equipo, o, transferencia):
    html = _buscar(cliente_de(equipo[OPE]), "Paramo")
    assert "PEDRO PARAMO RULFO" in html and "$499.00" in html and "En revisión" in html
    assert reverse("admin:fopi_pagobancario_resolver", args=[transferencia.pk]) in html
    assert "1 resultado para" in html


@pytest.mark.django_db
def test_a_deposit_nobody_is_known_for_is_listed_without_a_console(equipo, o):
    PagoBancario.objects.create(
        canal=PagoBancario.Canal.SPEI, banco="BANAMEX", fecha_pago=timezone.localdate(), importe=D("10.00"),
        estado=PagoBancario.Estado.EN_REVISION, motivo="CLABE desconocida", clave_rastreo="DESCONOCIDA01",
        institucion_ordenante="40002", nombre_ordenante="NADIE CONOCIDO", cuenta_beneficiario="646180201099999997",
    )
    html = _buscar(cliente_de(equipo[OPE]), "DESCONOCIDA01")
    assert "aún no se identifica" in html and "Abrir consola" not in html and "Resolver" in html


@pytest.mark.django_db
def test_nothing_found_says_what_each_key_looks_like(equipo, o):
    html = _buscar(cliente_de(equipo[CON]), "zzzz nadie")
    assert "No encontramos nada con «zzzz nadie»" in html and "18 caracteres" in html


@pytest.mark.django_db
def test_a_staff_account_without_a_role_gets_no_search_and_is_told_why(equipo, o):
    html = _buscar(cliente_de(equipo[SIN_ROL]), o["derechohabiente"].curp)
    assert 'name="q"' not in html and o["derechohabiente"].curp not in html
    assert "no tiene un rol del CAPP" in html
