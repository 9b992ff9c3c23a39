"""Logs (issue 31, README "Operación"): one JSON line per event, the request id on every line of its request and
of the upload job it queued, money followed by ids to the ledger, and no CURP, RFC, CLABE, e-mail address or
amount in any line — while a borrower registers, a SPEI deposit arrives and a refund is requested."""

import io
import json
import logging
import re
from datetime import date

import pytest
import structlog
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as ajustes
from hypothesis import strategies as st

from oficina import registro
from prestamos import cargas
from tests.accounts.test_registro import datos_registro
from tests.fabricas import CONTRASENA, CURP_ALICE, CURP_ANA, FOLIO_ALICE
from tests.fopi.abonos import SECRETO, enviar, notificacion

CURP = re.compile(r"[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d", re.IGNORECASE)
RFC = re.compile(r"\b[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}\b", re.IGNORECASE)
CLABE = re.compile(r"(?<!\d)\d{18}(?!\d)")
CORREO = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.fixture
def lineas():
    """Every log line written meanwhile, as the production formatter writes it (settings.LOGGING)."""
    salida = io.StringIO()
    manejador = logging.StreamHandler(salida)
    manejador.setFormatter(registro.formateador())
    registradores = [logging.getLogger(), logging.getLogger("django")]
    for r in registradores:
        r.addHandler(manejador)
    escritas: list[str] = []
    yield escritas, salida
    for r in registradores:
        r.removeHandler(manejador)


def leer(salida) -> list[dict]:
    texto = salida.getvalue()
    assert texto, "no se escribió nada"
    return [json.loads(linea) for linea in texto.splitlines()]  # every line is one JSON object


def sin_datos_personales(texto: str, *valores: str) -> None:
    for patron in (CURP, RFC, CLABE, CORREO):
        assert not patron.search(texto), (patron.pattern, patron.search(texto))
    for valor in valores:
        assert valor not in texto, valor


@pytest.mark.django_db
def test_registration_a_spei_deposit_and_a_refund_leave_no_personal_data_in_the_logs(
    client, lineas, settings, ana, prestamo_alice, hoy, django_capture_on_commit_callbacks
):
    from fopi.services import fopi_emitir
    from tests.recuperacion.test_saldo_a_favor import CLABE as CLABE_DEVOLUCION

    _, salida = lineas
    settings.SPEI_SECRETO = SECRETO
    # A borrower registers (CURP, RFC, e-mail typed), and someone else mistypes an RFC.
    datos = datos_registro()
    client.post(reverse("account_signup"), datos_registro(rfc="LOSA820420TR6", username="otra", email="o@ejemplo.mx"))
    assert client.post(reverse("account_signup"), datos).status_code == 302
    # A SPEI deposit pays Alice's FOPI (the notice carries the sender's CURP, both CLABEs and the amount).
    hoy(date(2026, 6, 10))
    fopi = fopi_emitir(prestamo=prestamo_alice, tipo="LIQUIDACION", hoy=date(2026, 6, 10))
    aviso = notificacion(fopi)
    with django_capture_on_commit_callbacks(execute=True):
        assert enviar(client, aviso).json() == {"mensaje": "confirmar"}
    # The payoff left a saldo a favor? Not necessarily: a later deduction does (as in test_saldo_a_favor).
    from tests.fabricas import remesa

    hoy(date(2026, 7, 20))
    remesa((FOLIO_ALICE, CURP_ALICE, "701.12"), quincena="2026-Q13")
    client.force_login(prestamo_alice.derechohabiente.usuario)
    client.post(reverse("account_reauthenticate"), {"password": CONTRASENA})
    with django_capture_on_commit_callbacks(execute=True):
        respuesta = client.post(
            reverse("saldo_a_favor"),
            {"prestamo": FOLIO_ALICE, "clabe": CLABE_DEVOLUCION, "titular": "Alicia García"},
            follow=True,
        )
    assert "Recibimos tu solicitud" in respuesta.content.decode()
    # Staff search the padrón by CURP: the request's lines name the path, not what was searched for.
    client.get("/admin/prestamos/derechohabiente/", {"q": CURP_ANA})
    # Someone logs a CURP and an address by mistake, through any logger: they never leave.
    logging.getLogger("cualquiera").warning("CURP %s de %s por $1,426.08", CURP_ANA, "ana@ejemplo.mx")

    eventos = leer(salida)
    sin_datos_personales(
        salida.getvalue(),
        CURP_ANA,
        CURP_ALICE,
        datos["rfc"],
        datos["email"],
        aviso["cuentaOrdenante"],
        aviso["cuentaBeneficiario"],
        aviso["rfcCurpOrdenante"],
        CLABE_DEVOLUCION,
        "1,426.08",
        str(fopi.importe),
    )
    assert not any("?" in e.get("request", "") for e in eventos)
    nombres = [e["event"] for e in eventos]
    for esperado in (
        "request_finished",
        "abono_spei_registrado",
        "pago_aplicado",
        "movimiento_asentado",
        "devolucion_solicitada",
        "remesa_aplicada",
    ):
        assert esperado in nombres, esperado
    # The deposit followed from its request to the ledger: one request id, the payment and the movement by id.
    [abono] = [e for e in eventos if e["event"] == "abono_spei_registrado"]
    [aplicado] = [e for e in eventos if e["event"] == "pago_aplicado"]
    assert abono["request_id"] == aplicado["request_id"] and abono["movimiento_id"] == aplicado["movimiento_id"]
    asentado = next(
        e for e in eventos if e["event"] == "movimiento_asentado" and e["request_id"] == abono["request_id"]
    )
    assert asentado["movimiento_id"] == abono["movimiento_id"]
    # The refund is logged under the borrower's account id.
    [devolucion] = [e for e in eventos if e["event"] == "devolucion_solicitada"]
    assert devolucion["user_id"] == prestamo_alice.derechohabiente.usuario_id


