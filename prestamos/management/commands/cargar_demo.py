from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from oficina.importacion import importar_archivo
from prestamos.calculo import Mes, Quincena
from prestamos.models import Dependencia, Derechohabiente, Prestamo

DEMO = Path(settings.BASE_DIR) / "demo"
ARCHIVOS = ["dependencias.csv", "derechohabientes.csv"]
CONTRASENA_DEMO = "Prestamo2026!"
CONTRASENA_CAPP = "CappDemo2026!"
# Demo borrowers with an account (user name → CURP); the rest of the padrón can register.
CUENTAS = {
    "maria": "GAML850312MDFRPR02",
    "juan": "HERJ790605HJCRMN09",
    "ramon": "PEMR900101HDFRRS00",
    "rosa": "GUDR550312MDFTZS03",
}
CURP_PARA_REGISTRO = "LOSA820420MNLPNN07"
RFC_PARA_REGISTRO = "LOSA820420TR5"
# The demo staff member's second factor, from fixed seeds published here and in `make run`: demo only, which
# is why the staff member is created only with DJANGO_DEBUG=1.
SECRETO_TOTP_CAPP = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"
# The demo payroll officer of SEP in the dependencias' portal (docs/reglas.md §16): same second factor as staff.
NOMINA_SEP = "nomina_sep"
CONTRASENA_NOMINA = "NominaDemo2026!"
SECRETO_TOTP_NOMINA = "NBXW22LOMFPXGZLQMRSW2YLSMVZXI3DP"
SEMILLA_RECUPERACION_CAPP = "6f6669636e612d7669727475616c2d64656d6f2d636170702d7265637570657261"
ROL_CAPP = "Supervisión"
BANCOS = [
    ("BBVA México", "1234567"),
    ("Banorte", "0987654"),
    ("Santander", "5566778"),
    ("HSBC", "4433221"),
    ("Banco Azteca", "7788990"),
]


ENCABEZADO_PRESTAMOS = (
    "folio,curp,tipo,importe,tasa_anual,plazo_quincenas,fecha_otorgamiento,primera_quincena,estado,"
    "quincenas_pagadas,fecha_liquidacion"
)
# A pensioner's loan counts months: the same file with the period-neutral header (docs/reglas.md §12).
ENCABEZADO_PENSIONES = (
    "folio,curp,tipo,importe,tasa_anual,plazo,fecha_otorgamiento,primer_periodo,estado,"
    "quincenas_pagadas,fecha_liquidacion"
)


def prestamos_demo(hoy) -> bytes:
    """Loans dated relative to today, so the demo tells the same story whatever the day it is loaded."""
    actual = Quincena.de_fecha(hoy)
    primera = actual - 20
    otorgado = (primera - 1).inicio
    vencidas = sum(1 for n in range(48) if (primera + n).vencimiento <= hoy)
    filas = [
        # maría: up to date.
        f"20260000001,GAML850312MDFRPR02,ORDINARIO,30000.00,11.50,48,{otorgado},{primera},VIGENTE,{vencidas - 1},",
        # juan: a paid-off loan in his history and a current one up to date.
        "20190000007,HERJ790605HJCRMN09,ORDINARIO,18000.00,9.00,48,2019-01-08,2019-Q01,LIQUIDADO,48,2020-12-31",
        f"20260000002,HERJ790605HJCRMN09,ESPECIAL,45000.00,12.50,72,{otorgado},{primera},VIGENTE,{vencidas - 1},",
        # ramón: his dependencia stopped deducting three quincenas ago.
        f"20260000003,PEMR900101HDFRRS00,CONMEMORATIVO,25000.00,14.00,48,{otorgado},{primera},VIGENTE,{vencidas - 3},",
    ]
    return ("\n".join([ENCABEZADO_PRESTAMOS, *filas]) + "\n").encode()


def prestamos_pensiones_demo(hoy) -> bytes:
    """Rosa and Jorge, pensioners: monthly loans repaid from the pension payroll (docs/reglas.md §12), paid
    by the opening entry up to the month before the last one due."""
    actual = Mes.de_fecha(hoy)
    primero = actual - 10
    otorgado = (primero - 1).inicio
    vencidos = sum(1 for n in range(24) if (primero + n).vencimiento <= hoy)
    filas = [
        f"20260000004,GUDR550312MDFTZS03,ORDINARIO,30000.00,11.50,24,{otorgado},{primero},VIGENTE,{vencidos - 1},",
        f"20260000005,MEAJ520707HDFNLR05,ORDINARIO,20000.00,11.50,24,{otorgado},{primero},VIGENTE,{vencidos - 1},",
    ]
    return ("\n".join([ENCABEZADO_PENSIONES, *filas]) + "\n").encode()


def remesa_pensiones_demo(hoy) -> bytes:
    """The pension payroll's last month already due: Jorge's deduction came, Rosa's did not (her yearly
    proof of life is missing, so her pension was suspended): the portal tells her so."""
    mes = Mes.de_fecha(hoy)
    if mes.vencimiento > hoy:
        mes = mes - 1
    cuota = Prestamo.objects.get(folio="20260000005").cuota
    return f"clave_dependencia,quincena,folio,curp,importe\nPENSIONES,{mes},20260000005,MEAJ520707HDFNLR05,{cuota}\n".encode()


