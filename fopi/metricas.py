"""The FOPI side's gauges, counted when the metrics are read (oficina.metricas): the review queue."""

from django.db.models import Count, Min

from fopi.models import PagoBancario
from oficina import metricas


@metricas.al_leer
def pagos_en_revision():
    cola = PagoBancario.objects.filter(estado=PagoBancario.Estado.EN_REVISION).aggregate(n=Count("pk"), desde=Min("cargado"))
    yield metricas.medida("oficina_pagos_en_revision", "Pagos recibidos que esperan al CAPP (en revisión).", cola["n"])
    yield metricas.medida("oficina_pago_en_revision_mas_antiguo_segundos",
                          "Antigüedad del pago que más lleva en revisión.", metricas.segundos_desde(cola["desde"]))
