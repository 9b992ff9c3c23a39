from fopi import pdf
from fopi.models import Banco, Fopi


def fopi_pdf(fopi: Fopi) -> bytes:
    derechohabiente = fopi.prestamo.derechohabiente
    bancos = tuple(pdf.BancoPdf(b.nombre, b.convenio) for b in Banco.objects.filter(activo=True))
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
            emitido=fopi.emitido.date(),
            bancos=bancos,
        )
    )
