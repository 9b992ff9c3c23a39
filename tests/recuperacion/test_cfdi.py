"""The payslip's CFDI (docs/reglas.md §18): verified offline, and when it proves the deduction the remesa
lacks, the aclaración is Procedente on the spot.

A local certification authority stands in for the SAT's (trust store `CFDI_ALMACEN_AC`), with SEP's CSD and
a PAC certificate it issued (registered as "Certificado de PAC"). Alice (SEP) is owed her Q11 (1ª quincena de
junio de 2026) deduction: SEP's Q11 remesa came with only a co-worker's row.
"""

import base64
import time
from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from prestamos.calculo import Quincena
from prestamos.models import Dependencia, Movimiento
from recuperacion import cfdi
from recuperacion.aclaraciones import aclaracion_presentar, verificar_cfdi
from recuperacion.models import Aclaracion, AdeudoDependencia, CertificadoPAC, CfdiUsado, DeduccionPrestamo
from tests.accounts.datos import RFC_ALICE, RFC_BOB, entrar
from tests.fabricas import CONTRASENA, CURP_ALICE, CURP_BOB, filas_de, prestamos_de, remesa
from tests.recuperacion import cfdi_fabrica as f

HOY = date(2026, 7, 20)
Q11 = Quincena.parse("2026-Q11")
RFC_SEP = "SEP850101AB1"
VERIFICADO = "Sello de tu dependencia: válido · Timbre del SAT: válido · Periodo: 1ª quincena de junio de 2026"


@pytest.fixture
def llaves():
    return f.llaves(RFC_SEP)


@pytest.fixture
def configurado(settings, tmp_path, llaves, db):
    """Trust store = the local authority; PAC registry = its PAC (through registrar_pac); SEP's RFC and loan
    deduction."""
    pac = tmp_path / "pac.cer"
    pac.write_bytes(f.der(llaves.pac))
    call_command("registrar_pac", str(pac), stdout=open("/dev/null", "w"))
    return f.configurar(settings, tmp_path, RFC_SEP)


@pytest.fixture
def caso(prestamo_alice, hoy, configurado):
    hoy(date(2026, 6, 20))
    [companero] = prestamos_de(Dependencia.objects.get(clave="SEP"), 1)
    remesa(*filas_de([companero]), quincena="2026-Q11")
    hoy(HOY)
    return prestamo_alice


def recibo(prestamo, **cambios):
    datos = dict(
        llaves=f.llaves(RFC_SEP), receptor_rfc=RFC_ALICE, curp=CURP_ALICE, fecha_pago="2026-06-15",
        inicial="2026-06-01", final="2026-06-15", importe=prestamo.cuota,
    )
    datos.update(cambios)
    return f.recibo(**datos)


def presentar(prestamo, xml: bytes, quincena=Q11):
    return aclaracion_presentar(
        prestamo=prestamo, quincena=quincena, importe=prestamo.cuota, cfdi=verificar_cfdi(xml),
        usuario=prestamo.derechohabiente.usuario, hoy=HOY,
    )


