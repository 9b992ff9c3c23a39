"""The payslip's CFDI, verified offline (docs/reglas.md §18).

A federal payslip is a CFDI 4.0 with the nómina 1.2 complement, sealed by the dependencia's CSD and stamped
by a PAC (TimbreFiscalDigital). This module only reads and verifies the file; what it proves about a loan
(the rule) is decided in `recuperacion/aclaraciones.py`.

Library choice: `lxml` (strict parser, the SAT's XSD, the SAT's cadena-original XSLT) and `cryptography`
(signatures, certificates), with the few SAT files needed committed under `recuperacion/sat/` (the XSD of
CFDI 4.0, nómina 1.2, TimbreFiscalDigital 1.1 and their catalogues; the cadena-original XSLT reduced to
the nómina complement; the SAT's production certification authorities). `satcfdi` was not taken: it pulls
weasyprint, requests, pyOpenSSL... (tens of MB) for what is here a hundred lines, its `SAT().validate()`
downloads PAC certificates (CI and production have no such network) and reads the 72-hour window the
wrong way round, and its `CertificateStore.verify_certificate` raises `KeyError` for an unknown issuer.

Hostile files are refused before and during parsing: a size limit, no DOCTYPE (hence no entity, no
billion laughs, no external entity), no network, no huge tree.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

SAT = Path(__file__).resolve().parent / "sat"
ALMACEN_SAT = SAT / "ac"  # the SAT's production certification authorities (default of CFDI_ALMACEN_AC)
TAMANIO_MAXIMO = 1 * 1024 * 1024  # a payslip's XML is a few KB; 1 MB leaves room for any real one
VENTANA_TIMBRADO = timedelta(hours=72)
ZONA = ZoneInfo("America/Mexico_City")

NS = {
    "cfdi": "http://www.sat.gob.mx/cfd/4",
    "nomina12": "http://www.sat.gob.mx/nomina12",
    "tfd": "http://www.sat.gob.mx/TimbreFiscalDigital",
}
OID_RFC = x509.ObjectIdentifier("2.5.4.45")  # x500UniqueIdentifier: "RFC / CURP del representante"

PENDIENTES = (
    "Revocación del certificado de la dependencia: se consulta con el SAT, no se puede comprobar sin conexión.",
    "Cancelación del CFDI: se consulta con el SAT, no se puede comprobar sin conexión.",
)


class CfdiRechazado(ValueError):
    """The file is not a verifiable payslip, or a signature fails: the message says why, in Spanish."""


@dataclass
class Deduccion:
    tipo: str
    clave: str
    concepto: str
    importe: Decimal


@dataclass
class Verificacion:
    """What the file proves once every cryptographic check passed (or, for the PAC, could be made)."""

    uuid: str
    emisor_rfc: str
    receptor_rfc: str
    receptor_curp: str
    fecha: datetime
    fecha_timbrado: datetime
    no_certificado_sat: str
    fecha_pago: date
    fecha_inicial: date
    fecha_final: date
    deducciones: list[Deduccion]
    pac_registrado: bool
    comprobaciones: list[tuple[str, str]] = field(default_factory=list)
    pendientes: list[str] = field(default_factory=lambda: list(PENDIENTES))

    def como_dict(self) -> dict:
        return {
            "uuid": self.uuid,
            "emisor_rfc": self.emisor_rfc,
            "receptor_rfc": self.receptor_rfc,
            "receptor_curp": self.receptor_curp,
            "fecha": self.fecha.isoformat(),
            "fecha_timbrado": self.fecha_timbrado.isoformat(),
            "no_certificado_sat": self.no_certificado_sat,
            "fecha_pago": self.fecha_pago.isoformat(),
            "fecha_inicial": self.fecha_inicial.isoformat(),
            "fecha_final": self.fecha_final.isoformat(),
            "deducciones": [[d.tipo, d.clave, d.concepto, str(d.importe)] for d in self.deducciones],
            "pac_registrado": self.pac_registrado,
            "comprobaciones": [list(c) for c in self.comprobaciones],
            "pendientes": list(self.pendientes),
        }


# --- reading, strictly -------------------------------------------------------------------------------------

NO_ES_CFDI = "El archivo no es el XML de un recibo de nómina (CFDI 4.0 con complemento de nómina 1.2)."
PROHIBIDO = (
    "El XML trae una declaración DOCTYPE o entidades; un recibo de nómina del SAT no las lleva y no lo abrimos "
    "por seguridad."
)


def leer_xml(contenido: bytes) -> etree._Element:
    """Parse with every door shut; refuse quickly and in words."""
    if len(contenido) > TAMANIO_MAXIMO:
        raise CfdiRechazado(
            f"El XML pesa más de {TAMANIO_MAXIMO // (1024 * 1024)} MB; un recibo de nómina pesa unos KB."
        )
    if not contenido.strip():
        raise CfdiRechazado("El archivo XML está vacío.")
    if contenido[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in contenido[:200]:
        raise CfdiRechazado("El XML debe estar en UTF-8, como lo entrega el SAT.")
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", contenido, re.IGNORECASE):
        raise CfdiRechazado(PROHIBIDO)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )
    try:
        raiz = etree.fromstring(contenido, parser)
    except etree.XMLSyntaxError:
        raise CfdiRechazado("El archivo no es un XML bien formado; descarga de nuevo el XML de tu recibo.") from None
    if raiz.getroottree().docinfo.doctype:
        raise CfdiRechazado(PROHIBIDO)
    if raiz.tag != f"{{{NS['cfdi']}}}Comprobante":
        raise CfdiRechazado(NO_ES_CFDI)
    return raiz


@functools.cache
def _esquema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SAT / "xsd" / "nomina_cfdi.xsd")))


@functools.cache
def _xslt(nombre: str) -> etree.XSLT:
    acceso = etree.XSLTAccessControl.DENY_ALL
    return etree.XSLT(etree.parse(str(SAT / "xslt" / nombre)), access_control=acceso)


def cadena_original(raiz: etree._Element) -> str:
    return str(_xslt("cadenaoriginal_4_0.xslt")(raiz))


def cadena_original_tfd(tfd: etree._Element) -> str:
    return str(_xslt("cadenaoriginal_TFD_1_1.xslt")(etree.fromstring(etree.tostring(tfd))))


# --- certificates --------------------------------------------------------------------------------------------


def no_certificado(cert: x509.Certificate) -> str:
    """The SAT's 20-digit certificate number: the serial's bytes read as ASCII digits."""
    try:
        return bytes.fromhex(f"{cert.serial_number:x}").decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return ""


def rfc_de(cert: x509.Certificate) -> str:
    for atributo in cert.subject.get_attributes_for_oid(OID_RFC):
        return str(atributo.value).split("/")[0].strip().upper()
    return ""


def cargar_certificado(datos: bytes) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(datos)
    except ValueError:
        try:
            return x509.load_pem_x509_certificate(datos)
        except ValueError:
            raise CfdiRechazado("El archivo no es un certificado (.cer) legible.") from None


def cargar_almacen(ruta: str | Path) -> list[x509.Certificate]:
    """The certification authorities in a folder (DER or PEM .cer/.crt/.pem files)."""
    return [cargar_certificado(p.read_bytes()) for p in sorted(Path(ruta).iterdir()) if p.is_file()]


def datos_certificado_pac(datos: bytes) -> dict:
    """The fields of a PAC certificate's registry row (`CertificadoPAC`), from its .cer file."""
    from cryptography.hazmat.primitives.serialization import Encoding

    cert = cargar_certificado(datos)
    numero = no_certificado(cert)
    if not (len(numero) == 20 and numero.isdigit()):
        raise CfdiRechazado("El certificado no tiene un número de certificado del SAT (20 dígitos).")
    return {
        "no_certificado": numero,
        "rfc": rfc_de(cert),
        "sujeto": cert.subject.rfc4514_string()[:300],
        "vigente_desde": cert.not_valid_before_utc,
        "vigente_hasta": cert.not_valid_after_utc,
        "certificado": cert.public_bytes(Encoding.DER),
    }


