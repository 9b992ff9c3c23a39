"""The CAPP staff as the admin walks see them (one named member per role, plus a staff account without a
role and a superuser) and a world with one row of every model the admin shows, so that every change,
delete and history URL has an object to open.

Shared by tests/accounts/test_roles_admin.py (what each role may do) and tests/test_segundo_factor_staff.py
(nothing without the second factor).
"""

import hashlib
from datetime import timedelta
from decimal import Decimal as D

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.roles import CONSULTA, OPERACION, SUPERVISION
from tests.accounts.datos import activar_totp, con_segundo_factor
from tests.fabricas import CONTRASENA

# The five kinds of staff account, by the name the tests use.
CON = "consulta"
OPE = "operacion"
SUP = "supervision"
SIN_ROL = "sin_rol"
SU = "superusuario"
PERSONAL = (CON, OPE, SUP, SIN_ROL, SU)
GRUPO = {CON: CONSULTA, OPE: OPERACION, SUP: SUPERVISION}


def miembro(rol: str, django_user_model):
    """A staff account of that kind, with its TOTP activated (no session yet)."""
    usuario = django_user_model.objects.create_user(
        username=f"capp-{rol}", email=f"capp-{rol}@ejemplo.mx", password=CONTRASENA, is_staff=True,
        is_superuser=rol == SU,
    )
    EmailAddress.objects.create(user=usuario, email=usuario.email, verified=True, primary=True)
    if rol in GRUPO:
        usuario.groups.add(Group.objects.get(name=GRUPO[rol]))
    activar_totp(usuario)
    return usuario


def cliente_de(usuario) -> Client:
    """A browser session of `usuario` that completed the second factor."""
    return con_segundo_factor(Client(), usuario)


