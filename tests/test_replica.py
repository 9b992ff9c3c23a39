"""SPEC §17: the borrower's read-only pages read from the replica; everything else, and a borrower right after
their own write, from the primary; a replica that is down or late is not read.

The first tests run anywhere (the router's decisions with the replica's health stubbed). Those marked
`replica` need a real streaming replica of the test database's cluster (DATABASE_REPLICA_URL, made by
deploy/replica-local.sh; .ci/run does it): they pause its replay or delay it and look at the pages.
"""

import os
import time
from contextlib import contextmanager
from datetime import date
from decimal import Decimal as D

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connections
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse

from fopi.models import Fopi
from fopi.services import fopi_emitir
from oficina import replica
from oficina.bases import base_de_datos, replica_de
from tests.fabricas import FOLIO_ALICE

HOY = date(2026, 6, 5)


# --- settings -----------------------------------------------------------------------------------------------


def test_it_turns_off_prepared_statements_and_server_side_cursors_through_pgbouncer():
    url = "postgres://postgres@127.0.0.1:6432/oficina"
    directa, pooler = base_de_datos(url), base_de_datos(url, pooler="pgbouncer")
    assert "prepare_threshold" not in directa.get("OPTIONS", {}) and not directa.get("DISABLE_SERVER_SIDE_CURSORS")
    assert pooler["OPTIONS"]["prepare_threshold"] is None and pooler["DISABLE_SERVER_SIDE_CURSORS"] is True
    with pytest.raises(ImproperlyConfigured):
        base_de_datos(url, pooler="pgpool")


def test_it_reads_the_primarys_test_database_on_the_replica_and_gives_up_connecting_quickly():
    ajustes = replica_de("postgres://postgres@127.0.0.1:5433/oficina")
    assert ajustes["TEST"] == {"MIRROR": "default"} and ajustes["OPTIONS"]["connect_timeout"] == 2


# --- the router, with the replica's health stubbed ---------------------------------------------------------


@pytest.fixture
def con_replica_sana(monkeypatch):
    monkeypatch.setattr(replica, "configurada", lambda: True)
    monkeypatch.setattr(replica, "disponible", lambda: True)


def _destino(request):
    return HttpResponse(replica.EnrutadorReplica().db_for_read(Fopi))


def test_a_marked_page_reads_the_replica_and_nothing_else_does(con_replica_sana):
    pagina = replica.lectura_en_replica(_destino)
    peticion = RequestFactory().get("/")
    assert pagina(peticion).content == b"replica"
    assert _destino(peticion).content == b"default"  # not marked
    assert pagina(RequestFactory().post("/")).content == b"default"  # a write's request
    servicio = replica.en_primaria()(_destino)  # a service deciding what to write, called by a marked page
    assert replica.lectura_en_replica(servicio)(peticion).content == b"default"


def test_a_borrower_who_just_wrote_reads_the_primary(con_replica_sana):
    peticion = RequestFactory().get("/")
    peticion.COOKIES[replica.COOKIE_PRIMARIA] = "1"
    assert replica.lectura_en_replica(_destino)(peticion).content == b"default"


@pytest.mark.django_db
def test_inside_a_transaction_every_read_is_the_primarys(con_replica_sana):
    # pytest-django runs this test inside a transaction on the primary, as services run theirs.
    assert replica.lectura_en_replica(_destino)(RequestFactory().get("/")).content == b"default"


def test_a_page_the_replica_fails_in_the_middle_of_is_read_again_from_the_primary(con_replica_sana, monkeypatch):
    cerrada = type("Conexion", (), {"close": lambda self: None})()
    monkeypatch.setattr(replica, "connections", {"default": connections["default"], replica.REPLICA: cerrada})
    intentos = []

    def pagina(request):
        destino = replica.EnrutadorReplica().db_for_read(Fopi)
        intentos.append(destino)
        if destino == replica.REPLICA:
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse(destino)

    monkeypatch.setattr(replica, "disponible", lambda: replica.salud.retraso is not None)
    replica.salud.retraso = 0.0
    try:
        assert replica.lectura_en_replica(pagina)(RequestFactory().get("/")).content == b"default"
        assert intentos == ["replica", "default"] and replica.salud.retraso is None
    finally:
        replica.olvidar_salud()


def test_an_error_of_the_primary_is_not_retried(con_replica_sana):
    def pagina(request):
        raise OperationalError("primary down")

    with pytest.raises(OperationalError):
        replica.lectura_en_replica(pagina)(RequestFactory().get("/"))


@pytest.mark.django_db
def test_a_borrowers_write_pins_their_reads_to_the_primary_for_a_few_seconds(
    cliente_alice, prestamo_alice, hoy, monkeypatch
):
    monkeypatch.setattr(replica, "configurada", lambda: True)
    hoy(HOY)
    assert replica.COOKIE_PRIMARIA not in cliente_alice.get(reverse("fopi_lista")).cookies
    respuesta = cliente_alice.post(reverse("fopi_nuevo"), {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "500.00"})
    assert respuesta.status_code == 302
    fijada = respuesta.cookies[replica.COOKIE_PRIMARIA]
    assert fijada["max-age"] == 15 and fijada["httponly"]


# --- a real replica ----------------------------------------------------------------------------------------



