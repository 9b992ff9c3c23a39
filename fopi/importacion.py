"""pagos.csv: the banks' payments, matched to FOPIs by reference (SPEC §7).

Every row is kept with a state and a reason: matched payments are applied to their loan; anything else
waits in the review queue for CAPP staff (`services.pago_registrar`, which SPEI deposits go through too).
A (banco, autorizacion) already loaded is skipped.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from fopi.models import Fopi, PagoBancario
from fopi.referencia import referencia_valida
from fopi.services import pago_registrar
from oficina.bloqueos import bloqueo_transaccional
from oficina.importacion.base import ErrorCampo, Importador, Resumen, duplicados, registrar


@dataclass(slots=True)
class FilaPago:
    linea: int
    banco: str
    autorizacion: str
    fecha_pago: date
    referencia: str
    importe: Decimal

    @property
    def clave(self) -> tuple[str, str]:
        return (self.banco, self.autorizacion)


def motivo_de_referencia(fila: FilaPago, fopi: Fopi | None) -> str:
    """Why a payment names no FOPI ('' when it does; then `services.motivo_de_revision` decides)."""
    if not referencia_valida(fila.referencia):
        return "Referencia inválida (dígitos verificadores o longitud)"
    if fopi is None:
        return "No existe un FOPI con esta referencia"
    return ""


@registrar
class PagosImportador(Importador):
    tipo = "pagos bancarios"
    columnas = ("banco", "autorizacion", "fecha_pago", "referencia", "importe")

    def fila(self, linea: int, celdas: list[str]) -> FilaPago:
        banco, autorizacion, fecha_pago, referencia, importe = celdas
        autorizacion = autorizacion.strip()
        if not re.fullmatch(r"[A-Za-z0-9-]{1,40}", autorizacion):
            raise ErrorCampo("«autorizacion» debe tener de 1 a 40 letras o números")
        referencia = referencia.strip()
        if not re.fullmatch(r"\d{1,40}", referencia):
            raise ErrorCampo("«referencia» debe contener sólo dígitos")
        fecha = self.fecha(fecha_pago, "fecha_pago")
        if fecha > timezone.localdate():
            raise ErrorCampo("«fecha_pago» está en el futuro")
        return FilaPago(
            linea=linea,
            banco=self.texto(banco, "banco", max_len=100).upper(),
            autorizacion=autorizacion,
            fecha_pago=fecha,
            referencia=referencia,
            importe=self.importe(importe),
        )

    def validar(self, filas):
        registros, errores = self.parsear(filas)
        errores += duplicados(((r.linea, r.clave) for r in registros), "banco y autorización")
        return registros, errores

    def cargar(self, registros: list[FilaPago], resumen: Resumen, progreso=None):
        # Two imports of the same bank file at once: the second waits here, then finds the keys loaded.
        bloqueo_transaccional("importacion-pagos")
        cargados = set(
            PagoBancario.objects.filter(
                canal=PagoBancario.Canal.BANCO, autorizacion__in={r.autorizacion for r in registros}
            ).values_list("banco", "autorizacion")
        )
        nuevos = [r for r in registros if r.clave not in cargados]
        fopis = {
            f.referencia: f
            for f in Fopi.objects.filter(referencia__in={r.referencia for r in nuevos}).select_related("prestamo")
        }
        aplicados = en_revision = 0
        for n, fila in enumerate(nuevos, 1):
            fopi = fopis.get(fila.referencia)
            pago = pago_registrar(
                pago=PagoBancario(
                    canal=PagoBancario.Canal.BANCO,
                    banco=fila.banco,
                    autorizacion=fila.autorizacion,
                    fecha_pago=fila.fecha_pago,
                    referencia=fila.referencia,
                    importe=fila.importe,
                    fopi=fopi,
                    motivo=motivo_de_referencia(fila, fopi),
                    archivo=self.nombre_archivo[:255],
                    cargado_por=self.usuario,
                ),
                usuario=self.usuario,
            )
            if pago.estado == PagoBancario.Estado.APLICADO:
                aplicados += 1
            else:
                en_revision += 1
            if progreso and (n % 500 == 0 or n == len(nuevos)):
                progreso(n, len(nuevos))
        resumen.creadas = len(nuevos)
        resumen.omitidas = len(registros) - len(nuevos)
        resumen.detalle.update({"ya cargado": resumen.omitidas, "aplicados": aplicados, "en revisión": en_revision})