def _firma_valida(cert: x509.Certificate, firma_b64: str, datos: bytes) -> bool:
    clave = cert.public_key()
    if not isinstance(clave, rsa.RSAPublicKey):
        return False
    try:
        firma = base64.b64decode(firma_b64, validate=True)
        clave.verify(firma, datos, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _vigente(cert: x509.Certificate, momento: datetime) -> bool:
    return cert.not_valid_before_utc <= momento <= cert.not_valid_after_utc


def _encadenado(cert: x509.Certificate, almacen: list[x509.Certificate], momento: datetime) -> bool:
    for ac in almacen:
        if ac.subject != cert.issuer or not _vigente(ac, momento):
            continue
        try:
            cert.verify_directly_issued_by(ac)
        except (InvalidSignature, ValueError, TypeError):
            continue
        return True
    return False


# --- the verification ----------------------------------------------------------------------------------------


def numeros_certificado_sat(contenido: bytes) -> list[str]:
    """The NoCertificadoSAT the file names, to fetch only those PAC certificates (the file is read in full
    by `verificar`; here a refusal just means none)."""
    try:
        raiz = leer_xml(contenido)
    except CfdiRechazado:
        return []
    return [t.get("NoCertificadoSAT", "") for t in raiz.iterfind("cfdi:Complemento/tfd:TimbreFiscalDigital", NS)]


def _fecha_hora(texto: str | None) -> datetime:
    try:
        return datetime.fromisoformat(texto or "").replace(tzinfo=ZONA)
    except ValueError:
        raise CfdiRechazado(NO_ES_CFDI) from None


def _fecha(texto: str | None) -> date:
    try:
        return date.fromisoformat(texto or "")
    except ValueError:
        raise CfdiRechazado(NO_ES_CFDI) from None


def verificar(
    contenido: bytes, *, almacen: list[x509.Certificate], certificados_pac: dict[str, x509.Certificate]
) -> Verificacion:
    """Every check that can be made offline (docs/reglas.md §18). A failed one raises `CfdiRechazado` with
    the reason; an unregistered PAC certificate does not (the case then goes to Operación)."""
    raiz = leer_xml(contenido)
    if not _esquema().validate(raiz):
        error = _esquema().error_log.last_error
        detalle = f" ({error.message})" if error is not None else ""
        raise CfdiRechazado(f"El XML no cumple el esquema del SAT para CFDI 4.0 de nómina{detalle}.")
    if raiz.get("TipoDeComprobante") != "N":
        raise CfdiRechazado("El CFDI no es un recibo de nómina (su tipo de comprobante no es «N»).")
    nomina = raiz.find("cfdi:Complemento/nomina12:Nomina", NS)
    tfd = raiz.find("cfdi:Complemento/tfd:TimbreFiscalDigital", NS)
    if nomina is None:
        raise CfdiRechazado("El CFDI no trae el complemento de nómina 1.2.")
    if tfd is None:
        raise CfdiRechazado("El CFDI no está timbrado: le falta el Timbre Fiscal Digital del SAT.")
    fecha = _fecha_hora(raiz.get("Fecha"))
    momento = fecha.astimezone(UTC)

    # 1. The issuer's seal against the certificate it carries, and that certificate's identity.
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(raiz.get("Certificado", ""), validate=True))
    except (ValueError, binascii.Error):
        raise CfdiRechazado("Sello de la dependencia: el certificado incluido en el CFDI no es legible.") from None
    if not _firma_valida(cert, raiz.get("Sello", ""), cadena_original(raiz).encode("utf-8")):
        raise CfdiRechazado(
            "Sello de la dependencia: no válido. El contenido del CFDI no corresponde a su sello: el archivo fue "
            "modificado después de emitirse."
        )
    emisor = raiz.find("cfdi:Emisor", NS)
    receptor = raiz.find("cfdi:Receptor", NS)
    emisor_rfc = emisor.get("Rfc", "").upper()
    if no_certificado(cert) != raiz.get("NoCertificado"):
        raise CfdiRechazado("Sello de la dependencia: el número de certificado no corresponde al certificado incluido.")
    if rfc_de(cert) != emisor_rfc:
        raise CfdiRechazado(
            f"Sello de la dependencia: el certificado es de otro RFC ({rfc_de(cert) or 'sin RFC'}), no del emisor "
            f"{emisor_rfc}."
        )
    if not _vigente(cert, momento):
        raise CfdiRechazado("Sello de la dependencia: el certificado no estaba vigente en la fecha del CFDI.")
    if not _encadenado(cert, almacen, momento):
        raise CfdiRechazado(
            "Sello de la dependencia: su certificado no fue emitido por una autoridad certificadora del SAT."
        )

    # 2. The PAC's stamp: it covers this CFDI's seal, and it is the registered PAC's.
    if tfd.get("SelloCFD") != raiz.get("Sello"):
        raise CfdiRechazado("Timbre del SAT: no corresponde a este CFDI (su SelloCFD es el de otro comprobante).")
    fecha_timbrado = _fecha_hora(tfd.get("FechaTimbrado"))
    if not (fecha - timedelta(minutes=5) <= fecha_timbrado <= fecha + VENTANA_TIMBRADO):
        raise CfdiRechazado("Timbre del SAT: el CFDI se timbró fuera de las 72 horas siguientes a su emisión.")
    no_cert_sat = tfd.get("NoCertificadoSAT", "")
    pac = certificados_pac.get(no_cert_sat)
    if pac is not None and not _firma_valida(pac, tfd.get("SelloSAT", ""), cadena_original_tfd(tfd).encode("utf-8")):
        raise CfdiRechazado("Timbre del SAT: no válido. El sello del timbre no es del certificado del PAC que indica.")

    receptor_nomina = nomina.find("nomina12:Receptor", NS)
    deducciones = [
        Deduccion(d.get("TipoDeduccion", ""), d.get("Clave", ""), d.get("Concepto", ""), _importe(d.get("Importe")))
        for d in nomina.findall("nomina12:Deducciones/nomina12:Deduccion", NS)
    ]
    verificacion = Verificacion(
        uuid=tfd.get("UUID", "").upper(),
        emisor_rfc=emisor_rfc,
        receptor_rfc=receptor.get("Rfc", "").upper(),
        receptor_curp=(receptor_nomina.get("Curp", "") if receptor_nomina is not None else "").upper(),
        fecha=fecha,
        fecha_timbrado=fecha_timbrado,
        no_certificado_sat=no_cert_sat,
        fecha_pago=_fecha(nomina.get("FechaPago")),
        fecha_inicial=_fecha(nomina.get("FechaInicialPago")),
        fecha_final=_fecha(nomina.get("FechaFinalPago")),
        deducciones=deducciones,
        pac_registrado=pac is not None,
    )
    verificacion.comprobaciones = [
        ("Sello de tu dependencia", "válido"),
        ("Timbre del SAT", "válido" if pac is not None else "sin verificar: el certificado del PAC no está registrado"),
    ]
    return verificacion


def _importe(texto: str | None) -> Decimal:
    try:
        return Decimal(texto or "")
    except InvalidOperation:
        raise CfdiRechazado(NO_ES_CFDI) from None
