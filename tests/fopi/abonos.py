"""SPEI deposit notifications as the bank sends them, for the SPEI tests (tests/fopi/test_spei*.py).

Kept next to those tests because only they use them; tests/fabricas.py holds the data every app shares.
"""

import json
from datetime import date

from fopi.notificacion import firmar

SECRETO = "secreto-de-prueba-compartido-con-el-banco"
URL = "/spei/abonos/"


def notificacion(fopi=None, **cambios) -> dict:
    """An STP-style notification paying `fopi` exactly on 10/06/2026; `cambios` override any field."""
    datos = {
        "id": 1234567,
        "fechaOperacion": 20260610,
        "institucionOrdenante": 40012,
        "institucionBeneficiaria": 90646,
        "claveRastreo": "MBAN01002606100000001",
        "monto": float(fopi.importe) if fopi is not None else 1500.0,
        "nombreOrdenante": "ALICIA GARCIA",
        "tipoCuentaOrdenante": 40,
        "cuentaOrdenante": "012180004567891234",
        "rfcCurpOrdenante": "GAML850312MDFRPR02",
        "nombreBeneficiario": "ISSSTE PRESTAMOS PERSONALES",
        "tipoCuentaBeneficiario": 40,
        "cuentaBeneficiario": fopi.clabe if fopi is not None else "646180201000000015",
        "conceptoPago": fopi.referencia if fopi is not None else "PAGO FOPI",
        "referenciaNumerica": 1234567,
        "empresa": "ISSSTE",
        "tsLiquidacion": "1781112345678",
    }
    datos.update(cambios)
    return datos


def cuerpo_de(datos) -> bytes:
    return json.dumps(datos, default=str).encode() if not isinstance(datos, bytes) else datos


def enviar(client, datos, *, secreto: str = SECRETO, firma: str | None = None):
    """POST the notification signed with `secreto` (or with the given `firma`, e.g. a replayed one)."""
    cuerpo = cuerpo_de(datos)
    encabezados = {"X-Firma": firma if firma is not None else firmar(cuerpo, secreto)}
    return client.post(URL, data=cuerpo, content_type="application/json", headers=encabezados)


def del_dia(dia: int) -> int:
    return int(date(2026, 6, dia).strftime("%Y%m%d"))