def con_replica(prueba):
    """A test against the real replica: committed writes (they must stream), both databases allowed."""
    marcas = (
        pytest.mark.postgres,
        pytest.mark.skipif(
            not os.environ.get("DATABASE_REPLICA_URL"),
            reason="sin réplica: DATABASE_REPLICA_URL no está definida (deploy/replica-local.sh crea una; .ci/run lo hace)",
        ),
        pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "replica"]),
    )
    for marca in marcas:
        prueba = marca(prueba)
    return prueba


@contextmanager
def _replica_como_superusuario():
    ajustes = connections[replica.REPLICA].settings_dict
    with psycopg.connect(host=ajustes["HOST"], port=ajustes["PORT"] or 5432, user=ajustes["USER"], dbname="postgres",
                         autocommit=True) as conexion:
        yield conexion


def _esperar_a_la_replica(segundos=60):
    """Until the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (lsn,) = cursor.fetchone()
    limite = time.monotonic() + segundos
    with _replica_como_superusuario() as conexion:
        while not conexion.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]:
            assert time.monotonic() < limite, "la réplica no alcanzó a la primaria"
            time.sleep(0.1)


@contextmanager
def _replay_en_pausa():
    with _replica_como_superusuario() as conexion:
        conexion.execute("SELECT pg_wal_replay_pause()")
        try:
            yield
        finally:
            conexion.execute("SELECT pg_wal_replay_resume()")


@contextmanager
def _replica_retrasada(intervalo="1h"):
    with _replica_como_superusuario() as conexion:
        conexion.execute(f"ALTER SYSTEM SET recovery_min_apply_delay = '{intervalo}'")
        conexion.execute("SELECT pg_reload_conf()")
        time.sleep(0.5)  # the startup process rereads its configuration
        try:
            yield
        finally:
            conexion.execute("ALTER SYSTEM RESET recovery_min_apply_delay")
            conexion.execute("SELECT pg_reload_conf()")


@pytest.fixture
def en_la_replica(client, prestamo_alice, hoy):
    """Alice logged in, her loan replayed on the replica, the replica's health asked afresh."""
    hoy(HOY)
    client.force_login(prestamo_alice.derechohabiente.usuario)
    _esperar_a_la_replica()
    replica.olvidar_salud()
    yield client
    replica.olvidar_salud()
    _esperar_a_la_replica()


@con_replica
def test_pages_read_from_the_replica_and_a_pinned_borrower_from_the_primary(en_la_replica, prestamo_alice):
    client = en_la_replica
    with override_settings(REPLICA_RETRASO_MAXIMO=3600), _replay_en_pausa():
        fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=HOY)
        enlace = reverse("fopi_detalle", args=[fopi.pk])
        # Written on the primary, not yet replayed: the pages, read from the replica, do not have it.
        assert enlace not in client.get(reverse("fopi_lista")).content.decode()
        assert client.get(enlace).status_code == 404
        assert replica.salud.retraso is not None  # it was asked, and answered
        client.cookies[replica.COOKIE_PRIMARIA] = "1"  # as after a write of her own
        assert enlace in client.get(reverse("fopi_lista")).content.decode()
        assert client.get(enlace).status_code == 200
        del client.cookies[replica.COOKIE_PRIMARIA]
        assert client.get(enlace).status_code == 404
    _esperar_a_la_replica()
    assert client.get(reverse("fopi_detalle", args=[fopi.pk])).status_code == 200


@con_replica
def test_a_borrowers_new_fopi_shows_at_once_with_a_delayed_replica(en_la_replica):
    client = en_la_replica
    with override_settings(REPLICA_RETRASO_MAXIMO=3600), _replica_retrasada():
        respuesta = client.post(reverse("fopi_nuevo"), {"prestamo": FOLIO_ALICE, "tipo": "PARCIAL", "importe": "500.00"})
        assert respuesta.status_code == 302
        pagina = client.get(respuesta["Location"])
        assert pagina.status_code == 200 and "500.00" in pagina.content.decode()
        # Without the pin the same page, read from the delayed replica, would not find it yet.
        del client.cookies[replica.COOKIE_PRIMARIA]
        assert client.get(respuesta["Location"]).status_code == 404


@con_replica
def test_a_replica_late_past_the_limit_is_not_read(en_la_replica, prestamo_alice):
    client = en_la_replica
    with override_settings(REPLICA_RETRASO_MAXIMO=1), _replay_en_pausa():
        fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=HOY)
        time.sleep(2)
        assert client.get(reverse("fopi_detalle", args=[fopi.pk])).status_code == 200
        assert replica.salud.retraso > 1


@con_replica
def test_pages_still_work_when_the_replica_is_down(en_la_replica, prestamo_alice):
    client = en_la_replica
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=HOY)
    conexion = connections[replica.REPLICA]
    puerto = conexion.settings_dict["PORT"]
    conexion.close()
    conexion.settings_dict["PORT"] = "1"  # nothing listens there: what a stopped replica looks like to a node
    try:
        for pagina in ("recuperacion", "estado_cuenta", "fopi_lista", "pago_lista"):
            assert client.get(reverse(pagina)).status_code == 200, pagina
        assert client.get(reverse("fopi_detalle", args=[fopi.pk])).status_code == 200
        assert replica.salud.retraso is None
    finally:
        conexion.close()
        conexion.settings_dict["PORT"] = puerto
