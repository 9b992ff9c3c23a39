"""The admin as clerks read it (docs/reglas.md §15, issue 27): Spanish throughout, "Abrir consola" from every record
that belongs to a borrower, the console's Pagos tab, the upload page's formats and templates, the second
factor's field for phones, the demo's files named."""

import csv
import io
import re

import pytest
from django.contrib import admin
from django.urls import reverse

from fopi.models import PagoBancario
from oficina.importacion import importar_archivo
from prestamos.models import ArchivoAplicado
from tests.accounts.personal import CON, OPE, SU, cliente_de, miembro, mundo

# What a clerk must never read: Django's stock or English words, and money or names unformatted.
PROHIBIDO = re.compile(
    r"\b\d+ results\b|Seleccione|para ver|a modificar|todos/as|Todos/as|seleccionados/as|Vacío|No vacío|\bPrestamo\b|"
    r"\bHistoria\b|Vista "
)
# Records whose page leads to their borrower's console (Abrir consola), by model.
DE_UN_DERECHOHABIENTE = {
    "prestamos.derechohabiente", "prestamos.prestamo", "prestamos.movimiento", "fopi.fopi", "fopi.pagobancario",
    "fopi.avisocorreo", "recuperacion.descuento", "recuperacion.avisoomision", "recuperacion.solicituddevolucion",
    "recuperacion.documentoverificable", "recuperacion.aclaracion", "recuperacion.adeudodependencia",
    "recuperacion.atencion", "recuperacion.prestamoporsuspender", "accounts.liberacioncurp",
    "accounts.reaperturaregistro", "accounts.intentosregistro",
}


@pytest.fixture
def o(django_user_model, db):
    equipo = {rol: miembro(rol, django_user_model) for rol in (CON, OPE, SU)}
    return {**mundo(equipo[SU]), "equipo": equipo}


def _texto(html: str) -> str:
    cuerpo = html[html.index('id="content"'):]
    return " ".join(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", "", cuerpo, flags=re.S)).split())


def _objeto(modelo, o):
    especiales = {"recuperacion.aclaracion": o["aclaracion"], "fopi.pagobancario": o["pago"]}
    from django.test import RequestFactory

    consulta = admin.site._registry[modelo].get_queryset(RequestFactory().get("/"))
    return especiales.get(modelo._meta.label_lower) or consulta.order_by("pk").first()


@pytest.mark.django_db
def test_every_list_and_record_speaks_the_clerks_spanish(o):
    cliente = cliente_de(o["equipo"][CON])
    errores = []
    for modelo in admin.site._registry:
        etiqueta = modelo._meta.label_lower
        if modelo._meta.app_label in ("auth", "sites", "account", "mfa") or etiqueta == "accounts.user":
            continue
        prefijo = f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}"
        urls = [reverse(f"{prefijo}_changelist")]
        objeto = _objeto(modelo, o)
        if objeto is not None and etiqueta not in ("recuperacion.consola", "recuperacion.dependenciaomisa"):
            urls.append(reverse(f"{prefijo}_change", args=[objeto.pk]))
        for url in urls:
            respuesta = cliente.get(url)
            if respuesta.status_code != 200:
                errores.append(f"{url}: {respuesta.status_code}")
                continue
            texto = _texto(respuesta.content.decode())
            if encontrado := PROHIBIDO.search(texto):
                errores.append(f"{url}: «{texto[max(0, encontrado.start() - 60):encontrado.end() + 60]}»")
            if url.endswith("/change/") and etiqueta in DE_UN_DERECHOHABIENTE:
                consola = reverse("admin:recuperacion_consola_detalle", args=[_dueno(objeto)])
                if f'href="{consola}"' not in respuesta.content.decode():
                    errores.append(f"{url}: sin «Abrir consola»")
    assert not errores, "\n".join(errores)


def _dueno(objeto) -> int:
    for ruta in (("derechohabiente_id",), ("prestamo", "derechohabiente_id"), ("fopi", "prestamo", "derechohabiente_id")):
        valor = objeto
        for atributo in ruta:
            valor = getattr(valor, atributo, None)
        if valor is not None:
            return valor
    return objeto.pk  # a Derechohabiente


