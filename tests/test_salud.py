"""The load balancer's probes (issue 31, README "Operación"): /salud/ answers from the process alone, /salud/lista/
says 503 and which check failed — each check failing on its own here — and neither tells a stranger a host, a
version or a secret. Both answer before the HTTPS redirect, ALLOWED_HOSTS, sessions and the second-factor gate."""

import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse

from oficina import salud
from prestamos import cargas

REDIS_PRUEBAS = "redis://127.0.0.1:6379/9"
REDIS_CERRADO = "redis://127.0.0.1:1/9"  # nothing listens on port 1
# The readiness probe asks the replica too when one is configured (CI runs the suite with one): its
# connection, opened in the probe's thread, must be allowed.
BASES = "__all__"


def lista(client):
    respuesta = client.get("/salud/lista/")
    return respuesta.status_code, json.loads(respuesta.content)


@pytest.fixture
def cola_cargas(settings):
    """The uploads queue on a Redis database of the tests' own, emptied before and after."""
    from redis import Redis
    from rq import Queue

    settings.REDIS_URL = REDIS_PRUEBAS
    cola = Queue(cargas.COLA, connection=Redis.from_url(REDIS_PRUEBAS))
    cola.empty()
    yield cola
    cola.empty()


def test_the_probes_have_the_names_the_second_factor_gate_opens():
    assert (reverse("salud"), reverse("salud_lista")) == (salud.RUTA_VIVO, salud.RUTA_LISTA)
    assert salud.COLA_CARGAS == cargas.COLA


@pytest.mark.django_db(databases=BASES)
def test_it_is_alive_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        respuesta = client.get("/salud/")
    assert (respuesta.status_code, respuesta.content) == (200, b"ok")
    assert respuesta["Cache-Control"] == "no-store"
    assert "sessionid" not in respuesta.cookies


@pytest.mark.django_db(databases=BASES)
def test_it_is_ready_when_every_check_passes(client, cola_cargas):
    assert lista(client) == (200, {"estado": "lista", "fallas": []})


@pytest.mark.django_db(databases=BASES)
def test_the_probes_answer_a_load_balancer_over_plain_http_by_the_nodes_address(client, settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["oficinavirtual.issste.gob.mx"]
    for ruta in ("/salud/", "/salud/lista/"):
        assert client.get(ruta, HTTP_HOST="10.0.0.5:8000").status_code == 200, ruta
    assert client.get("/", HTTP_HOST="10.0.0.5:8000").status_code == 400  # the rest of the portal still refuses


@contextlib.contextmanager
def base_en_puerto_cerrado():
    """The primary pointed at a closed port (SQLite: at a file that cannot be opened), for the connections
    opened from now on — the probe's — while the test's own connection stays as it was."""
    original = connections.settings["default"]
    cambiado = dict(original)
    if connection.vendor == "sqlite":
        cambiado["NAME"] = "/sin/directorio/base.sqlite3"
    else:
        cambiado.update(HOST="127.0.0.1", PORT="1")
    connections.settings["default"] = cambiado
    try:
        yield
    finally:
        connections.settings["default"] = original


@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BASES)
def test_it_is_not_ready_when_the_database_is_down(client):
    # In a thread of its own: after the browser tests this thread may hold an event loop, and the health
    # checks run through async_to_sync.
    from concurrent.futures import ThreadPoolExecutor

    with base_en_puerto_cerrado(), ThreadPoolExecutor(1) as hilo:
        codigo, cuerpo = hilo.submit(lista, client).result()
    assert (codigo, cuerpo) == (503, {"estado": "no lista", "fallas": ["base de datos"]})


class _Replica:
    """A replica connection whose lag query answers `retraso` seconds."""

    def __init__(self, retraso: float):
        self.retraso = retraso

    @contextlib.contextmanager
    def temporary_connection(self):
        replica = self

        class Cursor:
            def execute(self, sql, params=None):
                assert "pg_last_xact_replay_timestamp" in sql

            def fetchone(self):
                return (replica.retraso,)

        yield Cursor()


class _Conexiones:
    def __init__(self, replica):
        self.settings = {"default": connections.settings["default"], "replica": {}}
        self.replica = replica

    def __getitem__(self, alias):
        return self.replica if alias == "replica" else connections[alias]


@pytest.mark.django_db(databases=BASES)
@pytest.mark.parametrize("retraso, lista_", [(5.0, True), (120.0, False)])
def test_a_replica_lagging_past_its_limit_makes_the_node_not_ready(client, settings, monkeypatch, retraso, lista_):
    settings.REPLICA_RETRASO_MAXIMO = 30
    monkeypatch.setattr(salud, "connections", _Conexiones(_Replica(retraso)))
    esperado = (200, {"estado": "lista", "fallas": []}) if lista_ else (503, {"estado": "no lista", "fallas": ["réplica"]})
    assert lista(client) == esperado


@pytest.mark.django_db(databases=BASES)
def test_without_a_replica_configured_there_is_no_replica_check(monkeypatch):
    sin_replica = type("Conexiones", (), {"settings": {"default": connections.settings["default"]}})()
    monkeypatch.setattr(salud, "connections", sin_replica)
    assert "réplica" not in salud.comprobaciones()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=BASES)
def test_the_lag_query_runs_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL")
    # The primary is not in recovery: no lag, whatever its last transaction.
    salud.RetrasoReplica(alias="default", maximo=0).run()


@pytest.mark.django_db(databases=BASES)
def test_it_is_not_ready_when_redis_is_down(client, settings):
    settings.REDIS_URL = REDIS_CERRADO
    codigo, cuerpo = lista(client)
    # The queue lives in Redis too: its check cannot pass either.
    assert (codigo, cuerpo) == (503, {"estado": "no lista", "fallas": ["redis", "cola de cargas"]})


@pytest.mark.django_db(databases=BASES)
def test_it_is_not_ready_when_an_upload_waits_in_the_queue_too_long(client, settings, cola_cargas):
    settings.CARGAS_COLA_ESPERA_MAXIMA = 600
    trabajo = cola_cargas.enqueue("prestamos.cargas.carga_en_trabajador", 1)
    assert lista(client)[0] == 200  # just queued
    trabajo.enqueued_at = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=20)
    trabajo.save()
    assert lista(client) == (503, {"estado": "no lista", "fallas": ["cola de cargas"]})


@pytest.mark.django_db(databases=BASES)
def test_it_is_not_ready_when_media_storage_takes_no_file(client, settings, tmp_path):
    (tmp_path / "un-archivo").write_text("no es un directorio")
    settings.MEDIA_ROOT = tmp_path / "un-archivo" / "media"
    assert lista(client) == (503, {"estado": "no lista", "fallas": ["archivos"]})


@pytest.mark.django_db(databases=BASES)
def test_a_failing_probe_tells_a_stranger_no_host_version_or_secret(client, settings):
    settings.REDIS_URL = "redis://:contrasena-secreta@127.0.0.1:1/9"
    respuesta = client.get("/salud/lista/")
    texto = respuesta.content.decode() + "".join(f"{k}: {v}" for k, v in respuesta.items())
    assert respuesta.status_code == 503
    for secreto in ("127.0.0.1", ":1", "contrasena-secreta", "6379", "Django", "Python", "redis://", "Error"):
        assert secreto not in texto, secreto
    assert set(json.loads(respuesta.content)) == {"estado", "fallas"}
