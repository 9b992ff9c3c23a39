"""Missing payroll deductions (docs/reglas.md, "Descuentos omitidos"): the daily detection, the notices
recorded once per (loan, quincena) and the e-mails that tell borrowers."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from fopi import buzon
from oficina import metricas
from oficina.formatos import formato_moneda
from prestamos import escritura, instantanea, libro, posiciones
from prestamos.calculo import Mes, Quincena
from prestamos.cartera import CERO, CUOTAS_PARA_COBRANZA, Contexto, Posicion
from prestamos.models import Dependencia, Movimiento, Prestamo
from prestamos.selectors import ACTIVOS
from recuperacion.lotes import LOTE, prestamos_en_lote
from recuperacion.models import AvisoOmision

logger = logging.getLogger(__name__)


def detectar_omisiones(*, hoy: date | None = None, dependencias=None) -> int:
    """Daily: update every active loan's estado and tell borrowers of newly missing deductions.

    One transaction per dependencia, holding its row lock like a remesa load does, so the two never
    examine the same loans at once. Returns how many (loan, quincena) omissions were new.
    """
    hoy = hoy or timezone.localdate()
    nuevas = 0
    for dependencia in dependencias if dependencias is not None else Dependencia.objects.order_by("pk"):
        with transaction.atomic():
            Dependencia.objects.select_for_update().get(pk=dependencia.pk)
            avisos = Avisos(hoy)
            revisar_prestamos(
                Prestamo.objects.filter(dependencia=dependencia, estado__in=ACTIVOS),
                posiciones.contextos([dependencia.pk], hoy)[dependencia.pk],
                avisos,
                hoy,
            )
            nuevas += avisos.enviar_al_confirmar()
    return nuevas


def revisar_prestamos(consulta, contexto: Contexto, avisos: Avisos, hoy: date) -> None:
    """Walk the loans in lotes by id (keyset, so each lote is one indexed query)."""
    ultimo = 0
    while True:
        prestamos = prestamos_en_lote(consulta.select_for_update().filter(pk__gt=ultimo), LOTE)
        if not prestamos:
            return
        leidas = posiciones.posiciones(prestamos)
        cambiados = [p for p in prestamos if libro.poner_estado(p, leidas[p.pk], hoy)]
        avisos.revisar(prestamos, leidas, contexto)
        escritura.actualizar(Prestamo, cambiados, ["estado", "fecha_liquidacion"])
        ultimo = prestamos[-1].pk


# At most this many unpaid due installments leave a loan VIGENTE (cartera.CUOTAS_PARA_COBRANZA - 1).
SIN_PAGAR_VIGENTE = CUOTAS_PARA_COBRANZA - 1


def por_revisar(*, dependencia_id: int, contexto: Contexto, hoy: date) -> list[int] | None:
    """The dependencia's active loans a review today (`revisar_prestamos`) might change, in id order; None
    when that is not known here (not PostgreSQL): then every active loan is reviewed.

    Asked of the snapshots in one statement. A loan is left out only when the review would find nothing to
    do: stored VIGENTE and not settled (nor loaded settled), its snapshot of this version and current
    (nothing booked after it), and no installment unpaid among those due today except in the last w due
    periods of its kind, w ≤ 3 and each of those periods one whose missing deduction is not yet a missing
    deduction (its remesa has not come and its grace has not run out). Such a loan's estado stays VIGENTE
    (fewer than 4 unpaid) and none of its installments is a missing deduction: the review would write
    nothing and tell no one. (An installment the check cannot read as paid, it counts as unpaid: the
    loan is reviewed.)
    """
    if connection.vendor != "postgresql":
        return None
    ventanas = []
    for tipo in (Quincena, Mes):
        ultima, w = instantanea.ultima_vencida(tipo, hoy), 0
        while w < SIN_PAGAR_VIGENTE and not _puede_omitirse(ultima - w, contexto, hoy):
            w += 1
        ventanas.append(f"WHEN '{tipo.LETRA}' THEN {w}")
    hasta = f"({instantanea.sql_indice_vencida(hoy)} - (CASE substr(p.primera_quincena, 6, 1) {' '.join(ventanas)} END))"
    forma = {"pos": "s.pos", "k": "0"}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id FROM (
                SELECT par.id, par.estado = %(vigente)s AND par.fecha_liquidacion IS NULL
                       AND par.estado_inicial <> %(liquidado)s AND par.al_dia
                       AND {instantanea.SQL_VIGENTE.format(**forma)} AND s.pos->>'liquidacion' IS NULL
                       AND jsonb_array_length(s.pos->'cuotas') > 0
                       AND {instantanea.sql_pagadas_hasta(
                           "s.pos", "least(par.hasta, jsonb_array_length(s.pos->'cuotas') - 1)", "par.n")}
                       AS nada
                FROM (
                    SELECT p.id, p.estado, p.fecha_liquidacion, p.estado_inicial, p.posicion,
                           p.posicion_al_corriente AS n, {hasta} AS hasta,
                           p.posicion IS NOT NULL AND (
                               SELECT max(m.id) FROM {Movimiento._meta.db_table} m WHERE m.prestamo_id = p.id
                           ) = p.posicion_hasta AS al_dia
                    FROM {Prestamo._meta.db_table} p
                    WHERE p.dependencia_id = %(dependencia)s AND p.estado = ANY(%(estados)s)
                    OFFSET 0
                ) AS par
                CROSS JOIN LATERAL (SELECT par.posicion || '{{}}'::jsonb AS pos OFFSET 0) AS s
                OFFSET 0
            ) AS leidos
            WHERE nada IS NOT TRUE
            ORDER BY id
            """,
            {"dependencia": dependencia_id, "estados": list(ACTIVOS), "vigente": Prestamo.Estado.VIGENTE.value,
             "liquidado": Prestamo.Estado.LIQUIDADO.value},
        )
        return [pk for (pk,) in cursor.fetchall()]


