"""Issue 24, item 1 and docs/reglas.md §3: what each kind of staff account may do in the admin, URL by URL.

Consulta reads and changes nothing; Operación loads files, resolves payments, aclaraciones and refunds and
works the console; Supervisión also sets the moratorio parameters, the banks, reversals, waivers and gives
CURPs back; a staff account without a role does nothing; only a superuser manages people. The walk below
opens every admin URL (changelists, add, change of an existing object, delete, history, the custom views,
every action) as each of them, reading (GET) and trying to change (POST), against the table written here
from the rules — not from the permissions the code grants. A new admin URL or action fails the walk until
it is added to the table.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from prestamos.models import Carga, Movimiento, ParametroMora
from recuperacion.consola import SECCIONES
from tests.accounts.personal import CON, OPE, PERSONAL, SIN_ROL, SU, SUP, cliente_de, miembro, mundo

VEN = frozenset({CON, OPE, SUP, SU})  # every role reads every business model
OPERAN = frozenset({OPE, SUP, SU})
SUPERVISAN = frozenset({SUP, SU})
SOLO_SU = frozenset({SU})
TODOS = frozenset(PERSONAL)
NADIE = frozenset()
SOLO_POST = "solo POST"  # GET answers 405 to everyone


@dataclass(frozen=True)
class Puede:
    """Who may read a model's pages, add, change (its change form or its own page's buttons) and delete."""

    ver: frozenset
    agregar: frozenset = NADIE
    cambiar: frozenset = NADIE
    borrar: frozenset = NADIE


PERSONAS = Puede(SOLO_SU, SOLO_SU, SOLO_SU, SOLO_SU)  # users, groups, e-mails, second factors, the site
MODELOS = {
    "auth.group": PERSONAS,
    "sites.site": PERSONAS,
    "account.emailaddress": PERSONAS,
    "mfa.authenticator": PERSONAS,
    "accounts.user": PERSONAS,
    "accounts.liberacioncurp": Puede(VEN, agregar=SUPERVISAN),  # the audit rows are never changed
    "accounts.reaperturaregistro": Puede(VEN, agregar=SUPERVISAN),  # reopening a CURP's registration, audited
    "accounts.intentosregistro": Puede(VEN),  # failed RFC attempts per CURP: written by registration only
    "prestamos.dependencia": Puede(VEN, SOLO_SU, SOLO_SU, SOLO_SU),  # loaded from files
    "prestamos.derechohabiente": Puede(VEN, SOLO_SU, SOLO_SU, SOLO_SU),
    "prestamos.prestamo": Puede(VEN),  # corrections are ledger entries (actions), never edits
    "prestamos.movimiento": Puede(VEN),
    "prestamos.parametromora": Puede(VEN, SUPERVISAN, SUPERVISAN),  # a future value only
    "prestamos.remesa": Puede(VEN),
    "prestamos.archivoaplicado": Puede(VEN),
    "prestamos.carga": Puede(VEN),  # the uploads as a list ("Cargas con error" on the desk); loaded from its page
    "recuperacion.descuento": Puede(VEN),
    "recuperacion.avisoomision": Puede(VEN),
    "recuperacion.dependenciaomisa": Puede(VEN),
    "recuperacion.solicituddevolucion": Puede(VEN, cambiar=OPERAN),  # records the SPEI tracking key
    "recuperacion.prestamoporsuspender": Puede(VEN),
    "recuperacion.documentoverificable": Puede(VEN),
    "recuperacion.aclaracion": Puede(VEN, cambiar=OPERAN),  # taken and resolved on its page
    "recuperacion.adeudodependencia": Puede(VEN),
    # The dependencias' portal (docs/reglas.md §16): Supervisión creates and changes payroll users; the
    # acknowledgements and the accesses are written by the portal only.
    "dependencias.usuariodependencia": Puede(VEN, SUPERVISAN, SUPERVISAN, SOLO_SU),
    "dependencias.acusesuspension": Puede(VEN),
    "dependencias.accesodependencia": Puede(VEN),
    "recuperacion.certificadopac": Puede(VEN, SUPERVISAN, borrar=SUPERVISAN),  # added from its .cer, never edited
    "recuperacion.deduccionprestamo": Puede(VEN, SUPERVISAN, SUPERVISAN, SOLO_SU),
    "recuperacion.atencion": Puede(VEN),  # recorded from the console
    "recuperacion.consola": Puede(VEN),
    "fopi.banco": Puede(VEN, SUPERVISAN, SUPERVISAN, SOLO_SU),
    "fopi.fopi": Puede(VEN),
    "fopi.pagobancario": Puede(VEN),
    "fopi.avisocorreo": Puede(VEN),
    "fopi.devolucionpago": Puede(VEN),  # Operación records the transfer from its own page, not the change form
    "fopi.alertaspei": Puede(VEN),  # deposits answered "devolver": read by every role
}

# Every action of every admin: who may run it (delete_selected follows the model's "borrar").
ACCIONES = {
    ("prestamos.prestamo", "condonar_moratorios"): SUPERVISAN,
    ("prestamos.archivoaplicado", "revertir"): SUPERVISAN,
    ("recuperacion.solicituddevolucion", "exportar_pendientes"): OPERAN,  # the bank's file of refunds to pay
    ("account.emailaddress", "make_verified"): SOLO_SU,
}


@dataclass(frozen=True)
class Vista:
    """A URL that is not a model's standard page: who may open it (GET) and who may act through it (POST).

    post=None: it only reads; a POST must change nothing whoever sends it.
    """

    ver: frozenset | str
    post: frozenset | None = None
    datos: dict = field(default_factory=dict)


def _vistas(o) -> dict[str, list[tuple[str, Vista]]]:
    """The custom and site-wide admin URLs by name, each with the concrete URLs the walk opens."""
    pk, fopi = o["derechohabiente"].pk, o["fopi"].pk
    lectura_consola = Vista(VEN)
    return {
        "admin:index": [
            (reverse("admin:index"), Vista(TODOS)),  # the desk: each role sees its own counters
            (reverse("admin:index") + f"?q={o['derechohabiente'].primer_apellido}", Vista(TODOS)),
        ],
        "admin:password_change": [(reverse("admin:password_change"), Vista(TODOS, TODOS))],  # their own
        "admin:password_change_done": [(reverse("admin:password_change_done"), Vista(TODOS))],
        "admin:jsi18n": [(reverse("admin:jsi18n"), Vista(TODOS))],
        "admin:autocomplete": [(
            reverse("admin:autocomplete") + "?app_label=prestamos&model_name=derechohabiente&field_name=dependencia",
            Vista(VEN),
        )],
        "admin:app_list": [
            (reverse("admin:app_list", args=[app]), Vista(SOLO_SU if app in ("auth", "sites", "account", "mfa") else VEN))
            for app in ("auth", "sites", "account", "mfa", "accounts", "prestamos", "recuperacion", "fopi")
        ],
        "admin:recuperacion_dependenciaomisa_changelist": [
            (reverse("admin:recuperacion_dependenciaomisa_changelist"), Vista(VEN)),
            (reverse("admin:recuperacion_dependenciaomisa_changelist") + "?formato=csv", Vista(VEN)),
        ],
        "admin:recuperacion_prestamoporsuspender_csv": [
            (reverse("admin:recuperacion_prestamoporsuspender_csv"), Vista(VEN)),
        ],
        "admin:fopi_pagobancario_resolver": [(
            reverse("admin:fopi_pagobancario_resolver", args=[o["pago"].pk]),
            Vista(OPERAN, OPERAN, {"accion": "devolver", "motivo": "No corresponde a ningún préstamo."}),
        )],
        "admin:fopi_devolucionpago_pagar": [(
            reverse("admin:fopi_devolucionpago_pagar", args=[o["devolucion"].pk]),
            Vista(OPERAN, OPERAN, {"clave_rastreo": "DEVOL0001", "cuenta": "032180000118359719"}),
        )],
        "admin:recuperacion_consola_changelist": [
            (reverse("admin:recuperacion_consola_changelist") + f"?q={o['derechohabiente'].primer_apellido}",
             lectura_consola),
        ],
        "admin:recuperacion_consola_detalle": [(reverse("admin:recuperacion_consola_detalle", args=[pk]), lectura_consola)],
        "admin:recuperacion_consola_seccion": [
            (reverse("admin:recuperacion_consola_seccion", args=[pk, slug]), lectura_consola) for slug, _ in SECCIONES if slug
        ],
        "admin:recuperacion_consola_estado_cuenta_pdf": [
            (reverse("admin:recuperacion_consola_estado_cuenta_pdf", args=[pk]), lectura_consola),
        ],
        "admin:recuperacion_consola_fopi_pdf": [
            (reverse("admin:recuperacion_consola_fopi_pdf", args=[pk, fopi]), lectura_consola),
        ],
        "admin:recuperacion_consola_emitir_fopi": [(
            reverse("admin:recuperacion_consola_emitir_fopi", args=[pk]),
            Vista(SOLO_POST, OPERAN, {"prestamo": o["prestamo"].folio, "tipo": "PARCIAL", "importe": "100.00"}),
        )],
        "admin:recuperacion_consola_enviar_fopi": [
            (reverse("admin:recuperacion_consola_enviar_fopi", args=[pk, fopi]), Vista(SOLO_POST, OPERAN)),
        ],
        "admin:recuperacion_consola_atencion": [(
            reverse("admin:recuperacion_consola_atencion", args=[pk]),
            Vista(SOLO_POST, OPERAN, {"canal": "TELEFONO", "motivo": "FOPI", "nota": "Pidió su referencia."}),
        )],
        "admin_cargar_archivo": [(reverse("admin_cargar_archivo"), Vista(OPERAN, OPERAN, {"archivo": "csv"}))],
        "admin_cargar_archivo_plantilla": [
            (reverse("admin_cargar_archivo_plantilla", args=["derechohabientes"]), Vista(OPERAN)),
        ],
        "admin_carga": [(reverse("admin_carga", args=[o["carga"].pk]), Vista(OPERAN))],
        "admin_carga_reintentar": [
            (reverse("admin_carga_reintentar", args=[o["carga"].pk]), Vista(SOLO_POST, OPERAN)),
        ],
    }


# Admins whose list is a page of their own (a report, the console's search): they take no actions.
LISTA_PROPIA = {"recuperacion.dependenciaomisa", "recuperacion.consola"}
# Session plumbing, no data behind it: the walk does not open them (logging out would end the walk).
SIN_RECORRER = {"admin:login", "admin:logout"}
# Django's redirect to an object's public page: none of these models has one, so it is a 404 for everyone.
SIN_PAGINA_PUBLICA = "admin:view_on_site"


def _patrones_del_admin():
    """Every named URL pattern under /admin/ (the admin site's and the project's own admin pages)."""

    def hojas(patrones, prefijo="", espacio=""):
        for p in patrones:
            if isinstance(p, URLResolver):
                nombre = f"{espacio}:{p.namespace}".strip(":") if p.namespace else espacio
                yield from hojas(p.url_patterns, prefijo + str(p.pattern), nombre)
            elif isinstance(p, URLPattern) and p.name:
                yield prefijo + str(p.pattern), f"{espacio}:{p.name}".strip(":")

    return {nombre for ruta, nombre in hojas(get_resolver().url_patterns) if ruta.startswith("admin/")}


def _objeto(modelo, o):
    especiales = {
        "prestamos.parametromora": o["parametro_futuro"],
        "recuperacion.aclaracion": o["aclaracion"],
        "fopi.pagobancario": o["pago"],
    }
    if modelo._meta.label_lower in especiales:
        return especiales[modelo._meta.label_lower]
    consulta = admin.site._registry[modelo].get_queryset(RequestFactory().get("/"))
    if modelo._meta.label_lower == "accounts.user":
        consulta = consulta.filter(is_staff=False)
    objeto = consulta.order_by("pk").first()
    assert objeto is not None, f"mundo() no crea ningún {modelo._meta.label}: agrégalo para recorrer sus páginas"
    return objeto


def _peticion(usuario):
    peticion = RequestFactory().get("/")
    peticion.user = usuario
    return peticion


def _datos_de(objeto) -> dict:
    """The object's own values as a change form would send them: a real-looking edit (or copy, to add)."""
    datos = {}
    for nombre, valor in model_to_dict(objeto).items():
        if valor is None or isinstance(valor, FieldFile | list | tuple | set) or hasattr(valor, "read"):
            continue
        datos[nombre] = str(getattr(valor, "pk", valor))
    return datos


