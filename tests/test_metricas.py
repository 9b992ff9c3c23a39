"""Prometheus metrics (issue 31, README "Operación"): only the operator reads them; they move when a request, a
remesa, a SPEI notice or a payment review happens; several processes add up (prometheus-client's multiprocess
mode, as gunicorn's workers and the RQ worker run)."""

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from fopi.models import PagoBancario
from fopi.services import fopi_emitir, pago_marcar_devolucion
from oficina import metricas
from tests.fabricas import CURP_ALICE, FOLIO_ALICE, remesa
from tests.fopi.abonos import SECRETO, enviar, notificacion

TOKEN = "token-de-prometheus-de-prueba"


@pytest.fixture(autouse=True)
def _token(settings):
    settings.METRICAS_TOKEN = TOKEN
    settings.SPEI_SECRETO = SECRETO


def valor(nombre: str, **etiquetas) -> float:
    return REGISTRY.get_sample_value(nombre, etiquetas) or 0.0


def leidas(client) -> dict[str, float]:
    """The scrape as Prometheus reads it: sample name (with its labels) → value."""
    respuesta = client.get("/metricas/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert respuesta.status_code == 200
    return {
        muestra.name + "".join(f"{{{k}={v}}}" for k, v in sorted(muestra.labels.items())): muestra.value
        for familia in text_string_to_metric_families(respuesta.content.decode())
        for muestra in familia.samples
    }


@pytest.mark.django_db
def test_only_the_token_or_the_operators_network_reads_the_metrics(client, settings):
    assert client.get("/metricas/").status_code == 404
    assert client.get("/metricas/", HTTP_AUTHORIZATION="Bearer otro").status_code == 404
    assert client.get("/metricas/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    settings.METRICAS_TOKEN = ""
    assert client.get("/metricas/", HTTP_AUTHORIZATION="Bearer ").status_code == 404  # no token set: none matches
    settings.METRICAS_REDES = ["10.20.0.0/16"]
    assert client.get("/metricas/", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metricas/", REMOTE_ADDR="203.0.113.7").status_code == 404
    # Forged X-Forwarded-For counts for nothing while no proxy is declared (oficina.cliente).
    assert client.get("/metricas/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.20.3.4").status_code == 404


@pytest.mark.django_db
def test_a_request_is_timed_by_its_view_and_its_queries_counted(client, alice):
    antes = (valor("oficina_http_peticion_segundos_count", vista="inicio"),
             valor("oficina_http_respuestas_total", vista="inicio", codigo="2xx"),
             valor("oficina_http_consultas_por_peticion_count", vista="inicio"),
             valor("oficina_db_consultas_total", alias="default"))
    client.force_login(alice.usuario)
    assert client.get("/").status_code == 200
    despues = (valor("oficina_http_peticion_segundos_count", vista="inicio"),
               valor("oficina_http_respuestas_total", vista="inicio", codigo="2xx"),
               valor("oficina_http_consultas_por_peticion_count", vista="inicio"),
               valor("oficina_db_consultas_total", alias="default"))
    assert despues[:3] == tuple(a + 1 for a in antes[:3])
    assert despues[3] > antes[3]  # the session and the user were read
    client.get("/no-existe-nada-aqui/")
    assert valor("oficina_http_respuestas_total", vista="sin_ruta", codigo="4xx") >= 1


@pytest.mark.django_db
def test_a_remesa_counts_its_rows_and_times_its_stages(prestamo_alice, hoy, django_capture_on_commit_callbacks):
    hoy(date(2026, 6, 20))
    antes_filas = valor("oficina_remesa_filas_aplicadas_total", via="rapida") + valor(
        "oficina_remesa_filas_aplicadas_total", via="motor")
    antes_remesas = valor("oficina_remesas_aplicadas_total")
    antes_motor = valor("oficina_remesa_etapa_segundos_count", etapa="detección")
    with django_capture_on_commit_callbacks(execute=True):
        remesa((FOLIO_ALICE, CURP_ALICE, "701.12"))
    filas = valor("oficina_remesa_filas_aplicadas_total", via="rapida") + valor(
        "oficina_remesa_filas_aplicadas_total", via="motor")
    assert (filas - antes_filas, valor("oficina_remesas_aplicadas_total") - antes_remesas) == (1, 1)
    assert valor("oficina_remesa_etapa_segundos_count", etapa="detección") == antes_motor + 1


@pytest.fixture
def fopi(prestamo_alice, hoy):
    hoy(date(2026, 6, 10))
    return fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))


@pytest.mark.django_db
def test_spei_notices_are_counted_and_timed_by_outcome(client, fopi):
    def cuenta(resultado):
        return (valor("oficina_spei_avisos_total", resultado=resultado),
                valor("oficina_spei_aviso_segundos_count", resultado=resultado))

    antes = {r: cuenta(r) for r in ("confirmar", "revision", "devolver", "repetido", "rechazado")}
    assert enviar(client, notificacion(fopi)).json() == {"mensaje": "confirmar"}
    enviar(client, notificacion(fopi))  # the bank's retry
    enviar(client, notificacion(fopi, claveRastreo="MBAN01002606100000002", monto=99.0))  # wrong amount: review
    enviar(client, notificacion(None, cuentaBeneficiario="646180201099999999"))  # no FOPI had it: devolver
    enviar(client, notificacion(fopi), firma="00")  # bad signature
    for resultado in antes:
        assert cuenta(resultado) == (antes[resultado][0] + 1, antes[resultado][1] + 1), resultado


@pytest.mark.django_db
def test_a_payment_review_moves_the_queue_gauge_and_the_resolutions(client, fopi, staff, django_capture_on_commit_callbacks):
    assert leidas(client)["oficina_pagos_en_revision"] == 0
    enviar(client, notificacion(fopi, monto=99.0))
    metricas_ = leidas(client)
    assert metricas_["oficina_pagos_en_revision"] == 1
    assert metricas_["oficina_pago_en_revision_mas_antiguo_segundos"] >= 0
    antes = valor("oficina_pagos_revision_resueltos_total", accion="devolver")
    with django_capture_on_commit_callbacks(execute=True):
        pago_marcar_devolucion(pago=PagoBancario.objects.get(), usuario=staff, motivo="No coincide el importe")
    assert leidas(client)["oficina_pagos_en_revision"] == 0
    assert valor("oficina_pagos_revision_resueltos_total", accion="devolver") == antes + 1


@pytest.mark.django_db
def test_the_queues_of_refunds_and_aclaraciones_are_read_at_scrape_time(client):
    metricas_ = leidas(client)
    for nombre in ("oficina_devoluciones_pendientes", "oficina_devoluciones_vencidas",
                   "oficina_devolucion_pendiente_mas_antigua_segundos", "oficina_aclaraciones_abiertas",
                   "oficina_aclaracion_abierta_mas_antigua_segundos", "oficina_carga_en_proceso_mas_antigua_segundos"):
        assert metricas_[nombre] == 0, nombre


@pytest.mark.django_db
def test_fopis_issued_failed_logins_and_closed_registrations_are_counted(client, prestamo_alice, hoy, ana,
                                                                         django_capture_on_commit_callbacks):
    from tests.accounts.test_intentos_por_curp import fallar

    antes = (valor("oficina_fopis_emitidos_total", tipo="PARCIAL"), valor("oficina_entradas_fallidas_total"),
             valor("oficina_registros_cerrados_por_curp_total"))
    with django_capture_on_commit_callbacks(execute=True):
        fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))
    client.post("/cuenta/login/", {"login": "alice", "password": "equivocada-2026"})
    with django_capture_on_commit_callbacks(execute=True):
        fallar(5)
    despues = (valor("oficina_fopis_emitidos_total", tipo="PARCIAL"), valor("oficina_entradas_fallidas_total"),
               valor("oficina_registros_cerrados_por_curp_total"))
    assert despues == (antes[0] + 1, antes[1] + 1, antes[2] + 1)


PROCESO = """
from oficina import metricas
metricas.FOPIS.labels("PARCIAL").inc({n})
metricas.SPEI_SEGUNDOS.labels("confirmar").observe(0.2)
"""


def test_the_processes_of_a_node_add_up(tmp_path, monkeypatch):
    """Three processes (two gunicorn workers and the RQ worker, say) write to one directory; one scrape sums them."""
    entorno = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).parents[1])}
    for n in (1, 2, 4):
        subprocess.run([sys.executable, "-c", PROCESO.format(n=n)], env=entorno, check=True)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    muestras = {
        (m.name, tuple(sorted(m.labels.items()))): m.value
        for familia in text_string_to_metric_families(metricas.exponer().decode())
        for m in familia.samples
    }
    assert muestras[("oficina_fopis_emitidos_total", (("tipo", "PARCIAL"),))] == 7
    assert muestras[("oficina_spei_aviso_segundos_count", (("resultado", "confirmar"),))] == 3