@pytest.mark.django_db
def test_the_revertido_filter_says_si_and_no(o, hoy):
    cliente = cliente_de(o["equipo"][CON])
    lista = reverse("admin:prestamos_archivoaplicado_changelist")
    html = cliente.get(lista).content.decode()
    assert "?revertido=si" in html and "?revertido=no" in html and "Vacío" not in html
    total = ArchivoAplicado.objects.count()
    assert cliente.get(lista, {"revertido": "no"}).context_data["cl"].result_count == total
    assert cliente.get(lista, {"revertido": "si"}).context_data["cl"].result_count == 0


@pytest.mark.django_db
def test_the_console_has_a_pagos_tab_with_those_in_review_and_resolver_for_operacion(o):
    url = reverse("admin:recuperacion_consola_seccion", args=[o["derechohabiente"].pk, "pagos"])
    resolver = reverse("admin:fopi_pagobancario_resolver", args=[o["pago"].pk]) + "?desde=consola"
    html = cliente_de(o["equipo"][OPE]).get(url).content.decode()
    assert "En revisión" in html and "$499.00" in html and "importe distinto" in html and resolver in html
    consulta = cliente_de(o["equipo"][CON]).get(url).content.decode()
    assert "$499.00" in consulta and resolver not in consulta


@pytest.mark.django_db
def test_resolving_from_the_console_returns_to_its_pagos_tab(o):
    cliente = cliente_de(o["equipo"][OPE])
    url = reverse("admin:fopi_pagobancario_resolver", args=[o["pago"].pk]) + "?desde=consola"
    datos = {"accion": "aplicar", "folio": o["prestamo"].folio, "motivo": "Un peso menos; se acepta", "confirmar": o["prestamo"].folio}
    respuesta = cliente.post(url, datos)
    assert respuesta.status_code == 302
    assert respuesta["Location"] == reverse("admin:recuperacion_consola_seccion", args=[o["derechohabiente"].pk, "pagos"])
    o["pago"].refresh_from_db()
    assert o["pago"].estado == PagoBancario.Estado.APLICADO_CAPP


@pytest.mark.django_db
def test_the_upload_page_shows_every_file_type_with_its_header_an_example_and_a_template(o):
    from oficina.importacion import importadores

    cliente = cliente_de(o["equipo"][OPE])
    html = cliente.get(reverse("admin_cargar_archivo")).content.decode()
    assert "curp,nombre,primer_apellido,segundo_apellido,rfc,clave_dependencia,tipo" in html  # the padrón's tipo
    assert "folio,curp,tipo,importe,tasa_anual,plazo,fecha_otorgamiento,primer_periodo,estado" in html  # pensioners
    plantillas = re.findall(r'href="(/admin/cargar-archivo/plantilla-[^"]+\.csv)"', html)
    assert len(plantillas) == len(importadores()) == 5
    for url in plantillas:
        respuesta = cliente.get(url)
        assert respuesta.status_code == 200 and respuesta["Content-Type"].startswith("text/csv")
        filas = list(csv.reader(io.StringIO(respuesta.content.decode())))
        assert len(filas) >= 2 and all(len(f) == len(filas[0]) for f in filas), url
    # A template is a file the importer recognises: its header is valid.
    from oficina.importacion.lector import _elegir_importador

    for url in plantillas:
        encabezado = cliente.get(url).content.decode().splitlines()[0].split(",")
        assert _elegir_importador(encabezado)
    assert cliente_de(o["equipo"][CON]).get(plantillas[0]).status_code == 403


@pytest.mark.django_db
def test_a_rejected_header_lists_the_optional_columns_too():
    from oficina.importacion import ArchivoRechazado

    with pytest.raises(ArchivoRechazado) as rechazo:
        importar_archivo(b"curp,nombre\nX,Y\n")
    assert "rfc,clave_dependencia[,tipo]" in rechazo.value.errores[0].motivo


@pytest.mark.django_db
def test_the_demo_files_have_names(o):
    nombres = set(ArchivoAplicado.objects.values_list("nombre", flat=True))
    assert "" not in nombres and {"demo-remesa-SEP.csv", "demo-remesa-SSA.csv"} <= nombres


@pytest.mark.django_db
def test_the_second_factor_field_opens_the_digit_keypad_and_takes_the_phones_code(django_user_model):
    from accounts.formularios import FormularioConfirmarSegundoFactor, FormularioSegundoFactor

    usuario = django_user_model.objects.create_user(username="capp-nuevo", is_staff=True)
    for clase in (FormularioSegundoFactor, FormularioConfirmarSegundoFactor):
        html = str(clase(user=usuario)["code"])
        assert 'inputmode="numeric"' in html and 'autocomplete="one-time-code"' in html, clase