def _recorrido(o) -> list[tuple[str, str, Vista]]:
    """(URL name, URL, what to expect) for every admin URL; fails on a URL nobody has classified."""
    vistas = _vistas(o)
    recorrido, cubiertos = [], set(vistas) | SIN_RECORRER | {SIN_PAGINA_PUBLICA}
    for modelo in admin.site._registry:
        etiqueta, puede = modelo._meta.label_lower, MODELOS.get(modelo._meta.label_lower)
        assert puede is not None, f"{etiqueta}: falta en MODELOS (quién lo ve, agrega, cambia y borra)"
        prefijo = f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}"
        objeto = _objeto(modelo, o)
        datos = _datos_de(objeto)
        args = {"changelist": [], "add": [], "history": [objeto.pk], "delete": [objeto.pk], "change": [objeto.pk]}
        quien = {
            "changelist": Vista(puede.ver),
            "add": Vista(puede.agregar, puede.agregar, datos),
            "history": Vista(puede.ver),
            "delete": Vista(puede.borrar, puede.borrar, {"post": "yes"}),
            "change": Vista(puede.ver | puede.cambiar, puede.cambiar, {**datos, "tomar": "1"}),
        }
        for sufijo, vista in quien.items():
            nombre = f"{prefijo}_{sufijo}"
            if nombre in vistas:
                continue  # the admin replaced it with its own page (classified above)
            try:
                url = reverse(nombre, args=args[sufijo])
            except NoReverseMatch:
                continue  # this admin does not have that page
            recorrido.append((nombre, url, vista))
            cubiertos.add(nombre)
        if etiqueta == "accounts.user":
            recorrido.append((
                "admin:auth_user_password_change",
                reverse("admin:auth_user_password_change", args=[objeto.pk]),
                Vista(SOLO_SU, SOLO_SU, {"password1": "Toma-control-2026", "password2": "Toma-control-2026"}),
            ))
            cubiertos.add("admin:auth_user_password_change")
    for nombre, urls in vistas.items():
        recorrido += [(nombre, url, vista) for url, vista in urls]
    sin_clasificar = _patrones_del_admin() - cubiertos
    assert not sin_clasificar, f"URLs del admin sin clasificar en este recorrido: {sorted(sin_clasificar)}"
    return recorrido


