"""pagos.csv: the banks' payments, matched to FOPIs by reference (docs/reglas.md §7).

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
from oficina.formatos import formato_moneda
from oficina.importacion.base import ArchivoRechazado, ErrorCampo, ErrorFila, Importador, Resumen, duplicados, registrar
from prestamos import libro
from prestamos.correcciones import revertir_movimientos
from prestamos.models import ArchivoAplicado


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
        if not re.fullmatch(r"[0-9]{1,40}", referencia):
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
        errores += self._reenviados(registros)
        return registros, errores

    @staticmethod
    def _reenviados(registros: list[FilaPago]) -> list[ErrorFila]:
        """A payment already loaded must come again exactly as it was (docs/reglas.md §9): same date,
        reference and amount; otherwise the file is refused rather than the difference ignored."""
        cargados = {
            (banco, autorizacion): (fecha, referencia, importe)
            for banco, autorizacion, fecha, referencia, importe in PagoBancario.objects.filter(
                canal=PagoBancario.Canal.BANCO, autorizacion__in={r.autorizacion for r in registros}
            ).exclude(estado=PagoBancario.Estado.REVERTIDO).values_list(
                "banco", "autorizacion", "fecha_pago", "referencia", "importe"
            )
        }
        errores = []
        for r in registros:
            previo = cargados.get(r.clave)
            if previo is None or previo == (r.fecha_pago, r.referencia, r.importe):
                continue
            fecha, referencia, importe = previo
            diferencias = [
                f"{campo} {antes}" for campo, antes, ahora in (
                    ("fecha_pago", fecha.isoformat(), r.fecha_pago.isoformat()),
                    ("referencia", referencia, r.referencia),
                    ("importe", importe, r.importe),
                ) if str(antes) != str(ahora)
            ]
            errores.append(ErrorFila(
                r.linea, f"el pago {r.banco} {r.autorizacion} ya cargado con otro {', '.join(diferencias)}"
            ))
        return errores

    def cargar(self, registros: list[FilaPago], resumen: Resumen, progreso=None):
        # Two imports of the same bank file at once: the second waits here, then finds the keys loaded.
        bloqueo_transaccional("importacion-pagos")
        cargados = set(
            PagoBancario.objects.filter(
                canal=PagoBancario.Canal.BANCO, autorizacion__in={r.autorizacion for r in registros}
            )
            .exclude(estado=PagoBancario.Estado.REVERTIDO)
            .values_list("banco", "autorizacion")
        )
        nuevos = [r for r in registros if r.clave not in cargados]
        aplicado = None
        if nuevos:
            aplicado = ArchivoAplicado.objects.create(
                sha256=self.sha256, nombre=self.nombre_archivo[:255], tipo=self.tipo, cargado_por=self.usuario
            )
        fopis = {
            f.referencia: f
            for f in Fopi.objects.filter(referencia__in={r.referencia for r in nuevos}).select_related("prestamo")
        }
        # Every loan this file pays, locked now in id order (as a remesa locks its loans), not one by one in
        # the file's order: a remesa over the same loans would otherwise deadlock with this file.
        libro.bloquear({f.prestamo_id for f in fopis.values()})
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
                    archivo_aplicado=aplicado,
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

    def revertir(self, resumen: Resumen, motivo: str) -> None:
        """Reverse what this file's payments applied; its rows stop counting as loaded and the FOPIs they
        paid are payable again (docs/reglas.md §9)."""
        bloqueo_transaccional("importacion-pagos")
        archivo = ArchivoAplicado.objects.select_for_update().filter(
            sha256=self.sha256, tipo=self.tipo, revertido__isnull=True
        ).order_by("pk").first()
        if archivo is None:
            raise ArchivoRechazado(
                [ErrorFila(0, "Este archivo no está cargado (nunca se cargó o ya se revirtió); no hay nada que revertir.")],
                tipo=self.tipo,
            )
        pagos = list(
            archivo.pagos.select_for_update(of=("self",)).exclude(estado=PagoBancario.Estado.REVERTIDO).select_related("fopi")
        )
        devueltos = [p for p in pagos if p.estado == PagoBancario.Estado.DEVOLUCION]
        if devueltos:
            raise ArchivoRechazado(
                [ErrorFila(0, f"El pago {p.banco} {p.autorizacion} ya se marcó para devolución; resuélvelo antes de "
                              "revertir el archivo.") for p in devueltos],
                tipo=self.tipo,
            )
        resultado = revertir_movimientos(
            movimiento_ids=[p.movimiento_id for p in pagos if p.movimiento_id], motivo=motivo, usuario=self.usuario
        )
        for pago in pagos:
            pago.estado = PagoBancario.Estado.REVERTIDO
            pago.save(update_fields=["estado"])
        # A FOPI is payable again only when no payment still applied pays it: a duplicate that staff applied
        # and this file reverses must not reopen the FOPI another payment paid (docs/reglas.md §9).
        pagados = {p.fopi for p in pagos if p.fopi is not None and p.fopi.estado == Fopi.Estado.PAGADO and p.movimiento_id}
        siguen = set(
            PagoBancario.objects.filter(fopi__in=pagados, estado__in=PagoBancario.APLICADOS).values_list("fopi_id", flat=True)
        )
        for fopi in pagados:
            if fopi.pk not in siguen:
                fopi.estado, fopi.pagado_el = Fopi.Estado.PENDIENTE, None
                fopi.save(update_fields=["estado", "pagado_el"])
        archivo.revertido, archivo.revertido_por, archivo.motivo_reversion = timezone.now(), self.usuario, motivo
        archivo.save(update_fields=["revertido", "revertido_por", "motivo_reversion"])
        resumen.detalle.update({
            "pagos revertidos": len(pagos),
            "movimientos revertidos": resultado.revertidos,
            "movimientos posteriores vueltos a aplicar": resultado.reaplicados,
            "importe revertido": formato_moneda(resultado.importe),
        })
