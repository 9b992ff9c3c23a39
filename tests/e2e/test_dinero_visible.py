"""Money in motion, seen in a real browser at 375 and 1280 px (SPEC §13): Mis pagos, Avisos and a FOPI in each state,
each fitting the width without horizontal scroll and with no serious axe violation; screenshots for review."""

from datetime import date
from decimal import Decimal as D

import pytest

from fopi.models import PagoBancario
from fopi.services import fopi_emitir, pago_aplicar_a_prestamo, pago_marcar_devolucion
from oficina.importacion import importar_archivo
from tests.e2e.navegador import captura, desborde_horizontal, describir_violaciones, iniciar_sesion, violaciones_axe
from tests.fabricas import CONTRASENA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
BASE = "/prestaciones/recuperacion-de-credito"


def pagos(*filas: str):
    importar_archivo(("banco,autorizacion,fecha_pago,referencia,importe\n" + "\n".join(filas) + "\n").encode())


def test_mis_pagos_avisos_and_each_fopi_state_fit_a_phone_and_a_desktop(pagina, live_server, prestamo_alice, staff, hoy):
    hoy(date(2026, 7, 21))  # the files are loaded today; each FOPI was issued on its own date
    cancelado = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("900.00"), hoy=date(2026, 6, 5))
    pagado = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("500.00"), hoy=date(2026, 6, 5))
    pagos(f"BBVA,A1,2026-06-08,{pagado.referencia},500.00", f"BBVA,A2,2026-06-09,{pagado.referencia},500.00")
    pago_marcar_devolucion(pago=PagoBancario.objects.get(autorizacion="A2"), usuario=staff, motivo="Pagó dos veces")
    diferencia = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1426.08"), hoy=date(2026, 6, 10))
    pagos(f"BBVA,D1,2026-06-11,{diferencia.referencia},1400.00")
    pago_aplicar_a_prestamo(pago=PagoBancario.objects.get(autorizacion="D1"), prestamo=prestamo_alice, usuario=staff,
                            motivo="Se acepta la diferencia")
    vencido = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("700.00"), hoy=date(2026, 6, 12))
    pagos(f"BBVA,V1,2026-07-20,{vencido.referencia},500.00")
    pendiente = fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("600.00"), hoy=date(2026, 7, 21))

    page = pagina
    iniciar_sesion(page, live_server, "alice", CONTRASENA)
    visitas = {
        "mis-pagos": (f"{BASE}/fopi/pagos/", "Por devolver"),
        "avisos": (f"{BASE}/avisos/", "Te devolveremos tu pago"),
        "fopi-pendiente": (f"{BASE}/fopi/{pendiente.pk}/", "Pendiente de pago"),
        "fopi-pagado": (f"{BASE}/fopi/{pagado.pk}/", "Pagado el 08/06/2026"),
        "fopi-pagado-con-diferencia": (f"{BASE}/fopi/{diferencia.pk}/", "Pagado con diferencia"),
        "fopi-vencido": (f"{BASE}/fopi/{vencido.pk}/", "recibimos $500.00 el 20/07/2026: está en revisión"),
        "fopi-cancelado": (f"{BASE}/fopi/{cancelado.pk}/", "reemplazado por el FOPI"),
        "fopi-lista": (f"{BASE}/fopi/", "Pagado con diferencia"),
    }
    problemas = []
    for ancho in (375, 1280):
        page.set_viewport_size({"width": ancho, "height": 900})
        for nombre, (url, texto) in visitas.items():
            page.goto(live_server.url + url)
            assert texto.lower() in page.inner_text("main").lower(), (nombre, ancho)
            captura(page, f"dinero-{nombre}", ancho)
            if (fuera := desborde_horizontal(page, ancho)) is not None:
                problemas.append(f"{nombre} @{ancho}px: {fuera}")
            if violaciones := violaciones_axe(page):
                problemas.append(describir_violaciones(nombre, ancho, violaciones))
    assert not problemas, "\n".join(problemas)
