"""Builds, seals and stamps nómina CFDIs for tests: a local certification authority stands in for the SAT,
with a dependencia's CSD and a PAC's certificate issued by it (the SAT's public test certificates expired)."""

from __future__ import annotations

import base64
import uuid as uuidlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree

from recuperacion import cfdi

CFDI = cfdi.NS["cfdi"]
NOM = cfdi.NS["nomina12"]
TFD = cfdi.NS["tfd"]
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _clave():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def serial_sat(numero: str) -> int:
    return int(numero.encode("ascii").hex(), 16)


def _cert(nombre, clave, emisor_nombre, emisor_clave, *, numero, rfc=None, ca=False, dias=3650):
    atributos = [x509.NameAttribute(NameOID.COMMON_NAME, nombre)]
    if rfc:
        atributos.append(x509.NameAttribute(cfdi.OID_RFC, f"{rfc} / "))
    sujeto = x509.Name(atributos)
    ahora = datetime(2020, 1, 1, tzinfo=UTC)
    constructor = (
        x509.CertificateBuilder()
        .subject_name(sujeto)
        .issuer_name(emisor_nombre or sujeto)
        .public_key(clave.public_key())
        .serial_number(serial_sat(numero))
        .not_valid_before(ahora)
        .not_valid_after(ahora + timedelta(days=dias))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    return constructor.sign(emisor_clave, hashes.SHA256())


@dataclass
class Llaves:
    ac: x509.Certificate
    ac_clave: rsa.RSAPrivateKey
    csd: x509.Certificate
    csd_clave: rsa.RSAPrivateKey
    pac: x509.Certificate
    pac_clave: rsa.RSAPrivateKey


_LLAVES: dict[str, Llaves] = {}
_AC: list = []
_PAC: list = []


def autoridad() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """The local certification authority standing in for the SAT's (one per test run)."""
    if not _AC:
        clave = _clave()
        _AC.append((_cert("AC de pruebas", clave, None, clave, numero="00000000000000000001", ca=True), clave))
    return _AC[0]


def csd(rfc: str, *, ac=None, ac_clave=None, numero="30001000000500003416"):
    """A CSD for `rfc`, issued by `ac` (by default the trusted local authority)."""
    if ac is None:
        ac, ac_clave = autoridad()
    clave = _clave()
    return _cert(f"CSD {rfc}", clave, ac.subject, ac_clave, numero=numero, rfc=rfc), clave


def llaves(rfc: str = "SEP850101AB1") -> Llaves:
    """The trusted authority, the dependencia's CSD (RFC `rfc`) and the PAC's certificate; cached per RFC."""
    if rfc not in _LLAVES:
        ac, ac_clave = autoridad()
        cert, clave = csd(rfc)
        if not _PAC:
            pac_clave = _clave()
            _PAC.append((_cert("PAC de pruebas", pac_clave, ac.subject, ac_clave, numero="30001000000500003456"), pac_clave))
        pac, pac_clave = _PAC[0]
        _LLAVES[rfc] = Llaves(ac, ac_clave, cert, clave, pac, pac_clave)
    return _LLAVES[rfc]


def ac_ajena():
    """A certification authority nobody trusts, with the same name as the trusted one."""
    clave = _clave()
    return _cert("AC de pruebas", clave, None, clave, numero="00000000000000000001", ca=True), clave


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def firmar(clave, texto: str) -> str:
    return base64.b64encode(clave.sign(texto.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())).decode()


def recibo(
    *,
    llaves: Llaves,
    emisor_rfc: str = "SEP850101AB1",
    receptor_rfc: str,
    curp: str,
    fecha_pago: str,
    inicial: str,
    final: str,
    importe: Decimal,
    tipo: str = "004",
    clave: str = "PRE01",
    concepto: str = "PRESTAMO PERSONAL",
    fecha: str | None = None,
    uuid: str | None = None,
    csd: x509.Certificate | None = None,
    csd_clave=None,
    pac_clave=None,
    no_cert_sat: str | None = None,
    percepcion: Decimal = Decimal("10000.00"),
) -> etree._Element:
    """A sealed and stamped nómina CFDI 4.0 (as an element: tests alter it, then `xml()` it)."""
    csd = csd or llaves.csd
    csd_clave = csd_clave or llaves.csd_clave
    pac_clave = pac_clave or llaves.pac_clave
    fecha = fecha or f"{fecha_pago}T09:00:00"
    otras = Decimal("1500.00")
    deducciones = otras + importe
    neto = percepcion - deducciones
    c = etree.Element(
        f"{{{CFDI}}}Comprobante",
        nsmap={"cfdi": CFDI, "nomina12": NOM, "xsi": XSI},
        attrib={
            f"{{{XSI}}}schemaLocation": "http://www.sat.gob.mx/cfd/4 http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd",
            "Version": "4.0",
            "Serie": "N",
            "Folio": "1001",
            "Fecha": fecha,
            "Sello": "",
            "NoCertificado": cfdi.no_certificado(csd),
            "Certificado": base64.b64encode(der(csd)).decode(),
            "SubTotal": f"{percepcion:.2f}",
            "Descuento": f"{deducciones:.2f}",
            "Moneda": "MXN",
            "Total": f"{neto:.2f}",
            "TipoDeComprobante": "N",
            "Exportacion": "01",
            "MetodoPago": "PUE",
            "LugarExpedicion": "06000",
        },
    )
    etree.SubElement(c, f"{{{CFDI}}}Emisor", Rfc=emisor_rfc, Nombre="SECRETARIA DE PRUEBAS", RegimenFiscal="603")
    etree.SubElement(
        c,
        f"{{{CFDI}}}Receptor",
        Rfc=receptor_rfc,
        Nombre="PERSONA DE PRUEBA",
        DomicilioFiscalReceptor="06000",
        RegimenFiscalReceptor="605",
        UsoCFDI="CN01",
    )
    conceptos = etree.SubElement(c, f"{{{CFDI}}}Conceptos")
    etree.SubElement(
        conceptos,
        f"{{{CFDI}}}Concepto",
        ClaveProdServ="84111505",
        Cantidad="1",
        ClaveUnidad="ACT",
        Descripcion="Pago de nómina",
        ValorUnitario=f"{percepcion:.2f}",
        Importe=f"{percepcion:.2f}",
        Descuento=f"{deducciones:.2f}",
        ObjetoImp="01",
    )
    comp = etree.SubElement(c, f"{{{CFDI}}}Complemento")
    n = etree.SubElement(
        comp,
        f"{{{NOM}}}Nomina",
        Version="1.2",
        TipoNomina="O",
        FechaPago=fecha_pago,
        FechaInicialPago=inicial,
        FechaFinalPago=final,
        NumDiasPagados="15.000",
        TotalPercepciones=f"{percepcion:.2f}",
        TotalDeducciones=f"{deducciones:.2f}",
    )
    etree.SubElement(n, f"{{{NOM}}}Emisor", RegistroPatronal="A1234567890")
    etree.SubElement(
        n,
        f"{{{NOM}}}Receptor",
        Curp=curp,
        NumSeguridadSocial="12345678901",
        FechaInicioRelLaboral="2010-01-01",
        Antigüedad="P800W",
        TipoContrato="01",
        TipoRegimen="02",
        NumEmpleado="12345",
        PeriodicidadPago="04",
        ClaveEntFed="CMX",
    )
    p = etree.SubElement(
        n,
        f"{{{NOM}}}Percepciones",
        TotalSueldos=f"{percepcion:.2f}",
        TotalGravado=f"{percepcion:.2f}",
        TotalExento="0.00",
    )
    etree.SubElement(
        p,
        f"{{{NOM}}}Percepcion",
        TipoPercepcion="001",
        Clave="001",
        Concepto="SUELDO",
        ImporteGravado=f"{percepcion:.2f}",
        ImporteExento="0.00",
    )
    d = etree.SubElement(
        n, f"{{{NOM}}}Deducciones", TotalOtrasDeducciones=f"{importe:.2f}", TotalImpuestosRetenidos=f"{otras:.2f}"
    )
    etree.SubElement(d, f"{{{NOM}}}Deduccion", TipoDeduccion="002", Clave="ISR", Concepto="ISR", Importe=f"{otras:.2f}")
    etree.SubElement(
        d, f"{{{NOM}}}Deduccion", TipoDeduccion=tipo, Clave=clave, Concepto=concepto, Importe=f"{importe:.2f}"
    )
    sellar(c, csd_clave)
    timbrar(c, pac_clave, uuid=uuid, no_cert_sat=no_cert_sat or cfdi.no_certificado(llaves.pac))
    return c


def sellar(c: etree._Element, csd_clave) -> None:
    c.set("Sello", firmar(csd_clave, cfdi.cadena_original(c)))


def timbrar(c: etree._Element, pac_clave, *, uuid=None, no_cert_sat: str, horas: int = 1) -> None:
    comp = c.find(f"{{{CFDI}}}Complemento")
    for viejo in comp.findall(f"{{{TFD}}}TimbreFiscalDigital"):
        comp.remove(viejo)
    fecha = datetime.fromisoformat(c.get("Fecha")) + timedelta(hours=horas)
    t = etree.SubElement(
        comp,
        f"{{{TFD}}}TimbreFiscalDigital",
        nsmap={"tfd": TFD},
        attrib={
            "Version": "1.1",
            "UUID": uuid or str(uuidlib.uuid4()).upper(),
            "FechaTimbrado": fecha.isoformat(),
            "RfcProvCertif": "PAC010101AAA",
            "SelloCFD": c.get("Sello"),
            "NoCertificadoSAT": no_cert_sat,
            "SelloSAT": "",
        },
    )
    t.set("SelloSAT", firmar(pac_clave, cfdi.cadena_original_tfd(t)))


def xml(c: etree._Element) -> bytes:
    return etree.tostring(c, xml_declaration=True, encoding="UTF-8")


def configurar(settings, carpeta, rfc: str = "SEP850101AB1"):
    """Trust store = the local authority, PAC registry = its PAC; SEP gets `rfc` and the default loan deduction."""
    from prestamos.models import Dependencia
    from recuperacion.models import CertificadoPAC, DeduccionPrestamo

    propias = llaves(rfc)
    almacen = carpeta / "ac"
    almacen.mkdir(exist_ok=True)
    (almacen / "ac.cer").write_bytes(der(propias.ac))
    settings.CFDI_ALMACEN_AC = str(almacen)
    datos = cfdi.datos_certificado_pac(der(propias.pac))
    CertificadoPAC.objects.update_or_create(no_certificado=datos.pop("no_certificado"), defaults=datos)
    sep = Dependencia.objects.get(clave="SEP")
    sep.rfc = rfc
    sep.save(update_fields=["rfc"])
    DeduccionPrestamo.objects.get_or_create(dependencia=sep)  # the defaults: 004 and préstamo/crédito
    return sep