def _foto() -> dict:
    """Every row of every model the admin shows, plus the ledger and the uploads: what a refused POST must
    leave exactly as it was."""
    modelos = [*admin.site._registry, Movimiento, Carga]
    return {m._meta.label: sorted(map(str, m._base_manager.values_list())) for m in modelos}


@pytest.fixture
def equipo(django_user_model, db):
    return {rol: miembro(rol, django_user_model) for rol in PERSONAL}


@pytest.fixture
def o(equipo):
    return mundo(equipo[SU])


def _con_archivo(datos: dict) -> dict:
    if datos.get("archivo") == "csv":
        return {**datos, "archivo": SimpleUploadedFile("dependencias.csv", b"clave,nombre\nSEP,SEP\n", "text/csv")}
    return datos


# --- the report's case ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("rol", [CON, OPE, SIN_ROL])
def test_only_supervision_rewrites_a_future_moratorio_parameter(equipo, rol):
    futuro = ParametroMora.objects.create(
        vigente_desde=timezone.localdate() + timedelta(days=30), dias_gracia=5, factor=D("1.50"),
        registrado_por=equipo[SU],
    )
    url = reverse("admin:prestamos_parametromora_change", args=[futuro.pk])
    filas = ParametroMora.objects.count()
    ataque = {"vigente_desde": futuro.vigente_desde.isoformat(), "dias_gracia": "0", "factor": "5.00"}
    respuesta = cliente_de(equipo[rol]).post(url, ataque)
    assert respuesta.status_code == 403
    futuro.refresh_from_db()
    assert (futuro.dias_gracia, futuro.factor) == (5, D("1.50"))
    nuevo = cliente_de(equipo[rol]).post(reverse("admin:prestamos_parametromora_add"), ataque)
    assert nuevo.status_code == 403 and ParametroMora.objects.count() == filas

    assert cliente_de(equipo[SUP]).post(url, ataque).status_code == 302
    futuro.refresh_from_db()
    assert (futuro.dias_gracia, futuro.factor) == (0, D("5.00"))


