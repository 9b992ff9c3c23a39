"""The long tables of a loan (amortization, movements) rendered row by row in Python.

A 96-installment schedule is ~700 cells; through template variables and filters each cell costs several
microseconds, and together they were over half of the statement page's server time. Here each row is one
f-string with the same markup and the same formatting helpers as the filters. Text goes through
`html.escape`, which is what Django's `escape` does without its per-call lazy-string checks; amounts,
dates and numbers come from `formato_moneda`, `formato_fecha` and `int`, and states from `EstadoCuota`,
whose characters ($ digits , . - / and the states' fixed Spanish words) need no escaping (tests/recuperacion/test_estado_cuenta.py checks the markup).
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from oficina.formatos import formato_fecha, formato_moneda
from prestamos.models import Movimiento
from prestamos.templatetags.formato import fecha, moneda, tasa
from recuperacion.grafica import svg

register = template.Library()


@register.simple_tag
def filas_amortizacion(vista) -> SafeString:
    # Each cell names its column (data-etiqueta): on a phone the table reflows into one card per installment,
    # like the other tables, instead of cutting the amounts. The period's word follows the loan's kind.
    periodo = vista.primer_periodo.NOMBRE.capitalize()
    return mark_safe(
        "\n".join(
            f'<tr class="{f.estado.clase}"><td data-etiqueta="Núm.">{f.numero:d}</td>'
            f'<td data-etiqueta="{periodo}">{escape(f.periodo.en_palabras)}</td>'
            f'<td class="num" data-etiqueta="Cuota">{formato_moneda(f.cuota)}</td>'
            f'<td class="num" data-etiqueta="Interés">{formato_moneda(f.interes)}</td>'
            f'<td class="num" data-etiqueta="Capital">{formato_moneda(f.capital)}</td>'
            f'<td class="num" data-etiqueta="Saldo">{formato_moneda(f.saldo)}</td>'
            f'<td data-etiqueta="Estado">{f.estado.etiqueta}</td></tr>'
            for f in vista.tabla()
        )
    )


@register.simple_tag
def filas_movimientos(vista, comprobantes=None) -> SafeString:
    """`comprobantes`: movement id → the URL of its comprobante de pago (the borrower's pages pass them)."""
    if not vista.movimientos:
        return mark_safe('<tr><td colspan="6">Aún no hay movimientos registrados.</td></tr>')
    comprobantes = comprobantes or {}
    return mark_safe(
        "\n".join(_fila_movimiento(m, vista.concepto(m), comprobantes.get(m.id)) for m in vista.movimientos_por_fecha)
    )


# Entries that take back what an earlier one booked, or send money out: their amounts print negative.
_EN_CONTRA = {Movimiento.Tipo.REVERSION, Movimiento.Tipo.DEVOLUCION}


def _fila_movimiento(m, concepto, comprobante: str | None = None) -> str:
    excedente = f"<br><small>Saldo a favor: {formato_moneda(m.excedente)}</small>" if m.excedente else ""
    if comprobante:
        excedente += f'<br><a href="{escape(comprobante)}">Comprobante de pago</a>'

    signo = "−" if m.tipo in _EN_CONTRA else ""
    clase = ' class="fila--reversion"' if m.tipo == Movimiento.Tipo.REVERSION else ""
    return (
        f'<tr{clase}><td data-etiqueta="Fecha">{formato_fecha(m.fecha_valor)}</td>'
        f'<td data-etiqueta="Concepto">{escape(concepto.titulo)}<br><small>{escape(concepto.detalle)}</small>{excedente}</td>'
        f'<td class="num" data-etiqueta="Importe">{signo}{formato_moneda(m.importe)}</td>'
        f'<td class="num" data-etiqueta="Moratorios">{signo if m.moratorios else ""}{formato_moneda(m.moratorios)}</td>'
        f'<td class="num" data-etiqueta="Interés">{signo if m.interes else ""}{formato_moneda(m.interes)}</td>'
        f'<td class="num" data-etiqueta="Capital">{signo if m.capital else ""}{formato_moneda(m.capital)}</td></tr>'
    )


@register.simple_tag
def grafica_svg(grafica) -> SafeString:
    """The balance chart's markup (recuperacion/grafica.py `svg`), or nothing without a chart."""
    return mark_safe(svg(grafica))


def _texto(valor) -> str:
    """What `{{ valor }}` prints for a string or a number (USE_THOUSAND_SEPARATOR is off)."""
    return escape(str(valor))


@register.simple_tag
def condiciones(vista) -> SafeString:
    """The loan's terms (`<dl class="datos">`): what templates/recuperacion/_condiciones.html drew with ~20
    variables and filters, byte for byte (tests/recuperacion/test_partes_html.py compares them)."""
    p = vista.prestamo
    periodo = vista.primer_periodo
    termino = fecha(vista.fecha_termino) if vista.fecha_termino else "—"
    liquidacion = (
        f"<dt>Fecha de liquidación</dt><dd>{_texto(fecha(vista.posicion.fecha_liquidacion))}</dd>"
        if vista.liquidado
        else ""
    )
    return mark_safe(
        '<dl class="datos">\n'
        f"  <dt>Folio</dt><dd>{_texto(p.folio)}</dd>\n"
        f"  <dt>Tipo</dt><dd>{_texto(p.get_tipo_display())}</dd>\n"
        f'  <dt>Estado</dt><dd><span class="estado estado--{_texto(vista.estado)}">{_texto(vista.estado_texto)}</span></dd>\n'
        f"  <dt>Fecha de otorgamiento</dt><dd>{_texto(fecha(p.fecha_otorgamiento))}</dd>\n"
        f"  <dt>Importe otorgado</dt><dd>{_texto(moneda(p.importe))}</dd>\n"
        f"  <dt>Tasa</dt><dd>{_texto(tasa(p.tasa_anual))}</dd>\n"
        "  \n"
        f"  <dt>Plazo</dt><dd>{_texto(p.plazo)} {_texto(periodo.PLURAL)}</dd>\n"
        f"  <dt>{_texto(capfirst(periodo.ADJETIVO))}</dt><dd>{_texto(moneda(p.cuota))}</dd>\n"
        f"  <dt>{_texto(capfirst(periodo.PAGADOS))} / por pagar</dt>"
        f"<dd>{_texto(vista.cuotas_pagadas)} / {_texto(vista.cuotas_por_pagar)}</dd>\n"
        "  \n"
        f"  <dt>Fecha estimada de término</dt><dd>{_texto(termino)}</dd>\n"
        f"  <dt>Dependencia que descuenta</dt><dd>{_texto(p.dependencia.nombre)}</dd>\n"
        f"  {liquidacion}\n"
        "</dl>"
    )
