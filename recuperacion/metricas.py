"""Recuperación's gauges, counted when the metrics are read (oficina.metricas): refunds and aclaraciones
waiting for the CAPP, with the age of the oldest and the refunds already past the date promised."""

from django.db.models import Count, Min
from django.utils import timezone

from oficina import metricas
from oficina.calendario import dias_habiles_despues
from recuperacion.models import Aclaracion, SolicitudDevolucion

# The date a refund request is promised by (docs/reglas.md §9 and SPEC §13, "refund requested, with the expected
# date"): this many business days after it was made.
DEVOLUCION_DIAS_HABILES = 10


@metricas.al_leer
def devoluciones():
    pendientes = list(
        SolicitudDevolucion.objects.filter(estado=SolicitudDevolucion.Estado.PENDIENTE).values_list("solicitada", flat=True)
    )
    hoy = timezone.localdate()
    vencidas = sum(
        1 for solicitada in pendientes
        if dias_habiles_despues(timezone.localdate(solicitada), DEVOLUCION_DIAS_HABILES) < hoy
    )
    yield metricas.medida("oficina_devoluciones_pendientes", "Devoluciones de saldo a favor en trámite.", len(pendientes))
    yield metricas.medida("oficina_devolucion_pendiente_mas_antigua_segundos",
                          "Antigüedad de la devolución en trámite más antigua.",
                          metricas.segundos_desde(min(pendientes, default=None)))
    yield metricas.medida("oficina_devoluciones_vencidas",
                          f"Devoluciones en trámite después de la fecha prometida ({DEVOLUCION_DIAS_HABILES} días hábiles).",
                          vencidas)


@metricas.al_leer
def aclaraciones():
    abiertas = Aclaracion.objects.filter(estado__in=Aclaracion.ABIERTAS).aggregate(n=Count("pk"), desde=Min("presentada"))
    yield metricas.medida("oficina_aclaraciones_abiertas", "Aclaraciones recibidas o en revisión.", abiertas["n"])
    yield metricas.medida("oficina_aclaracion_abierta_mas_antigua_segundos",
                          "Antigüedad de la aclaración abierta más antigua.", metricas.segundos_desde(abiertas["desde"]))
