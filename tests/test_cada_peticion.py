"""Issue 29: what every request pays, and what it must still decide (docs/performance.md, "Every request").

The middleware decides about the pages that hold no one's data without loading the session or the user; a
borrower page pays its session, user and padrón entry and nothing more; the second-factor gate still decides
before any other view runs; `Cache-Control: private, no-store` follows the session cookie; and every log line
of a request still carries its request id, and its user id where the request loaded it (every page with data) or
where the line is a warning or worse (read from the session then), never by loading the user for it.
"""

import io
import json
import logging

import pytest
import structlog
from csp.decorators import csp_update
from django.http import HttpResponse, HttpResponseNotFound, StreamingHttpResponse
from django.test import Client
from django.urls import include, path, reverse

from oficina import registro
from oficina.cache_privado import PRIVADO
from oficina.segundo_factor import sin_datos
from prestamos.acceso import derechohabiente_requerido
from tests.accounts.datos import con_segundo_factor
from tests.accounts.personal import CON, miembro

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

log = structlog.get_logger("prueba")
vistas_corridas: list[str] = []


@sin_datos
def nada(request):
    return HttpResponse("ok", content_type="text/plain")


@sin_datos
def nada_404(request):
    return HttpResponseNotFound("no", content_type="text/plain")


def con_datos(request):
    """Stands for any page with someone's data: it records that it ran."""
    vistas_corridas.append(request.method)
    log.info("vista_con_datos")
    return HttpResponse("datos", content_type="text/plain")


@derechohabiente_requerido
def del_derechohabiente(request):
    return HttpResponse(request.derechohabiente.curp, content_type="text/plain")


def falla(request):
    raise RuntimeError("falla de prueba")


def flujo(request):
    return StreamingHttpResponse(iter([b"a", b"b"]), content_type="text/csv")


urlpatterns = [
    path("prueba/nada/", nada, name="prueba_nada"),
    path("prueba/nada-404/", nada_404, name="prueba_nada_404"),
    path("prueba/datos/", con_datos, name="prueba_datos"),
    path("prueba/derechohabiente/", del_derechohabiente, name="prueba_derechohabiente"),
    path("prueba/falla/", falla, name="prueba_falla"),
    path("prueba/flujo/", flujo, name="prueba_flujo"),
    path("", include("oficina.urls")),
]


@pytest.fixture(autouse=True)
def _ninguna_vista_corrida():
    vistas_corridas.clear()


@pytest.fixture
def lineas():
    """The JSON lines the production formatter writes meanwhile, parsed."""
    salida = io.StringIO()
    manejador = logging.StreamHandler(salida)
    manejador.setFormatter(registro.formateador())
    raiz = logging.getLogger()
    raiz.addHandler(manejador)
    yield lambda: [json.loads(linea) for linea in salida.getvalue().splitlines()]
    raiz.removeHandler(manejador)


@pytest.fixture
def nivel_peticiones():
    """Set the request log's level (production writes it at INFO; the benchmarks at WARNING)."""
    registrador = logging.getLogger("oficina.peticiones")
    antes = registrador.level

    def poner(nivel):
        registrador.setLevel(nivel)

    yield poner
    registrador.setLevel(antes)


@pytest.fixture
def personal_sin_totp(django_user_model):
    """A staff member signed in with only a password (no TOTP set up yet)."""
    usuario = django_user_model.objects.create_user(username="becario", is_staff=True)
    cliente = Client()
    cliente.force_login(usuario)
    return cliente


# --- what the bare view pays -------------------------------------------------------------------------------


def test_a_view_that_shows_nothing_loads_neither_the_session_nor_the_user(
    cliente_alice, nivel_peticiones, django_assert_num_queries
):
    nivel_peticiones(logging.WARNING)
    with django_assert_num_queries(0):  # the session is in the database in the tests: not even that
        respuesta = cliente_alice.get("/prueba/nada/")
    assert respuesta.content == b"ok"
    assert "Cookie" not in respuesta.get("Vary", "")  # nothing read the session
    assert respuesta["Cache-Control"] == PRIVADO  # the cookie alone decides it


def test_its_access_log_line_reads_neither_the_session_nor_the_user(
    cliente_alice, alice, lineas, django_assert_num_queries
):
    with django_assert_num_queries(0):  # at INFO too: the page shows no one's data, the line names no one
        respuesta = cliente_alice.get("/prueba/nada/", HTTP_USER_AGENT="Navegador/1.0")
    assert "Cookie" not in respuesta.get("Vary", "")
    [fin] = lineas()  # request_started is a DEBUG line
    assert fin["event"] == "request_finished" and fin["code"] == 200 and fin["request"] == "GET /prueba/nada/"
    assert fin["user_id"] is None and fin["user_agent"] == "Navegador/1.0" and fin["duration_ms"] >= 0


def test_a_page_with_data_logs_its_user_without_reading_the_session_again(
    cliente_alice, alice, lineas, django_assert_num_queries
):
    with django_assert_num_queries(2):  # session and user, read by the second-factor gate, not for the line
        cliente_alice.get("/prueba/datos/")
    [fin] = [e for e in lineas() if e["event"] == "request_finished"]
    assert fin["user_id"] == alice.usuario_id


def test_a_warning_line_reads_the_session_for_its_user(cliente_alice, alice, lineas, django_assert_num_queries):
    with django_assert_num_queries(1):  # a 4xx is rare and worth one session read: who met it
        assert cliente_alice.get("/prueba/nada-404/").status_code == 404
    [fin] = [e for e in lineas() if e["event"] == "request_finished"]
    assert fin["user_id"] == alice.usuario_id and fin["level"] == "warning"


def test_request_started_is_written_at_debug(cliente_alice, nivel_peticiones, lineas):
    nivel_peticiones(logging.DEBUG)
    cliente_alice.get("/prueba/nada/")
    [inicio, fin] = [e for e in lineas() if e["event"].startswith("request_")]
    assert (inicio["event"], inicio["level"], fin["event"]) == ("request_started", "debug", "request_finished")
    assert inicio["request_id"] == fin["request_id"] and inicio["request"] == "GET /prueba/nada/"


def test_the_gate_lets_a_staff_session_without_totp_see_it_and_nothing_with_data(personal_sin_totp):
    assert personal_sin_totp.get("/prueba/nada/").status_code == 200
    for metodo in (personal_sin_totp.get, personal_sin_totp.post):
        respuesta = metodo("/prueba/datos/")
        assert respuesta.status_code == 302 and respuesta.url.startswith(reverse("mfa_activate_totp"))
    assert vistas_corridas == []  # decided before the view ran, never after


def test_with_its_totp_the_gate_opens_and_the_view_runs_once(client, django_user_model):
    con_segundo_factor(client, miembro(CON, django_user_model))
    assert client.get("/prueba/datos/").content == b"datos"
    assert vistas_corridas == ["GET"]


def test_a_staff_session_with_totp_not_yet_typed_is_sent_to_type_it(client, django_user_model):
    client.force_login(miembro(CON, django_user_model))
    respuesta = client.get("/prueba/datos/")
    assert respuesta.status_code == 302 and respuesta.url.startswith(reverse("mfa_reauthenticate"))
    assert vistas_corridas == []


# --- what a borrower page pays -----------------------------------------------------------------------------


def test_a_borrower_page_pays_its_session_user_and_padron_entry_only(cliente_alice, alice, django_assert_num_queries):
    with django_assert_num_queries(3):  # session, user, padrón entry: nobody asks whether she is a payroll officer
        respuesta = cliente_alice.get("/prueba/derechohabiente/")
    assert respuesta.content.decode() == alice.curp
    assert respuesta["Cache-Control"] == PRIVADO


# --- Cache-Control -----------------------------------------------------------------------------------------


def test_any_session_cookie_makes_the_answer_private_even_a_stale_one(client):
    assert "no-store" not in client.get(reverse("inicio")).get("Cache-Control", "")
    client.cookies["sessionid"] = "caducada"
    assert client.get(reverse("inicio"))["Cache-Control"] == PRIVADO


def test_the_answer_to_a_login_is_private(client, alice):
    from tests.fabricas import CONTRASENA

    respuesta = client.post(reverse("account_login"), {"login": "alice", "password": CONTRASENA})
    assert respuesta.status_code == 302 and "_auth_user_id" in client.session
    assert respuesta["Cache-Control"] == PRIVADO


# --- the request's log lines -------------------------------------------------------------------------------


def test_every_line_of_a_request_carries_its_id_and_the_user_id(cliente_alice, alice, client, lineas):
    cliente_alice.get("/prueba/datos/")
    eventos = [e for e in lineas() if e.get("request") == "GET /prueba/datos/" or e["event"] == "vista_con_datos"]
    assert [e["event"] for e in eventos] == ["vista_con_datos", "request_finished"]
    assert len({e["request_id"] for e in eventos}) == 1
    assert {e["user_id"] for e in eventos} == {alice.usuario_id}


def test_an_anonymous_request_logs_no_user(lineas):
    Client().get("/prueba/nada/")
    [fin] = [e for e in lineas() if e["event"] == "request_finished"]
    assert fin["user_id"] is None and fin["request_id"]


def test_a_login_names_its_user_from_then_on(client, alice, lineas):
    from tests.fabricas import CONTRASENA

    client.post(reverse("account_login"), {"login": "alice", "password": CONTRASENA})
    [fin] = [e for e in lineas() if e["event"] == "request_finished"]
    assert fin["user_id"] == alice.usuario_id


def test_a_failing_view_logs_request_failed_with_its_traceback_and_user(alice, lineas):
    cliente = Client(raise_request_exception=False)
    cliente.force_login(alice.usuario)
    assert cliente.get("/prueba/falla/").status_code == 500
    eventos = lineas()
    [fallida] = [e for e in eventos if e["event"] == "request_failed"]
    assert fallida["user_id"] == alice.usuario_id and "falla de prueba" in fallida["exception"]
    assert not [e for e in eventos if e["event"] == "request_finished"]


def test_a_404_is_a_request_finished_line(cliente_alice, lineas):
    assert cliente_alice.get("/prueba/no-existe/").status_code == 404
    [fin] = [e for e in lineas() if e["event"] == "request_finished"]
    assert fin["code"] == 404 and fin["level"] == "warning"


def test_a_streamed_answer_logs_under_its_request(cliente_alice, alice, lineas):
    respuesta = cliente_alice.get("/prueba/flujo/")
    assert b"".join(respuesta.streaming_content) == b"ab"
    eventos = lineas()
    [inicio] = [e for e in eventos if e["event"] == "request_finished"]
    flujo = [e for e in eventos if e["event"].startswith("streaming_")]
    assert [e["event"] for e in flujo] == ["streaming_started", "streaming_finished"]
    assert {(e["request_id"], e["user_id"]) for e in flujo} == {(inicio["request_id"], alice.usuario_id)}
    assert "request_id" not in structlog.contextvars.get_contextvars()


def test_no_line_below_the_level_is_processed(cliente_alice, nivel_peticiones, lineas):
    nivel_peticiones(logging.WARNING)
    cliente_alice.get("/prueba/nada/")
    assert not [e for e in lineas() if e["event"].startswith("request_")]


# --- Content-Security-Policy -------------------------------------------------------------------------------


def _directivas(cabecera: str) -> dict[str, str]:
    return dict(
        parte.strip().split(" ", 1) if " " in parte.strip() else (parte.strip(), "") for parte in cabecera.split(";")
    )


@csp_update({"img-src": "https://ejemplo.mx"})
def con_politica_propia(request):
    return HttpResponse("ok")


def con_nonce(request):
    return HttpResponse(str(request.csp_nonce))


urlpatterns[:0] = [
    path("prueba/csp-propia/", con_politica_propia),
    path("prueba/csp-nonce/", con_nonce),
]


def test_the_policy_built_once_is_django_csps(client, settings):
    from csp.utils import build_policy

    assert client.get(reverse("inicio"))["Content-Security-Policy"] == build_policy()
    assert "Content-Security-Policy-Report-Only" not in client.get(reverse("inicio"))
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get(reverse("inicio"))["Content-Security-Policy"] == "default-src 'none'"


def test_a_view_with_a_policy_of_its_own_or_a_nonce_gets_django_csps_own(client, settings):
    from csp.constants import NONCE

    propia = _directivas(client.get("/prueba/csp-propia/")["Content-Security-Policy"])
    assert propia["img-src"] == "'self' data: https://ejemplo.mx"
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
    respuesta = client.get("/prueba/csp-nonce/")
    assert (
        _directivas(respuesta["Content-Security-Policy"])["script-src"]
        == f"'self' 'nonce-{respuesta.content.decode()}'"
    )
    assert _directivas(client.get("/prueba/nada/")["Content-Security-Policy"])["script-src"] == "'self'"