@pytest.mark.django_db
def test_a_parameter_already_in_force_stays_as_it_was_even_for_supervision(equipo):
    vigente = ParametroMora.objects.create(
        vigente_desde=timezone.localdate(), dias_gracia=5, factor=D("1.50"), registrado_por=equipo[SU]
    )
    url = reverse("admin:prestamos_parametromora_change", args=[vigente.pk])
    for rol in (SUP, SU):
        cliente = cliente_de(equipo[rol])
        assert cliente.get(url).status_code == 200  # read only
        datos = {"vigente_desde": vigente.vigente_desde.isoformat(), "dias_gracia": "0", "factor": "5.00"}
        assert cliente.post(url, datos).status_code == 403
    vigente.refresh_from_db()
    assert vigente.dias_gracia == 5


# --- the walk -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("rol", PERSONAL)
def test_each_kind_of_staff_opens_and_changes_exactly_what_its_role_allows(equipo, o, rol):
    cliente = cliente_de(equipo[rol])
    recorrido = _recorrido(o)
    errores = []

    for nombre, url, vista in recorrido:
        respuesta = cliente.get(url)
        if vista.ver == SOLO_POST:
            esperado = {405}
        elif nombre == "admin:app_list":
            esperado = {200} if rol in vista.ver else {404}
        else:
            esperado = {200} if rol in vista.ver else {403}
        if respuesta.status_code not in esperado:
            errores.append(f"GET {url} ({nombre}): {respuesta.status_code}, se esperaba {sorted(esperado)}")
        elif respuesta.status_code == 403 and "No tienes permiso" not in respuesta.content.decode():
            errores.append(f"GET {url} ({nombre}): un 403 sin la página del portal")

    tipo = ContentType.objects.get_for_model(o["derechohabiente"])
    sitio = cliente.get(reverse(SIN_PAGINA_PUBLICA, args=[tipo.pk, o["derechohabiente"].pk]))
    if sitio.status_code != 404:
        errores.append(f"GET view_on_site: {sitio.status_code}")

    # POSTs. First every one this role may not send (and those to pages that only read): together they must
    # leave every row as it was. Then the allowed ones, deletions last and only to their confirmation page.
    def permitido(vista):
        return vista.post is not None and rol in vista.post

    antes = _foto()
    for nombre, url, vista in [r for r in recorrido if not permitido(r[2])]:
        respuesta = cliente.post(url, _con_archivo(vista.datos))
        if respuesta.status_code >= 500 or (vista.post is not None and respuesta.status_code != 403):
            errores.append(f"POST {url} ({nombre}): {respuesta.status_code}, se esperaba 403")
    despues = _foto()
    cambiados = [modelo for modelo in antes if antes[modelo] != despues[modelo]]
    if cambiados:
        errores.append(f"POSTs rechazados o de sólo lectura cambiaron datos de {cambiados}")
    for nombre, url, vista in sorted((r for r in recorrido if permitido(r[2])), key=lambda r: r[0].endswith("_delete")):
        datos = {} if nombre.endswith("_delete") else _con_archivo(vista.datos)
        respuesta = cliente.post(url, datos)
        if respuesta.status_code not in (200, 302) or "/cuenta/login/" in respuesta.get("Location", ""):
            errores.append(f"POST {url} ({nombre}): {respuesta.status_code}, se esperaba 200 o 302")

    assert not errores, f"{rol}:\n" + "\n".join(errores)