def _puede_omitirse(periodo, contexto: Contexto, hoy: date) -> bool:
    """Whether an installment of `periodo` due and unpaid is a missing deduction today (`Posicion.es_omitida`)."""
    return periodo in contexto.remesas or hoy > periodo.vencimiento + timedelta(days=contexto.parametros.dias_gracia)


class Avisos:
    """Records each (loan, quincena) missing deduction once and e-mails the borrower after commit."""

    def __init__(self, hoy: date):
        self.hoy = hoy
        self.nuevos: list[AvisoOmision] = []

    def revisar(self, prestamos: list, leidas: dict[int, Posicion], contexto: Contexto) -> None:
        omisiones = {}
        for p in prestamos:
            posicion = leidas[p.pk]
            if posicion.liquidado:
                continue
            vencidas = posicion.vencidas_sin_pagar(self.hoy)  # usually none: checked first, it is cheaper
            lista = [(c.periodo, c.pendiente) for c in vencidas if posicion.es_omitida(c, self.hoy, contexto)]
            if lista:
                omisiones[p.pk] = lista
        if not omisiones:
            return
        avisados = set(
            AvisoOmision.objects.filter(prestamo_id__in=omisiones).values_list("prestamo_id", "quincena")
        )
        nuevos = [
            AvisoOmision(prestamo_id=pk, quincena=q, pendiente=pendiente, detectada=self.hoy)
            for pk, lista in omisiones.items()
            for q, pendiente in lista
            if (pk, q) not in avisados
        ]
        correos = dict(
            Prestamo.objects.filter(pk__in={a.prestamo_id for a in nuevos}, derechohabiente__usuario__is_active=True)
            .exclude(derechohabiente__usuario__email="")
            .values_list("pk", "derechohabiente__usuario__email")
        )
        for aviso in nuevos:
            aviso.correo = correos.get(aviso.prestamo_id, "")
        AvisoOmision.objects.bulk_create(nuevos)
        self.nuevos += nuevos
        detectadas = len(nuevos)
        transaction.on_commit(lambda: metricas.OMISIONES.inc(detectadas))

    def enviar_al_confirmar(self) -> int:
        """E-mails go out only once the detection is committed, never for one that rolled back."""
        por_enviar = [a for a in self.nuevos if a.correo]
        if por_enviar:
            transaction.on_commit(lambda: enviar_avisos(por_enviar))
        return len(self.nuevos)


def enviar_avisos(avisos: list[AvisoOmision]) -> None:
    """One e-mail per loan listing its newly missing quincenas; a failed send is logged, not retried."""
    por_prestamo: dict[int, list[AvisoOmision]] = defaultdict(list)
    for aviso in avisos:
        por_prestamo[aviso.prestamo_id].append(aviso)
    prestamos = Prestamo.objects.select_related("derechohabiente").in_bulk(por_prestamo)
    enlace = settings.PORTAL_URL.rstrip("/") + reverse("regularizacion")
    enviados = []
    with get_connection() as conexion:
        for pk, grupo in por_prestamo.items():
            mensaje = _mensaje_omision(prestamos[pk], grupo, enlace)
            mensaje.connection = conexion
            try:
                mensaje.send()
            except Exception:
                logger.exception("No se pudo enviar el aviso de omisión del préstamo %s", prestamos[pk].folio)
                continue
            enviados += [a.pk for a in grupo]
            buzon.registrar_correo(  # the Avisos page keeps it (docs/reglas.md §13)
                derechohabiente=prestamos[pk].derechohabiente, prestamo=prestamos[pk],
                tipo=buzon.Tipo.DESCUENTO_OMITIDO, asunto=mensaje.subject, cuerpo=mensaje.body,
            )
    AvisoOmision.objects.filter(pk__in=enviados).update(enviado=timezone.now())
    # Under the request id of the upload (or command) that detected them (oficina.registro).
    logger.info("avisos_omision_enviados", extra={"correos": len(por_prestamo), "avisos": len(enviados)})


def _mensaje_omision(prestamo: Prestamo, avisos: list[AvisoOmision], enlace: str) -> EmailMessage:
    contexto = {
        "portal": settings.PORTAL_NOMBRE,
        "nombre": prestamo.derechohabiente.nombre,
        "pensionado": prestamo.derechohabiente.tipo == prestamo.derechohabiente.Tipo.PENSIONADO,
        "folio": prestamo.folio,
        "omisiones": [
            {"quincena": a.quincena.descripcion, "pendiente": formato_moneda(a.pendiente)}
            for a in sorted(avisos, key=lambda a: a.quincena)
        ],
        "total": formato_moneda(sum((a.pendiente for a in avisos), CERO)),
        "enlace": enlace,
        "telefono": settings.CAPP_TELEFONO,
        "correo_capp": settings.CAPP_CORREO,
    }
    asunto = render_to_string("recuperacion/email/omision_asunto.txt", contexto).strip()
    cuerpo = render_to_string("recuperacion/email/omision_mensaje.txt", contexto)
    return EmailMessage(asunto, cuerpo, to=[avisos[0].correo])