def mundo(por):
    """The demo data plus one row of each model the demo leaves empty; `por`: the staff member recorded as
    author. Returns the objects the walks open by name."""
    from accounts.models import LiberacionCurp
    from fopi import services as fopi_services
    from fopi.models import AvisoCorreo, PagoBancario
    from prestamos.calculo import Periodo
    from prestamos.models import Carga, Derechohabiente, ParametroMora, Prestamo
    from recuperacion import cfdi
    from recuperacion.models import (
        Aclaracion,
        AdeudoDependencia,
        Atencion,
        DocumentoVerificable,
        SolicitudDevolucion,
    )
    from tests.recuperacion import talones_prueba

    call_command("cargar_demo", verbosity=0, stdout=_Nada())
    hoy = timezone.localdate()
    prestamo = Prestamo.objects.exclude(estado=Prestamo.Estado.LIQUIDADO).select_related("derechohabiente").first()
    derechohabiente = prestamo.derechohabiente
    futuro = ParametroMora.objects.create(
        vigente_desde=hoy + timedelta(days=30), dias_gracia=5, factor=D("1.50"), registrado_por=por
    )
    fopi = fopi_services.fopi_emitir(prestamo=prestamo, tipo="PARCIAL", importe=D("500.00"), usuario=por, hoy=hoy)
    pago = PagoBancario.objects.create(
        banco="BANORTE", autorizacion="A1", fecha_pago=hoy, referencia=fopi.referencia, importe=D("499.00"),
        estado=PagoBancario.Estado.EN_REVISION, motivo="importe distinto", fopi=fopi, cargado_por=por,
    )
    from fopi.models import DevolucionPago

    duplicado = PagoBancario.objects.create(
        banco="BANORTE", autorizacion="A2", fecha_pago=hoy, referencia=fopi.referencia, importe=D("500.00"),
        estado=PagoBancario.Estado.DEVOLUCION, motivo="Segundo pago del mismo FOPI", fopi=fopi, cargado_por=por,
    )
    devolucion = DevolucionPago.objects.create(pago=duplicado, importe=duplicado.importe)
    png = talones_prueba.imagen("PNG")
    aclaracion = Aclaracion(
        prestamo=prestamo, quincena=prestamo.primera_quincena, importe=prestamo.cuota, talon_tipo="image/png",
        talon_nombre="talon.png", talon_tamanio=len(png), talon_sha256=hashlib.sha256(png).hexdigest(),
        presentada_por=derechohabiente.usuario,
    )
    aclaracion.talon.save("talon.png", ContentFile(png), save=False)
    aclaracion.save()
    aclaracion.folio = f"ACL-{hoy:%Y}{aclaracion.pk:06d}"
    aclaracion.save(update_fields=["folio"])
    otra = Aclaracion.objects.get(pk=aclaracion.pk)
    otra.pk, otra.folio, otra.quincena = None, None, prestamo.primera_quincena + 1
    otra.save()
    otra.folio = f"ACL-{hoy:%Y}{otra.pk:06d}"
    otra.save(update_fields=["folio"])
    AdeudoDependencia.objects.create(
        dependencia=prestamo.dependencia, quincena=otra.quincena, prestamo=prestamo, importe=prestamo.cuota,
        aclaracion=otra, registrado_por=por,
    )
    from recuperacion.models import CertificadoPAC, DeduccionPrestamo
    from tests.recuperacion import cfdi_fabrica

    CertificadoPAC.objects.create(**cfdi.datos_certificado_pac(cfdi_fabrica.der(cfdi_fabrica.llaves().pac)))
    DeduccionPrestamo.objects.create(dependencia=prestamo.dependencia)
    SolicitudDevolucion.objects.create(
        prestamo=prestamo, importe=D("120.00"), clabe="012180001234567897", titular=derechohabiente.nombre_completo,
    )
    DocumentoVerificable.objects.create(
        tipo=DocumentoVerificable.Tipo.COMPROBANTE_PAGO, asunto="Comprobante de pago", codigo="ABCD2345EFGH6789",
        folio="CP-000001", derechohabiente=derechohabiente, prestamo=prestamo, importe=D("500.00"), emitido=hoy,
    )
    Atencion.objects.create(
        derechohabiente=derechohabiente, canal=Atencion.Canal.TELEFONO, motivo=Atencion.Motivo.FOPI,
        nota="Pidió su referencia.", usuario=por,
    )
    AvisoCorreo.objects.create(
        tipo=AvisoCorreo.Tipo.PAGO_APLICADO, objeto=pago.pk, prestamo=prestamo, derechohabiente=derechohabiente,
        correo="alguien@ejemplo.mx", asunto="Recibimos tu pago",
    )
    sin_cuenta = Derechohabiente.objects.filter(usuario__isnull=True).first()
    LiberacionCurp.objects.create(
        derechohabiente=sin_cuenta, cuenta_usuario="intruso", cuenta_correo="intruso@ejemplo.mx", por=por,
        motivo="Identificación revisada en el CAPP.",
    )
    from accounts.models import ReaperturaRegistro
    from fopi.models import AlertaSpei

    ReaperturaRegistro.objects.create(
        derechohabiente=sin_cuenta, fallidos=5, cerrado_desde=timezone.now(), por=por, motivo="Identidad revisada.",
    )
    from accounts.models import IntentosRegistro

    IntentosRegistro.objects.create(
        derechohabiente=sin_cuenta, fallidos=5, ultimo_fallido=timezone.now(), cerrado_desde=timezone.now()
    )
    AlertaSpei.objects.create(
        causa=AlertaSpei.Causa.CUENTA_INEXISTENTE, motivo="Ningún FOPI ha tenido esta CLABE", id_spei="1",
        fecha_operacion=hoy, institucion_ordenante="40012", clave_rastreo="R1", monto=D("100.00"),
        cuenta_beneficiario="646180201099999999",
    )
    carga = Carga.objects.create(
        archivo=ContentFile(b"clave,nombre\n", name="dependencias.csv"), nombre="dependencias.csv",
        estado=Carga.Estado.FALLIDA, creada_por=por,
    )
    from django.contrib.auth import get_user_model

    from dependencias.models import AccesoDependencia, AcuseSuspension, UsuarioDependencia

    nomina = get_user_model().objects.create(username="nomina_mundo", email="nomina@ejemplo.gob.mx")
    UsuarioDependencia.objects.create(usuario=nomina).dependencias.add(prestamo.dependencia)
    AcuseSuspension.objects.create(prestamo=prestamo, usuario=nomina)
    AccesoDependencia.objects.create(usuario=nomina, dependencia=prestamo.dependencia,
                                     accion=AccesoDependencia.Accion.CEDULA_CSV, detalle="2026-Q11")
    return {
        "prestamo": prestamo,
        "derechohabiente": derechohabiente,
        "parametro_futuro": futuro,
        "fopi": fopi,
        "pago": pago,
        "devolucion": devolucion,
        "aclaracion": aclaracion,
        "carga": carga,
        "quincena": Periodo.parse(str(prestamo.primera_quincena)),
    }


class _Nada:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass
