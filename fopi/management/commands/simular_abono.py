"""Play the bank on a laptop: sign and post a SPEI deposit notification for a FOPI to the running portal.

    DJANGO_DEBUG=1 .venv/bin/python manage.py simular_abono 2000000000100150209224 [--monto 1400.00]

The FOPI by its reference, its CLABE or its number; by default its exact amount (so it is applied), or any
`--monto` (a different amount goes to review, as a real deposit would). Posts to `PORTAL_URL` + /spei/abonos/,
signed with `SPEI_SECRETO` exactly as the bank signs (fopi/notificacion.py), and prints the portal's answer.
"""

import json
import secrets
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from fopi.models import Fopi
from fopi.notificacion import firmar
from oficina.campos import ImporteField

CUENTA_ORDENANTE = "012180004567891234"  # a BBVA CLABE for the example payer


class Command(BaseCommand):
    help = "Simula un abono SPEI a un FOPI: firma y envía la notificación al portal que está corriendo."

    def add_arguments(self, parser):
        parser.add_argument("fopi", help="referencia (22 dígitos), CLABE (18) o número del FOPI")
        parser.add_argument("--monto", help="importe del abono (por omisión, el del FOPI)")
        parser.add_argument("--url", help="dirección del portal (por omisión PORTAL_URL)")

    def handle(self, *args, fopi: str, monto: str | None, url: str | None, **opciones):
        if not settings.SPEI_SECRETO:
            raise CommandError("Configura SPEI_SECRETO (con DJANGO_DEBUG=1 hay uno de desarrollo).")
        filtro = (
            Q(referencia=fopi)
            | Q(clabe=fopi)
            | (Q(pk=int(fopi)) if fopi.isascii() and fopi.isdigit() and len(fopi) < 12 else Q())
        )
        encontrado = Fopi.objects.select_related("prestamo__derechohabiente").filter(filtro).first()
        if encontrado is None:
            raise CommandError(f"No hay un FOPI con referencia, CLABE o número {fopi}.")
        try:
            # The forms' field: the same amounts accepted, the same messages ("El importe es demasiado grande.").
            # A blank --monto is a mistake, not "the FOPI's amount".
            campo = ImporteField(error_messages={"required": ImporteField.default_error_messages["invalid"]})
            importe = campo.clean(monto) if monto is not None else encontrado.importe
        except ValidationError as error:
            raise CommandError(f"{error.messages[0]} (--monto {monto[:40]!r})")
        persona = encontrado.prestamo.derechohabiente
        datos = {
            "id": secrets.randbelow(10**9),
            "fechaOperacion": int(timezone.localdate().strftime("%Y%m%d")),
            "institucionOrdenante": 40012,
            "claveRastreo": f"SIMULADO{secrets.token_hex(6).upper()}",
            "monto": "__MONTO__",
            "cuentaBeneficiario": encontrado.clabe,
            "nombreOrdenante": f"{persona.nombre} {persona.primer_apellido}".upper()[:120],
            "cuentaOrdenante": CUENTA_ORDENANTE,
            "conceptoPago": encontrado.referencia,
        }
        # The amount as a JSON number written from its Decimal text: no float in between.
        cuerpo = json.dumps(datos).replace('"__MONTO__"', str(importe)).encode()
        destino = (url or settings.PORTAL_URL).rstrip("/") + "/spei/abonos/"
        peticion = urllib.request.Request(
            destino,
            data=cuerpo,
            method="POST",
            headers={"Content-Type": "application/json", "X-Firma": firmar(cuerpo, settings.SPEI_SECRETO)},
        )
        try:
            with urllib.request.urlopen(peticion, timeout=10) as respuesta:  # noqa: S310 - the portal's own address
                estado, texto = respuesta.status, respuesta.read().decode()
        except urllib.error.HTTPError as error:
            estado, texto = error.code, error.read().decode()
        except urllib.error.URLError as error:
            raise CommandError(f"No se pudo conectar con {destino}: ¿está corriendo el portal? ({error.reason})")
        self.stdout.write(f"{destino} respondió {estado}: {texto}")
        self.stdout.write(f"Abono de ${importe:,.2f} al FOPI {encontrado.referencia} (CLABE {encontrado.clabe}).")
