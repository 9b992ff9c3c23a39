"""From what the borrower's pages show to the PDF renderers' plain data (no ORM inside the renderers)."""


from prestamos.cartera import CERO
from prestamos.selectors import EstadoCuota, VistaPrestamo
from recuperacion import pdf
from recuperacion.models import DocumentoVerificable
from recuperacion.selectors import EstadoCuenta
from recuperacion.suspension import REGLA, primera_quincena_sin_descuento
from recuperacion.verificacion import sello_de


def _prestamo_pdf(vista: VistaPrestamo) -> pdf.PrestamoPdf:
    p = vista.prestamo
    return pdf.PrestamoPdf(
        folio=p.folio,
        tipo=p.get_tipo_display(),
        estado=vista.estado_texto,
        importe=p.importe,
        tasa_anual=p.tasa_anual,
        plazo=p.plazo,
        cuota=p.cuota,
        fecha_otorgamiento=p.fecha_otorgamiento,
        quincenas_pagadas=vista.cuotas_pagadas,
        quincenas_por_pagar=vista.cuotas_por_pagar,
        periodo=vista.primer_periodo.NOMBRE,
        periodos=vista.primer_periodo.PLURAL,
        descuento=vista.primer_periodo.ADJETIVO,
        pagados=vista.primer_periodo.PAGADOS,
        fecha_termino=vista.fecha_termino,
        dependencia=p.dependencia.nombre,
        saldo=vista.saldo_deudor,
        movimientos=tuple(
            pdf.MovimientoPdf(
                fecha=m.fecha_valor,
                concepto=_concepto(vista, m),
                importe=m.importe,
                moratorios=m.moratorios,
                interes=m.interes,
                capital=m.capital,
            )
            for m in vista.movimientos_por_fecha
        ),
        tabla=tuple(
            pdf.RenglonTabla(
                numero=f.numero,
                quincena=f.periodo.en_palabras,
                vencimiento=f.vencimiento,
                cuota=f.cuota,
                interes=f.interes,
                capital=f.capital,
                saldo=f.saldo,
                estado=f.estado.etiqueta,
                vencida=f.estado is EstadoCuota.VENCIDA,
            )
            for f in vista.tabla()
        ),
    )


def _concepto(vista: VistaPrestamo, movimiento) -> str:
    concepto = vista.concepto(movimiento)
    return f"{concepto.titulo} — {concepto.detalle}" if concepto.detalle else concepto.titulo


def estado_cuenta_pdf(estado: EstadoCuenta) -> bytes:
    d = estado.derechohabiente
    historico = tuple(_prestamo_pdf(v) for v in estado.prestamos)
    vigente = next((h for h, v in zip(historico, estado.prestamos) if v is estado.vigente), None)
    return pdf.render_estado_cuenta(
        pdf.EstadoCuentaPdf(
            nombre=d.nombre_completo,
            curp=d.curp,
            fecha_corte=estado.hoy,
            saldo_deudor_total=estado.saldo_deudor_total,
            vigente=vigente,
            historico=historico,
            capital_insoluto=sum((v.capital_insoluto for v in estado.prestamos), CERO),
            intereses_vencidos=sum((v.interes_vencido for v in estado.prestamos), CERO),
            moratorios=sum((v.moratorios for v in estado.prestamos), CERO),
            omisiones=tuple(
                pdf.OmisionPdf(folio=v.prestamo.folio, periodo=o.periodo.descripcion, pendiente=o.pendiente,
                               moratorio=o.moratorio)
                for v in estado.prestamos
                for o in v.omisiones
            ),
            pension_suspendida=estado.pension_suspendida,
            pagador=estado.palabras.pagador,
        )
    )


def carta_liquidacion_pdf(vista: VistaPrestamo, documento: DocumentoVerificable) -> bytes:
    p = vista.prestamo
    d = p.derechohabiente
    return pdf.render_carta_liquidacion(
        pdf.CartaLiquidacion(
            nombre=d.nombre_completo,
            curp=d.curp,
            folio=p.folio,
            tipo=p.get_tipo_display(),
            importe=p.importe,
            fecha_otorgamiento=p.fecha_otorgamiento,
            fecha_liquidacion=documento.fecha_hecho,
            emitida=documento.emitido,
            folio_documento=documento.folio,
            sello=sello_de(documento),
        )
    )


def _para_nomina(periodo) -> str:
    """The period for a payroll office: in words with its days, its code after it (what their systems match)."""
    return f"{periodo.con_articulo}{periodo.descripcion[len(periodo.en_palabras):]} ({periodo})"


def aviso_suspension_pdf(vista: VistaPrestamo, documento: DocumentoVerificable) -> bytes:
    p = vista.prestamo
    d = p.derechohabiente
    return pdf.render_aviso_suspension(
        pdf.AvisoSuspension(
            folio_documento=documento.folio,
            nombre=d.nombre_completo,
            curp=d.curp,
            rfc=d.rfc,
            dependencia=p.dependencia.nombre,
            folio=p.folio,
            descuento=p.cuota,
            fecha_liquidacion=documento.fecha_hecho,
            primera_quincena_sin_descuento=_para_nomina(
                primera_quincena_sin_descuento(documento.fecha_hecho, type(p.primera_quincena))
            ),
            periodo=type(p.primera_quincena).PALABRAS.nombre,
            adjetivo=p.primera_quincena.ADJETIVO,
            regla=REGLA,
            emitido=documento.emitido,
            sello=sello_de(documento),
        )
    )


def constancia_no_adeudo_pdf(estado: EstadoCuenta, documento: DocumentoVerificable) -> bytes:
    d = estado.derechohabiente
    liquidados = sorted(
        (v for v in estado.prestamos if v.liquidado), key=lambda v: v.posicion.fecha_liquidacion, reverse=True
    )
    return pdf.render_constancia_no_adeudo(
        pdf.ConstanciaNoAdeudo(
            folio_documento=documento.folio,
            nombre=d.nombre_completo,
            curp=d.curp,
            rfc=d.rfc,
            emitida=documento.emitido,
            liquidados=tuple(
                pdf.LiquidadoPdf(
                    folio=v.prestamo.folio,
                    tipo=v.prestamo.get_tipo_display(),
                    importe=v.prestamo.importe,
                    fecha_liquidacion=v.posicion.fecha_liquidacion,
                )
                for v in liquidados
            ),
            sello=sello_de(documento),
        )
    )
