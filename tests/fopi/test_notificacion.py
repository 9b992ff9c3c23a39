"""The SPEI notification (fopi/notificacion.py): the signature, and every body read into a deposit or
refused with a Spanish reason — never another exception. No database."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fopi.notificacion import CAMPOS, Abono, NotificacionInvalida, firma_valida, firmar, leer
from tests.fopi.abonos import SECRETO, notificacion


def cuerpo(**cambios) -> bytes:
    return json.dumps(notificacion(**cambios)).encode()


def test_it_reads_an_stp_notification():
    abono = leer(cuerpo())
    assert abono == Abono(
        id="1234567",
        fecha_operacion=date(2026, 6, 10),
        institucion_ordenante="40012",
        clave_rastreo="MBAN01002606100000001",
        monto=D("1500.00"),
        cuenta_beneficiario="646180201000000015",
        nombre_ordenante="ALICIA GARCIA",
        cuenta_ordenante="012180004567891234",
        concepto_pago="PAGO FOPI",
    )


@pytest.mark.parametrize(
    "monto, esperado",
    [(1234.56, "1234.56"), (0.1, "0.10"), (1500, "1500.00"), ("1500.5", "1500.50"), ("0.07", "0.07"),
     (9999999999.99, "9999999999.99")],
)
def test_it_reads_the_amount_exactly_never_through_a_float(monto, esperado):
    assert leer(cuerpo(monto=monto)).monto == D(esperado)


@pytest.mark.parametrize(
    "cambios, mensaje",
    [
        ({"monto": 0}, "mayor que cero"),
        ({"monto": -5}, "mayor que cero"),
        ({"monto": 10**10}, "mayor que cero"),
        ({"monto": 12.345}, "dos decimales"),
        ({"monto": "12.345"}, "número con hasta dos decimales"),
        ({"monto": "1,500.00"}, "número con hasta dos decimales"),
        ({"monto": "١٥٠٠"}, "número con hasta dos decimales"),
        ({"monto": True}, "número con hasta dos decimales"),
        ({"monto": None}, "número con hasta dos decimales"),
        ({"monto": [1500]}, "número con hasta dos decimales"),
        ({"fechaOperacion": "2026-06-10"}, "AAAAMMDD"),
        ({"fechaOperacion": 20260631}, "no es una fecha del calendario"),
        ({"fechaOperacion": "２０２６０６１０"}, "AAAAMMDD"),
        ({"claveRastreo": ""}, "claveRastreo"),
        ({"claveRastreo": "A" * 31}, "claveRastreo"),
        ({"claveRastreo": "MBAN 0001"}, "claveRastreo"),
        ({"claveRastreo": 12345}, "claveRastreo"),
        ({"cuentaBeneficiario": 646180201000000015}, "cuentaBeneficiario"),
        ({"cuentaBeneficiario": "64618020100000001５"}, "cuentaBeneficiario"),
        ({"institucionOrdenante": "BBVA"}, "institucionOrdenante"),
        ({"id": {"x": 1}}, "«id»"),
        ({"nombreOrdenante": 5}, "nombreOrdenante"),
        ({"conceptoPago": None}, "conceptoPago"),
    ],
)
def test_it_refuses_a_field_of_the_wrong_form_saying_which(cambios, mensaje):
    with pytest.raises(NotificacionInvalida) as error:
        leer(cuerpo(**cambios))
    assert mensaje in str(error.value)


@pytest.mark.parametrize(
    "crudo, mensaje",
    [
        (b"", "JSON válido"),
        (b"{", "JSON válido"),
        (b"[1, 2]", "objeto JSON"),
        (b'"confirmar"', "objeto JSON"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"monto": NaN}', "NaN"),
        (b'{"monto": Infinity}', "Infinity"),
        (b"[" * 50_000, "demasiado grande"),
        (b"[" * 15_000 + b"]" * 15_000, "demasiado grande"),
        (b"[" * 8_000 + b"]" * 8_000, "JSON válido"),  # deep nesting under the size limit
        (b'{"monto": 1' + b"0" * 5000 + b"}", "JSON válido"),  # an integer Python refuses to parse
        (b"{}", "Faltan campos"),
    ],
)
def test_it_refuses_what_is_not_a_notification(crudo, mensaje):
    with pytest.raises(NotificacionInvalida) as error:
        leer(crudo)
    assert mensaje in str(error.value)


def test_it_names_every_missing_field():
    datos = notificacion()
    del datos["monto"], datos["claveRastreo"]
    with pytest.raises(NotificacionInvalida, match="Faltan campos: «claveRastreo», «monto»."):
        leer(json.dumps(datos).encode())


def test_names_and_concepts_are_cleaned_and_cut_not_refused():
    abono = leer(cuerpo(nombreOrdenante="ALICIA\x00 GARCÍA\n\t\ud800" + "Z" * 300, conceptoPago="  FOPI\u0007 123  "))
    assert abono.nombre_ordenante.startswith("ALICIA GARCÍA Z") and len(abono.nombre_ordenante) == 120
    assert abono.concepto_pago == "FOPI 123"


def test_the_signature_is_the_hex_hmac_sha256_of_the_raw_body():
    crudo = cuerpo()
    firma = firmar(crudo, SECRETO)
    assert len(firma) == 64 and firma_valida(crudo, firma, SECRETO) and firma_valida(crudo, firma.upper(), SECRETO)
    assert not firma_valida(crudo + b" ", firma, SECRETO)  # any change to the body, even a space
    assert not firma_valida(crudo, firma, "otro")
    assert not firma_valida(crudo, firma, "")  # no secret configured: nothing is valid
    assert not firma_valida(crudo, "ä" * 64, SECRETO) and not firma_valida(crudo, None, SECRETO)


valores_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda hijos: st.lists(hijos, max_size=3) | st.dictionaries(st.text(max_size=5), hijos, max_size=3),
    max_leaves=5,
)
VALIDA = notificacion()


@st.composite
def notificaciones_alteradas(draw):
    """A valid notification with some fields replaced by any JSON value and some removed."""
    datos = dict(VALIDA)
    for campo in draw(st.sets(st.sampled_from(CAMPOS), max_size=4)):
        datos[campo] = draw(valores_json)
    for campo in draw(st.sets(st.sampled_from(CAMPOS), max_size=1)):
        del datos[campo]
    return datos


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(notificaciones_alteradas())
def test_any_json_object_is_read_or_refused_in_spanish(datos):
    try:
        abono = leer(json.dumps(datos).encode())
    except NotificacionInvalida as error:
        assert str(error)
    else:
        assert D("0") < abono.monto <= D("9999999999.99") and abono.monto == abono.monto.quantize(D("0.01"))
        assert abono.clave_rastreo.isascii() and abono.cuenta_beneficiario.isascii()


@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_in_spanish(crudo):
    try:
        leer(crudo)
    except NotificacionInvalida as error:
        assert str(error)


# Every bidirectional control: embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the
# marks (U+200E, U+200F). In a payer's name they reorder what staff read ("ALICIA" shown as a CLABE's end).
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


@pytest.mark.parametrize("control", list(BIDI), ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_bidi_controls_are_stripped_from_the_payers_name_and_the_concept(control):
    abono = leer(cuerpo(nombreOrdenante=f"ALICIA{control} GARCIA{control}", conceptoPago=f"{control}PAGO FOPI"))
    assert (abono.nombre_ordenante, abono.concepto_pago) == ("ALICIA GARCIA", "PAGO FOPI")


def test_a_name_made_of_bidi_controls_only_is_empty_not_refused():
    abono = leer(cuerpo(nombreOrdenante=BIDI, conceptoPago="\u202eOFIP OGAP"))
    assert (abono.nombre_ordenante, abono.concepto_pago) == ("", "OFIP OGAP")
