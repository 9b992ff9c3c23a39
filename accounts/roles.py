"""The three CAPP staff roles (docs/reglas.md §3) and the permissions each one holds, by codename.

Least privilege: no role holds any permission on users, groups, permissions or second factors (auth.*,
accounts.user, mfa.*): only superusers manage people. A codename whose model does not exist (yet) is skipped;
`roles_asignar` runs in the migration that creates the groups and again (adding only) after every
`migrate`, so a model added later (aclaraciones, reversals, waivers) gets its permissions into a role by
adding its codename here.
"""

APPS_DE_NEGOCIO = ("prestamos", "recuperacion", "fopi", "dependencias")

CONSULTA = "Consulta"
OPERACION = "Operación"
SUPERVISION = "Supervisión"

# Operación: loads files, issues FOPIs on a borrower's behalf, resolves payments and aclaraciones.
OPERACION_PERMISOS = (
    "prestamos.add_carga",
    "fopi.add_fopi",
    "fopi.change_pagobancario",
    "fopi.add_accionpago",
    "recuperacion.add_aclaracion",
    "recuperacion.change_aclaracion",
    "recuperacion.add_atencion",
    "recuperacion.change_atencion",
    "recuperacion.change_solicituddevolucion",  # records the SPEI tracking key of a refund paid
    "recuperacion.resolver_aclaracion",
    "recuperacion.emitir_fopi_consola",
)
# Supervisión: also reversals, waivers, parameters, the banks list, giving a CURP back to its owner and
# reopening a CURP's registration.
SUPERVISION_PERMISOS = (
    "prestamos.add_parametromora",
    "prestamos.change_parametromora",
    "prestamos.change_carga",
    "prestamos.revertir_archivoaplicado",
    "prestamos.condonar_moratorios",
    "fopi.add_banco",
    "fopi.change_banco",
    "accounts.add_liberacioncurp",
    "dependencias.add_usuariodependencia",  # payroll offices' users (docs/reglas.md §16)
    "dependencias.change_usuariodependencia",
    "accounts.add_reaperturaregistro",  # reopens a CURP's registration closed by failed RFC attempts
    # The payslip's CFDI (docs/reglas.md §18): the PAC registry and each dependencia's loan deduction.
    "recuperacion.add_certificadopac",
    "recuperacion.delete_certificadopac",
    "recuperacion.add_deduccionprestamo",
    "recuperacion.change_deduccionprestamo",
)
# Every role reads the audit of CURPs given back and reopened, and the registration attempts per CURP (the desk
# shows Supervisión the closed ones, docs/reglas.md §15).
VISTA_EXTRA = ("accounts.view_liberacioncurp", "accounts.view_reaperturaregistro", "accounts.view_intentosregistro")
PROHIBIDAS = ("auth", "mfa")  # apps none of the roles may touch; accounts only as listed above


def permisos_por_rol(Permission) -> dict[str, set[int]]:
    """Permission ids per role, from the permissions that exist now."""
    todas = {
        f"{app}.{codename}": pk
        for pk, app, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    vista = {pk for nombre, pk in todas.items() if nombre.split(".")[0] in APPS_DE_NEGOCIO and ".view_" in nombre}
    vista |= {todas[n] for n in VISTA_EXTRA if n in todas}
    operacion = vista | {todas[n] for n in OPERACION_PERMISOS if n in todas}
    supervision = operacion | {todas[n] for n in SUPERVISION_PERMISOS if n in todas}
    return {CONSULTA: vista, OPERACION: operacion, SUPERVISION: supervision}


def roles_asignar(Group, Permission, *, solo_agregar: bool = False) -> None:
    """Create the groups and give them their permissions (model classes passed in: works in migrations).

    solo_agregar: after later migrations, only grant what is missing, so a superuser's own changes to a
    group survive the next deployment.
    """
    for nombre, ids in permisos_por_rol(Permission).items():
        grupo, _ = Group.objects.get_or_create(name=nombre)
        if solo_agregar:
            grupo.permissions.add(*ids)
        else:
            grupo.permissions.set(ids)
