"""`python manage.py registrar_pac ARCHIVO.cer`: add a PAC's certificate to the registry a CFDI's stamp is
checked against (docs/reglas.md §18)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recuperacion import cfdi
from recuperacion.models import CertificadoPAC


class Command(BaseCommand):
    help = "Registra el certificado de un PAC (archivo .cer) para verificar el timbre de los CFDI de nómina."

    def add_arguments(self, parser):
        parser.add_argument("archivos", nargs="+", metavar="ARCHIVO.cer")

    def handle(self, *args, archivos, **opciones):
        for nombre in archivos:
            ruta = Path(nombre)
            if not ruta.is_file():
                raise CommandError(f"No existe el archivo {nombre}.")
            try:
                datos = cfdi.datos_certificado_pac(ruta.read_bytes()[: 64 * 1024])
            except cfdi.CfdiRechazado as error:
                raise CommandError(f"{nombre}: {error}") from None
            numero = datos.pop("no_certificado")
            _, creado = CertificadoPAC.objects.update_or_create(no_certificado=numero, defaults=datos)
            accion = "registrado" if creado else "actualizado"
            self.stdout.write(f"Certificado de PAC {numero} {accion} ({datos['sujeto']}).")
