"""Hostile bodies at POST /spei/abonos/: never a 500. Signed nonsense gets a 400 with a Spanish message
in JSON and records nothing; a replayed signature over a changed body gets a 403 and records nothing."""

import json
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fopi.models import PagoBancario
from fopi.notificacion import CAMPOS, firmar
from fopi.services import fopi_emitir
from prestamos.models import Movimiento
from tests.fopi.abonos import SECRETO, enviar, notificacion

FUZZ = settings(
    max_examples=150, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostiles = {
    "monto": st.one_of(
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=False),
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
        st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=12),  # any script's digits
        st.sampled_from(["1e999999999", "-0", "0.001", "1500.00 ", " 1500", "1_500", "0x10", "1500,00"]),
    ),
    "fechaOperacion": st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.text(alphabet=st.characters(categories=["Nd"]), min_size=8, max_size=8),
        st.sampled_from(["20260230", "00000000", "99991231", "2026061", "202606100"]),
    ),
    "claveRastreo": st.text(max_size=40),
    "cuentaBeneficiario": st.one_of(
        st.text(alphabet=st.characters(categories=["Nd"]), max_size=25), st.integers(), st.text(max_size=25),
    ),
    "institucionOrdenante": st.one_of(st.integers(), st.text(max_size=12)),
    "id": st.one_of(st.integers(), st.text(max_size=50), st.floats(allow_nan=False)),
    "nombreOrdenante": st.one_of(st.text(max_size=300), st.integers(), st.none()),
    "cuentaOrdenante": st.one_of(st.text(max_size=40), st.integers()),
    "conceptoPago": st.one_of(st.text(max_size=300), st.lists(st.integers(), max_size=2)),
}
cualquiera = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda hijos: st.lists(hijos, max_size=3) | st.dictionaries(st.text(max_size=5), hijos, max_size=3),
    max_leaves=5,
)


@st.composite
def cuerpos(draw, fopi):
    """Bytes a confused or hostile sender could post: altered notifications, broken JSON, plain noise."""
    tipo = draw(st.sampled_from(["alterada", "alterada", "alterada", "json", "bytes"]))
    if tipo == "bytes":
        return draw(st.binary(max_size=400))
    if tipo == "json":
        return json.dumps(draw(cualquiera)).encode()
    datos = notificacion(fopi, claveRastreo=draw(st.from_regex(r"[A-Z0-9]{6,20}", fullmatch=True)))
    for campo in draw(st.sets(st.sampled_from(CAMPOS), max_size=3)):
        datos[campo] = draw(hostiles[campo] | cualquiera)
    for campo in draw(st.sets(st.sampled_from(CAMPOS), max_size=1)):
        del datos[campo]
    texto = json.dumps(datos, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):  # truncated or padded in transit
        texto = texto[: draw(st.integers(min_value=0, max_value=len(texto)))]
    return texto.encode("utf-8", "surrogatepass")


@pytest.fixture
def fopi(prestamo_alice, settings, hoy):
    settings.SPEI_SECRETO = SECRETO
    hoy(date(2026, 6, 10))
    return fopi_emitir(prestamo=prestamo_alice, tipo="PARCIAL", importe=D("1500.00"), hoy=date(2026, 6, 5))


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_a_signed_body_is_confirmed_or_refused_in_spanish_never_a_500(client, fopi, data):
    cuerpo = data.draw(cuerpos(fopi))
    antes = PagoBancario.objects.count()

    respuesta = enviar(client, cuerpo)

    assert respuesta.status_code in (200, 400), (respuesta.status_code, cuerpo)
    assert respuesta["Content-Type"] == "application/json"
    if respuesta.status_code == 400:
        error = respuesta.json()["error"]
        assert isinstance(error, str) and error.endswith(".") and (error[0].isupper() or error[0] == "«")
        assert PagoBancario.objects.count() == antes
    elif respuesta.json()["mensaje"] == "devolver":  # a CLABE no FOPI had, or another transfer under a used key
        assert respuesta.json()["id"] in (1, 13) and PagoBancario.objects.count() == antes
    else:
        assert respuesta.json() == {"mensaje": "confirmar"}
        assert PagoBancario.objects.count() - antes in (0, 1)
    recibido = sum((p.importe for p in PagoBancario.objects.all()), D(0))
    aplicado = sum((m.importe for m in Movimiento.objects.filter(tipo__in=["PAGO", "PAGO_CAPP", "PAGO_SPEI"])), D(0))
    pendiente = sum((p.importe for p in PagoBancario.objects.filter(estado="EN_REVISION")), D(0))
    assert recibido == aplicado + pendiente


@pytest.mark.django_db
@FUZZ
@given(data=st.data())
def test_a_replayed_signature_over_a_changed_body_is_refused_and_records_nothing(client, fopi, data):
    original = json.dumps(notificacion(fopi)).encode()
    cambiado = data.draw(cuerpos(fopi))
    if cambiado == original:
        return
    firma = firmar(original, SECRETO)

    respuesta = enviar(client, cambiado, firma=firma)

    assert respuesta.status_code == 403 and respuesta.json() == {"error": "Firma inválida."}
    assert not PagoBancario.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("tamanio", [16 * 1024 + 1, 3 * 1024 * 1024])
def test_an_oversized_body_is_refused_in_json(client, fopi, tamanio):
    respuesta = enviar(client, b"{" + b" " * tamanio + b"}")
    assert respuesta.status_code == 400 and "demasiado grande" in respuesta.json()["error"]
    assert not PagoBancario.objects.exists()


TREINTA = "9" * 30  # an amount of 30 digits: more than a Decimal's default 28-digit context


@pytest.mark.django_db
@pytest.mark.parametrize(
    "monto",
    [int(TREINTA), TREINTA, f"{TREINTA}.99", D(f"{TREINTA}.99"), f"1{'0' * 5000}"],
    ids=["entero", "texto", "texto-con-centavos", "decimal", "5000-digitos"],
)
def test_a_30_digit_monto_is_refused_in_spanish_and_records_nothing(client, fopi, monto):
    datos = notificacion(fopi)
    # Written as the JSON number itself (the text cases as a string): no float on the way.
    escrito = json.dumps(monto) if isinstance(monto, str) else str(monto)
    cuerpo = json.dumps({**datos, "monto": "__M__"}).replace('"__M__"', escrito)
    respuesta = enviar(client, cuerpo.encode())
    assert respuesta.status_code == 400
    assert respuesta.json()["error"].startswith(("«monto»", "La notificación no es un JSON válido."))
    assert not PagoBancario.objects.exists()