@pytest.mark.django_db
@pytest.mark.parametrize("rol", PERSONAL)
def test_each_kind_of_staff_runs_exactly_the_actions_its_role_allows(equipo, o, rol):
    cliente = cliente_de(equipo[rol])
    errores = []
    for modelo, modeladmin in admin.site._registry.items():
        etiqueta = modelo._meta.label_lower
        lista = reverse(f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}_changelist")
        if etiqueta in LISTA_PROPIA:
            # Its list is its own page, with no action box: none may be offered even to a superuser.
            assert not modeladmin.get_actions(_peticion(equipo[SU])), etiqueta
            continue
        objeto = _objeto(modelo, o)
        for _funcion, accion, _descripcion in modeladmin._get_base_actions():
            quienes = MODELOS[etiqueta].borrar if accion == "delete_selected" else ACCIONES.get((etiqueta, accion))
            assert quienes is not None, f"{etiqueta}: la acción {accion} falta en ACCIONES"
            # A refused role sends the whole act (reason, confirmation); an allowed one only opens its first step.
            datos = {"action": accion, helpers.ACTION_CHECKBOX_NAME: [objeto.pk], "index": "0"}
            if rol not in quienes:
                datos |= {"confirmar": "1", "motivo": "Sin permiso.", "post": "yes"}
            antes = _foto()
            respuesta = cliente.post(lista, datos)
            if rol in quienes:
                # Its first step (a page asking for the reason or confirmation, or the file), or done at once.
                if respuesta.status_code not in (200, 302) or "cl" in (getattr(respuesta, "context_data", None) or {}):
                    errores.append(f"{etiqueta}.{accion}: {respuesta.status_code}, no se ejecutó")
            else:
                # Refused: the action is not even offered (the list again, or back to it) or the list is closed.
                lista_otra_vez = respuesta.status_code == 200 and "cl" in (getattr(respuesta, "context_data", None) or {})
                if not (respuesta.status_code in (302, 403) or lista_otra_vez) or _foto() != antes:
                    errores.append(f"{etiqueta}.{accion}: {respuesta.status_code}, no debía ejecutarse")
    assert not errores, f"{rol}:\n" + "\n".join(errores)