def remesas_demo(hoy) -> list[bytes]:
    """The last quincena already due: SEP and SSA deducted María's and Juan's cuotas (the installments the
    opening entries left unpaid); IMSS-B sent nothing for Ramón."""
    from prestamos.models import Prestamo

    quincena = Quincena.de_fecha(hoy)
    if quincena.vencimiento > hoy:
        quincena = quincena - 1
    archivos = []
    for clave, folio, curp in (
        ("SEP", "20260000001", "GAML850312MDFRPR02"),
        ("SSA", "20260000002", "HERJ790605HJCRMN09"),
    ):
        cuota = Prestamo.objects.get(folio=folio).cuota
        archivos.append(
            f"clave_dependencia,quincena,folio,curp,importe\n{clave},{quincena},{folio},{curp},{cuota}\n".encode()
        )
    return archivos


class Command(BaseCommand):
    help = "Carga datos de demostración (se puede ejecutar varias veces)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for nombre in ARCHIVOS:
                resumen = importar_archivo(DEMO / nombre)
                self.stdout.write(resumen.texto())
            if not Prestamo.objects.filter(folio__startswith="2026000000").exists():
                # Dated from the day of the first load; a later run must not offer different terms.
                # Named as a clerk would name them: the admin lists what each file applied by its name.
                hoy = timezone.localdate()
                self.stdout.write(importar_archivo(prestamos_demo(hoy), nombre_archivo="demo-prestamos.csv").texto())
                for clave, remesa in zip(("SEP", "SSA"), remesas_demo(hoy), strict=True):
                    self.stdout.write(importar_archivo(remesa, nombre_archivo=f"demo-remesa-{clave}.csv").texto())
            if not Prestamo.objects.filter(folio="20260000004").exists():
                hoy = timezone.localdate()
                self.stdout.write(
                    importar_archivo(prestamos_pensiones_demo(hoy), nombre_archivo="demo-prestamos-pensiones.csv").texto()
                )
                self.stdout.write(
                    importar_archivo(remesa_pensiones_demo(hoy), nombre_archivo="demo-remesa-PENSIONES.csv").texto()
                )
            self._cuentas()
            self._bancos()
        self.stdout.write(self.style.SUCCESS("Datos de demostración listos."))

    def _usuario(self, username: str, email: str, contrasena: str, **extra):
        User = get_user_model()
        usuario, creado = User.objects.get_or_create(username=username, defaults={"email": email, **extra})
        if creado:
            usuario.set_password(contrasena)
            usuario.save()
        EmailAddress.objects.update_or_create(
            user=usuario, email=email, defaults={"verified": True, "primary": True}
        )
        return usuario

    def _bancos(self):
        from fopi.models import Banco

        for orden, (nombre, convenio) in enumerate(BANCOS):
            Banco.objects.get_or_create(nombre=nombre, defaults={"convenio": convenio, "orden": orden})

    def _cuentas(self):
        for username, curp in CUENTAS.items():
            usuario = self._usuario(username, f"{username}@ejemplo.gob.mx", CONTRASENA_DEMO)
            Derechohabiente.objects.filter(curp=curp).update(usuario=usuario)
        if not settings.DEBUG:
            self.stdout.write(
                "DJANGO_DEBUG=0: no se crea el personal CAPP de demostración (su contraseña y su segundo factor "
                "están publicados). Crea al personal con `createsuperuser` y asígnale un rol en el admin."
            )
            return
        # Earlier demos gave staff a group of their own holding accounts.* (users could be made superusers).
        Group.objects.filter(name="Personal CAPP").delete()
        capp = self._usuario("capp", "capp@ejemplo.gob.mx", CONTRASENA_CAPP, is_staff=True)
        # A role from the migration (accounts.roles): no power over users, groups or permissions.
        capp.groups.set([Group.objects.get(name=ROL_CAPP)])
        codigos = self._segundo_factor(capp)
        self.stdout.write(
            f"Personal CAPP: capp / {CONTRASENA_CAPP} (rol {ROL_CAPP}). Segundo factor: agrega a tu app de "
            f"autenticación el secreto {SECRETO_TOTP_CAPP} (o la URL otpauth://totp/capp?secret={SECRETO_TOTP_CAPP}"
            f"&issuer=Oficina%20Virtual) o usa un código de recuperación: {', '.join(codigos[:3])}."
        )
        self._pagaduria()

    def _pagaduria(self):
        from allauth.mfa.models import Authenticator

        from dependencias.models import UsuarioDependencia

        nomina = self._usuario(NOMINA_SEP, "nomina@sep.ejemplo.gob.mx", CONTRASENA_NOMINA)
        perfil, _ = UsuarioDependencia.objects.get_or_create(usuario=nomina)
        perfil.dependencias.add(*Dependencia.objects.filter(clave="SEP"))
        Authenticator.objects.get_or_create(
            user=nomina, type=Authenticator.Type.TOTP, defaults={"data": {"secret": SECRETO_TOTP_NOMINA}}
        )
        self.stdout.write(
            f"Pagaduría de la SEP (Portal de dependencias): {NOMINA_SEP} / {CONTRASENA_NOMINA}; segundo factor: "
            f"secreto {SECRETO_TOTP_NOMINA} (otpauth://totp/{NOMINA_SEP}?secret={SECRETO_TOTP_NOMINA}&issuer=Oficina%20Virtual)."
        )

    def _segundo_factor(self, usuario) -> list[str]:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

        Authenticator.objects.get_or_create(
            user=usuario, type=Authenticator.Type.TOTP, defaults={"data": {"secret": SECRETO_TOTP_CAPP}}
        )
        recuperacion, _ = Authenticator.objects.get_or_create(
            user=usuario,
            type=Authenticator.Type.RECOVERY_CODES,
            defaults={"data": {"seed": SEMILLA_RECUPERACION_CAPP, "used_mask": 0}},
        )
        return RecoveryCodes(recuperacion).get_unused_codes()