def test_the_masking_covers_each_kind_of_personal_data():
    texto = (
        "CURP GAML850312MDFRPR02 RFC LOSA820420TR5 CLABE 032180000118359719 correo ana.lopez+x@ejemplo.com.mx "
        "importe $1,426.08 o 701.12 MXN; folio PP-2026-000123, pago 1234, hora 12:30, request 6f1c-44"
    )
    assert registro.ocultar(texto) == (
        "CURP [CURP] RFC [RFC] CLABE [CUENTA] correo [CORREO] importe [IMPORTE] o [IMPORTE]; folio PP-2026-000123, "
        "pago 1234, hora 12:30, request 6f1c-44"
    )


# Text made of the pieces the patterns look for, and their near misses, glued in any order: the fast path must
# agree with every substitution run in order on all of it.
_PIEZAS = st.sampled_from(
    [
        "GAML850312MDFRPR02",
        "LOSA820420TR5",
        "LOSA820420TR",
        "ÑAB&820420AB1",
        "a123456",
        "K123456",
        "ſ123456",
        "032180000118359719",
        "1234567890123456",
        "123456",
        "12345",
        "ana.lopez+x@ejemplo.com.mx",
        "@",
        "x@y",
        "a@b.c",
        "$",
        "$ 1,426.08",
        "$1",
        "1426.08 MXN",
        "1,426.08pesos",
        ".08 mxn",
        "0.08 PESOS",
        "12:30",
        ".",
        ",",
        "-",
        "'",
        " ",
        "\n",
        "\t",
        "2026-12-06T20:38:19.123456Z",
        "6f1c44e2-9b1a-4c1e-8a7e-123456789abc",
        "GET /admin/x/",
        "١٢٣٤٥٦",
        "x١٢٣٤٥٦",
        "é",
        "MXN",
        "pesos",
        "ß",
    ]
)


@ajustes(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_PIEZAS, st.text(max_size=8)), max_size=12).map("".join))
def test_the_fast_masking_equals_every_substitution_in_order(texto):
    assert registro.ocultar(texto) == registro.ocultar_completo(texto)


@ajustes(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_the_fast_masking_equals_every_substitution_on_any_text(texto):
    assert registro.ocultar(texto) == registro.ocultar_completo(texto)


def test_what_most_values_of_a_line_are_skips_the_substitutions():
    for valor in (
        "request_finished",
        "GET /prestamos/estado-de-cuenta/",
        "6f1c44e2-9b1a-4c1e-8a7e-0b3d2f9c1a7e",
        "2026-12-06T20:38:19.123456Z",
        "oficina.peticiones",
        "info",
        "Mozilla/5.0 (X11; Linux x86_64)",
    ):
        assert registro._CANDIDATO.search(valor) is None, valor


@pytest.mark.django_db
def test_an_upload_job_logs_under_the_request_that_queued_it(settings, lineas, staff):
    from redis import Redis
    from rq import Queue

    from prestamos.models import Carga

    _, salida = lineas
    settings.REDIS_URL = "redis://127.0.0.1:6379/9"
    settings.CARGAS_MODO = "rq"
    cola = Queue(cargas.COLA, connection=Redis.from_url(settings.REDIS_URL))
    cola.empty()
    try:
        with structlog.contextvars.bound_contextvars(request_id="solicitud-de-prueba", user_id=staff.pk, ip="x"):
            cargas.despachar(4321)
        [trabajo] = cola.get_jobs()
        assert trabajo.kwargs == {"contexto": {"request_id": "solicitud-de-prueba", "user_id": staff.pk}}
    finally:
        cola.empty()
    # In the worker: its lines (and those of the e-mails it sends) carry the request's id.
    assert not Carga.objects.filter(pk=4321).exists()  # nothing to run: only its log lines are looked at
    with registro.en_contexto(trabajo.kwargs["contexto"]):
        logging.getLogger("recuperacion.omisiones").info("avisos_omision_enviados", extra={"correos": 1})
    [linea] = [e for e in leer(salida) if e["event"] == "avisos_omision_enviados"]
    assert (linea["request_id"], linea["user_id"], linea["correos"]) == ("solicitud-de-prueba", staff.pk, 1)
    assert "request_id" not in structlog.contextvars.get_contextvars()  # unbound once the job ends