# --- the pattern itself ---------------------------------------------------------------------------------

PERMISOS_DEL_ADMIN = ("has_add_permission", "has_change_permission", "has_delete_permission", "has_view_permission")


def _propias(clase) -> list[tuple[type, str]]:
    """The permission methods the project's admin classes (and their mixins) define themselves."""
    return [
        (c, nombre)
        for c in clase.__mro__
        if c.__module__.split(".")[0] in ("accounts", "prestamos", "recuperacion", "fopi", "oficina")
        for nombre in PERMISOS_DEL_ADMIN
        if nombre in vars(c)
    ]


def test_every_permission_override_starts_from_super_or_refuses_outright():
    """An override answers "and also…", never "instead" (docs/estilo): it calls super() first, or it
    refuses whoever asks (returns False), which can never grant what the role lacks."""
    import ast
    import inspect
    import textwrap

    culpables = []
    for modeladmin in admin.site._registry.values():
        for clase, nombre in _propias(type(modeladmin)):
            arbol = ast.parse(textwrap.dedent(inspect.getsource(vars(clase)[nombre])))
            funcion = arbol.body[0]
            cuerpo = [n for n in funcion.body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))]
            niega = (
                len(cuerpo) == 1 and isinstance(cuerpo[0], ast.Return)
                and isinstance(cuerpo[0].value, ast.Constant) and cuerpo[0].value.value is False
            )
            llama_a_super = any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == nombre
                and isinstance(n.func.value, ast.Call) and getattr(n.func.value.func, "id", "") == "super"
                for n in ast.walk(funcion)
            )
            if not (niega or llama_a_super):
                culpables.append(f"{clase.__module__}.{clase.__qualname__}.{nombre}")
    assert not culpables, culpables
