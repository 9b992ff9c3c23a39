"""The uploads' gauges, counted when the metrics are read (oficina.metricas): how long the oldest job has been
running (a remesa stuck) and, with the RQ queue, how long the oldest one has been waiting."""

from django.conf import settings
from django.db.models import Min

from oficina import metricas, salud
from prestamos.cargas import COLA
from prestamos.models import Carga


@metricas.al_leer
def cargas():
    desde = Carga.objects.filter(estado=Carga.Estado.PROCESANDO).aggregate(desde=Min("iniciada"))["desde"]
    yield metricas.medida("oficina_carga_en_proceso_mas_antigua_segundos",
                          "Cuánto lleva procesándose la carga (remesa u otro archivo) más antigua en curso.",
                          metricas.segundos_desde(desde))
    if settings.REDIS_URL:
        yield metricas.medida("oficina_cola_cargas_espera_segundos",
                              "Cuánto lleva esperando en la cola RQ la carga más antigua sin empezar.",
                              salud.espera_cola(COLA))
