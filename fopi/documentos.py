"""Models → the plain dataclasses fopi/pdf.py renders."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from fopi import pdf, selectors
from fopi.clabe import clabe_agrupada
from fopi.models import Fopi, PagoBancario
from oficina.verificacion_pdf import SelloVerificacion
from prestamos import posiciones

# The comprobante's verification seal (docs/reglas.md §9) is registered with the other verifiable documents in
# recuperacion.verificacion, a layer above this one: recuperacion installs the function when its app loads
# (recuperacion/apps.py → recuperacion.comprobantes.sello_comprobante). None: printed without a seal.
sellar_comprobante: Callable[[PagoBancario], SelloVerificacion] | None = None


def fopi_pdf(fopi: Fopi, *, marca: str = "") -> bytes:
    """`marca`: VENCIDO or CANCELADO, printed across an old FOPI's page (fopi.selectors.EstadoFopi.marca)."""
    derechohabiente = fopi.prestamo.derechohabiente
    bancos = tuple(pdf.BancoPdf(b.nombre, b.convenio) for b in selectors.bancos_autorizados())
    return pdf.render_fopi(
        pdf.DatosFopi(
            nombre=derechohabiente.nombre_completo,
            curp=derechohabiente.curp,
            folio=fopi.prestamo.folio,
            tipo=fopi.tipo,
            tipo_texto=fopi.get_tipo_display(),
            importe=fopi.importe,
            vigencia=fopi.vigencia,
            referencia=fopi.referencia,
            secuencia=fopi.secuencia,
            emitido=timezone.localdate(fopi.emitido),
            bancos=bancos,
            clabe=fopi.clabe,
            beneficiario=settings.SPEI_BENEFICIARIO,
            marca=marca,
            cubre=(f"{fopi.periodos[0].PALABRAS.plural.capitalize()} sin descuento: {fopi.periodos_en_palabras}"
                   if fopi.periodos else ""),
        )
    )


def folio_comprobante(pago: PagoBancario) -> str:
    return f"CP-{pago.pk:08d}"


def cuenta_oculta(cuenta: str) -> str:
    """The payer's account by its last four digits only: the receipt travels by e-mail."""
    return f"•••• {cuenta[-4:]}" if len(cuenta) > 4 else cuenta


def _datos_pago(pago: PagoBancario) -> tuple[tuple[str, str], ...]:
    if pago.canal == PagoBancario.Canal.SPEI:
        pares = [
            ("Clave de rastreo", pago.clave_rastreo),
            ("Banco de origen", pago.banco),
            ("Ordenante", pago.nombre_ordenante),
            ("Cuenta de origen", cuenta_oculta(pago.cuenta_ordenante)),
            ("CLABE de destino", " ".join(clabe_agrupada(pago.cuenta_beneficiario))),
        ]
    else:
        pares = [("Banco", pago.banco), ("Autorización", pago.autorizacion), ("Referencia", pago.referencia)]
    if pago.fopi is not None:
        pares.append(("Formato de pago", f"{pago.fopi.get_tipo_display()}, núm. {pago.fopi.secuencia:03d}"))
    return tuple((etiqueta, valor) for etiqueta, valor in pares if valor)


def saldo_despues(pago: PagoBancario) -> Decimal:
    """The saldo deudor right after `pago`, as of its value date: the loan's ledger replayed up to its movement
    (read only; later movements do not change what the receipt says)."""
    prestamo, movimiento = pago.prestamo, pago.movimiento
    hasta = [m for m in posiciones.libros([prestamo])[prestamo.pk] if m.id <= movimiento.pk]
    posicion = posiciones.reconstruir(prestamo, hasta, reproducir=True)
    return posicion.saldo_deudor_total(movimiento.fecha_valor, posiciones.contexto(prestamo, movimiento.fecha_valor))


def comprobante_pdf(pago: PagoBancario) -> bytes:
    """Only for an applied payment: `pago.movimiento` holds how it was applied."""
    movimiento = pago.movimiento
    derechohabiente = pago.prestamo.derechohabiente
    return pdf.render_comprobante(
        pdf.DatosComprobante(
            folio=folio_comprobante(pago),
            nombre=derechohabiente.nombre_completo,
            curp=derechohabiente.curp,
            folio_prestamo=pago.prestamo.folio,
            canal="Transferencia SPEI" if pago.canal == PagoBancario.Canal.SPEI else "Pago en banco con FOPI",
            importe=movimiento.importe,
            fecha_valor=movimiento.fecha_valor,
            aplicado=timezone.localdate(movimiento.creado),
            datos_pago=_datos_pago(pago),
            moratorios=movimiento.moratorios,
            interes=movimiento.interes,
            capital=movimiento.capital,
            excedente=movimiento.excedente,
            nota="Pago revisado y aplicado por el CAPP." if pago.estado == PagoBancario.Estado.APLICADO_CAPP else "",
            saldo_despues=saldo_despues(pago),
            sello=sellar_comprobante(pago) if sellar_comprobante is not None else None,
        )
    )