def rechazo(xml: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        verificar_cfdi(xml)
    return error.value.messages[0]


# --- genuine -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_genuine_payslip_rules_the_case_procedente_at_once(caso, django_capture_on_commit_callbacks):
    c = recibo(caso)
    with django_capture_on_commit_callbacks(execute=True):
        aclaracion = presentar(caso, f.xml(c))
    aclaracion.refresh_from_db()
    assert aclaracion.estado == Aclaracion.Estado.PROCEDENTE
    assert aclaracion.respuesta.startswith("Retenido por tu dependencia y no enviado")
    assert aclaracion.importe_reconocido == caso.cuota
    assert aclaracion.resuelta_por is None
    assert aclaracion.cfdi_comprobado == VERIFICADO
    assert aclaracion.movimiento.tipo == Movimiento.Tipo.ACLARACION
    assert aclaracion.movimiento.fecha_valor == Q11.vencimiento
    adeudo = AdeudoDependencia.objects.get(aclaracion=aclaracion)
    assert (adeudo.dependencia.clave, adeudo.importe, adeudo.registrado_por) == ("SEP", caso.cuota, None)
    assert CfdiUsado.objects.get().uuid == c.find(f".//{{{f.TFD}}}TimbreFiscalDigital").get("UUID")
    assert aclaracion.cfdi  # kept privately, like the talón
    assert len(mail.outbox) == 1 and caso.derechohabiente.usuario.email in mail.outbox[0].to
    assert "pendientes" in aclaracion.cfdi_verificacion and len(aclaracion.cfdi_verificacion["pendientes"]) == 2


@pytest.mark.django_db
def test_through_the_form_the_borrower_sees_it_resolved_in_words(caso, client):
    entrar(client, caso.derechohabiente.usuario)
    archivo = SimpleUploadedFile("recibo.xml", f.xml(recibo(caso)), "text/xml")
    respuesta = client.post(
        reverse("aclaracion_nueva"),
        {"prestamo": caso.folio, "quincena": "2026-Q11", "importe": str(caso.cuota), "cfdi": archivo},
        follow=True,
    )
    html = respuesta.content.decode()
    assert "es procedente" in html and "Retenido por tu dependencia y no enviado" in html
    assert VERIFICADO in html
    assert Aclaracion.objects.get().estado == Aclaracion.Estado.PROCEDENTE


@pytest.mark.django_db
def test_without_talon_nor_cfdi_the_form_asks_for_one(caso, client):
    entrar(client, caso.derechohabiente.usuario)
    respuesta = client.post(
        reverse("aclaracion_nueva"), {"prestamo": caso.folio, "quincena": "2026-Q11", "importe": str(caso.cuota)}
    )
    assert "Adjunta tu talón de pago (PDF o foto) o el XML de tu recibo de nómina." in respuesta.content.decode()
    assert not Aclaracion.objects.exists()


# --- cryptographic failures: refused with the reason ---------------------------------------------------------


@pytest.mark.django_db
def test_an_amount_edited_after_sealing_is_refused_by_the_seal(caso):
    c = recibo(caso)
    deduccion = c.findall(f".//{{{f.NOM}}}Deduccion")[-1]
    deduccion.set("Importe", "1.00")
    assert "Sello de la dependencia: no válido" in rechazo(f.xml(c))
    assert not Aclaracion.objects.exists()


@pytest.mark.django_db
def test_a_certificate_forged_with_the_dependencias_rfc_is_refused_by_the_chain(caso):
    ac, ac_clave = f.ac_ajena()
    cert, clave = f.csd(RFC_SEP, ac=ac, ac_clave=ac_clave)
    c = recibo(caso, csd=cert, csd_clave=clave)
    assert "no fue emitido por una autoridad certificadora del SAT" in rechazo(f.xml(c))


@pytest.mark.django_db
def test_a_stamp_from_an_unknown_key_is_refused_by_the_sello_sat(caso):
    otra = f._clave()
    c = recibo(caso, pac_clave=otra)
    assert "Timbre del SAT: no válido" in rechazo(f.xml(c))


@pytest.mark.django_db
def test_another_cfdis_stamp_pasted_is_refused_by_the_sello_cfd(caso):
    c = recibo(caso)
    otro = recibo(caso, importe=D("5.00"))
    comp = c.find(f"{{{f.CFDI}}}Complemento")
    comp.remove(comp.find(f"{{{f.TFD}}}TimbreFiscalDigital"))
    comp.append(otro.find(f".//{{{f.TFD}}}TimbreFiscalDigital"))
    assert "Timbre del SAT: no corresponde a este CFDI" in rechazo(f.xml(c))


@pytest.mark.django_db
def test_a_certificate_of_another_rfc_is_refused(caso):
    cert, clave = f.csd("OTR850101AB1")
    c = recibo(caso, csd=cert, csd_clave=clave)
    assert "el certificado es de otro RFC" in rechazo(f.xml(c))


@pytest.mark.django_db
def test_a_stamp_beyond_72_hours_is_refused(caso, llaves):
    c = recibo(caso)
    f.timbrar(c, llaves.pac_clave, no_cert_sat=cfdi.no_certificado(llaves.pac), horas=73)
    assert "fuera de las 72 horas" in rechazo(f.xml(c))


# --- the rule not met: Operación's queue, with what was verified ---------------------------------------------


def en_cola(aclaracion, motivo):
    aclaracion.refresh_from_db()
    assert aclaracion.estado == Aclaracion.Estado.RECIBIDA
    assert any(motivo in m for m in aclaracion.cfdi_motivos), aclaracion.cfdi_motivos
    assert not AdeudoDependencia.objects.filter(aclaracion=aclaracion).exists()
    assert "Sello de tu dependencia: válido" in aclaracion.cfdi_comprobado


@pytest.mark.django_db
def test_another_borrowers_payslip_goes_to_the_queue(caso):
    en_cola(presentar(caso, f.xml(recibo(caso, receptor_rfc=RFC_BOB, curp=CURP_BOB))), "es de otra persona")


@pytest.mark.django_db
def test_a_reused_uuid_goes_to_the_queue(caso):
    uuid = "6F1C2B0E-1111-4222-8333-944455556666"
    presentar(caso, f.xml(recibo(caso, uuid=uuid)))
    q12 = Quincena.parse("2026-Q12")
    segunda = recibo(caso, uuid=uuid, fecha_pago="2026-06-30", inicial="2026-06-16", final="2026-06-30")
    en_cola(presentar(caso, f.xml(segunda), quincena=q12), "ya se usó en otra aclaración")


@pytest.mark.django_db
def test_another_period_goes_to_the_queue(caso):
    c = recibo(caso, fecha_pago="2026-06-30", inicial="2026-06-16", final="2026-06-30")
    aclaracion = presentar(caso, f.xml(c))
    en_cola(aclaracion, "no son de la 1ª quincena de junio de 2026")
    assert "Periodo: no corresponde a la quincena reclamada" in aclaracion.cfdi_comprobado


@pytest.mark.django_db
def test_an_issuer_that_is_not_the_dependencia_goes_to_the_queue(caso):
    otra = f.llaves("OTR850101AB1")
    c = recibo(caso, llaves=otra, emisor_rfc="OTR850101AB1")
    en_cola(presentar(caso, f.xml(c)), "que no es el de la dependencia")


@pytest.mark.django_db
def test_an_unknown_pac_goes_to_the_queue(caso):
    CertificadoPAC.objects.all().delete()
    aclaracion = presentar(caso, f.xml(recibo(caso)))
    en_cola(aclaracion, "no está registrado")
    assert "Timbre del SAT: sin verificar" in aclaracion.cfdi_comprobado


@pytest.mark.django_db
def test_no_mapping_or_a_different_amount_goes_to_the_queue(caso):
    en_cola(presentar(caso, f.xml(recibo(caso, importe=caso.cuota - 1))), "no es el descuento quincenal")
    DeduccionPrestamo.objects.all().delete()
    q12 = Quincena.parse("2026-Q12")
    c = recibo(caso, fecha_pago="2026-06-30", inicial="2026-06-16", final="2026-06-30")
    en_cola(presentar(caso, f.xml(c), quincena=q12), "No está configurada la deducción")


@pytest.mark.django_db
def test_operacion_sees_what_was_verified_on_the_case_page(caso, client, django_user_model):
    operacion = django_user_model.objects.create_user(username="operacion", password=CONTRASENA, is_staff=True)
    operacion.user_permissions.set(
        Permission.objects.filter(codename__in=["view_aclaracion", "resolver_aclaracion"])
    )
    entrar(client, operacion)
    aclaracion = presentar(caso, f.xml(recibo(caso, receptor_rfc=RFC_BOB, curp=CURP_BOB)))
    html = client.get(reverse("admin:recuperacion_aclaracion_change", args=[aclaracion.pk])).content.decode()
    assert "Sello de tu dependencia: válido · Timbre del SAT: válido" in html
    assert "es de otra persona" in html
    assert "Revocación del certificado" in html


# --- hostile files: refused fast, in words --------------------------------------------------------------------

RISAS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4">&lol3;</cfdi:Comprobante>"""
EXTERNA = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4">&xxe;</cfdi:Comprobante>"""
DOCTYPE = b"""<?xml version="1.0"?><!DOCTYPE cfdi:Comprobante><cfdi:Comprobante xmlns:cfdi="http://www.sat.gob.mx/cfd/4"/>"""


@pytest.mark.parametrize("contenido", [RISAS, EXTERNA, DOCTYPE], ids=["billion-laughs", "entidad-externa", "doctype"])
def test_hostile_xml_is_refused_with_a_clear_message(contenido):
    with pytest.raises(cfdi.CfdiRechazado, match="DOCTYPE o entidades"):
        cfdi.leer_xml(contenido)


def test_a_50_mb_file_is_refused_fast():
    contenido = b"<a>" + b"x" * (50 * 1024 * 1024) + b"</a>"
    inicio = time.monotonic()
    with pytest.raises(cfdi.CfdiRechazado, match="pesa más de 1 MB"):
        cfdi.leer_xml(contenido)
    assert time.monotonic() - inicio < 0.5


@pytest.mark.django_db
def test_the_form_refuses_a_hostile_or_huge_xml_and_files_nothing(caso, client):
    entrar(client, caso.derechohabiente.usuario)
    for nombre, contenido, mensaje in [
        ("risas.xml", RISAS, "DOCTYPE o entidades"),
        ("grande.xml", b" " * (cfdi.TAMANIO_MAXIMO + 1), "pesa más de 1 MB"),
        ("foto.xml", b"\x89PNG\r\n", "no es un XML bien formado"),
    ]:
        respuesta = client.post(
            reverse("aclaracion_nueva"),
            {"prestamo": caso.folio, "quincena": "2026-Q11", "importe": str(caso.cuota),
             "cfdi": SimpleUploadedFile(nombre, contenido, "text/xml")},
        )
        assert respuesta.status_code == 200 and mensaje in respuesta.content.decode()
    assert not Aclaracion.objects.exists()


def test_a_non_payslip_cfdi_is_refused_by_the_schema():
    c = f.recibo(
        llaves=f.llaves(RFC_SEP), receptor_rfc=RFC_ALICE, curp=CURP_ALICE, fecha_pago="2026-06-15",
        inicial="2026-06-01", final="2026-06-15", importe=D("701.12"),
    )
    c.set("Moneda", "XYZ")
    with pytest.raises(cfdi.CfdiRechazado, match="esquema del SAT"):
        cfdi.verificar(f.xml(c), almacen=[], certificados_pac={})


# --- the registry, the default trust store and the dependencias' RFC ------------------------------------------


@pytest.mark.django_db
def test_registrar_pac_and_the_default_trust_store(tmp_path, llaves, capsys):
    ruta = tmp_path / "pac.cer"
    ruta.write_bytes(f.der(llaves.pac))
    call_command("registrar_pac", str(ruta))
    assert "Certificado de PAC 30001000000500003456 registrado" in capsys.readouterr().out
    assert CertificadoPAC.objects.get().no_certificado == "30001000000500003456"
    sat = cfdi.cargar_almacen(cfdi.ALMACEN_SAT)
    assert len(sat) >= 6 and any("SAT" in c.subject.rfc4514_string() for c in sat)


def test_no_certificado_reads_the_serial_as_digits(llaves):
    assert cfdi.no_certificado(llaves.csd) == "30001000000500003416"
    assert cfdi.rfc_de(llaves.csd) == RFC_SEP
    assert base64.b64decode(base64.b64encode(f.der(llaves.csd)))


@pytest.mark.django_db
def test_dependencias_csv_takes_an_optional_rfc_column():
    from prestamos.importacion.padron import DependenciasImportador

    importador = DependenciasImportador()
    registros, errores = importador.validar([(2, ["SEP", "Secretaría", "sep850101ab1"]), (3, ["SSA", "Salud", "X"])])
    assert [r[3] for r in registros] == ["SEP850101AB1"] and "«rfc»" in errores[0].motivo
    assert DependenciasImportador.reconoce(("clave", "nombre")) and DependenciasImportador.reconoce(("clave", "nombre", "rfc"))


@pytest.mark.django_db
@pytest.mark.parametrize("importe", [D("9" * 30), D("9" * 19)])
def test_a_deduction_of_more_digits_than_the_sat_allows_is_refused_by_the_schema(caso, importe):
    """30 digits (or 19: the SAT's t_ImporteMXN allows 18) would overflow the sums and the rounding behind the
    rule; the schema refuses the file first, in Spanish, and nothing is filed (docs/reglas.md §18)."""
    antes = Aclaracion.objects.count()
    assert "no cumple el esquema del SAT" in rechazo(f.xml(recibo(caso, importe=importe)))
    assert Aclaracion.objects.count() == antes and not CfdiUsado.objects.exists()


@pytest.mark.django_db
def test_the_largest_deduction_the_sat_allows_goes_to_the_queue_in_words(caso):
    """17 digits pass the schema (with the other deductions and the pay, its totals take 18): the rule sums and
    rounds them without a decimal error and says why."""
    importe = D("9" * 17 + ".99")
    c = recibo(caso, importe=importe, percepcion=importe + D("10000.00"))
    en_cola(presentar(caso, f.xml(c)), "no es el descuento quincenal")
