import pytest
from django.core.management import CommandError, call_command

from oficina.importacion import ArchivoRechazado, importar_archivo
from prestamos.models import Dependencia, Derechohabiente

DEPENDENCIAS = "clave,nombre\nSEP,Secretaría de Educación Pública\nSSA,Secretaría de Salud\n"
PADRON = (
    "curp,nombre,primer_apellido,segundo_apellido,rfc,clave_dependencia\n"
    "GAML850312MDFRPR02,María Luisa,García,Martínez,GAML850312AB1,SEP\n"
    "SAFM920214HNEXRR01,Mario,Sánchez,,,SSA\n"
)


def archivo(tmp_path, contenido: str | bytes, nombre="datos.csv"):
    ruta = tmp_path / nombre
    ruta.write_bytes(contenido.encode() if isinstance(contenido, str) else contenido)
    return str(ruta)


@pytest.mark.django_db
def test_it_loads_dependencias_and_padron_and_upserts_on_a_second_load(tmp_path, capsys):
    call_command("importar", archivo(tmp_path, DEPENDENCIAS))
    call_command("importar", archivo(tmp_path, PADRON))
    assert Dependencia.objects.count() == 2
    mario = Derechohabiente.objects.get(curp="SAFM920214HNEXRR01")
    assert mario.dependencia.clave == "SSA" and mario.segundo_apellido == ""

    cambiado = PADRON.replace("Mario,Sánchez,,,SSA", "Mario,Sánchez,Flores,,SEP")
    resumen = importar_archivo(archivo(tmp_path, cambiado))
    assert (resumen.leidas, resumen.creadas, resumen.actualizadas, resumen.omitidas) == (2, 0, 1, 1)
    mario.refresh_from_db()
    assert mario.segundo_apellido == "Flores" and mario.dependencia.clave == "SEP"
    assert Derechohabiente.objects.count() == 2


@pytest.mark.django_db
def test_it_prints_a_summary(tmp_path, capsys):
    call_command("importar", archivo(tmp_path, DEPENDENCIAS))
    salida = capsys.readouterr().out
    assert "2 fila(s) leída(s)" in salida and "2 creada(s)" in salida


@pytest.mark.django_db
def test_it_rejects_the_whole_file_listing_every_bad_row(tmp_path):
    Dependencia.objects.create(clave="SEP", nombre="SEP")
    malo = (
        "curp,nombre,primer_apellido,segundo_apellido,rfc,clave_dependencia\n"
        "GAML850312MDFRPR02,María Luisa,García,Martínez,,SEP\n"  # good row: still not written
        "GAML850312MDFRPR03,Pedro,Paz,,,SEP\n"  # check digit
        "SAFM920214HNEXRR01,Mario,Sánchez,,,NOEXISTE\n"  # unknown dependencia
        "LOSA820420MNLPNN07,=cmd|' /C calc'!A0,López,,,SEP\n"  # formula injection
        "GAML850312MDFRPR02,Otra,Vez,,,SEP\n"  # duplicated CURP
    )
    with pytest.raises(CommandError) as exc:
        call_command("importar", archivo(tmp_path, malo))
    mensaje = str(exc.value)
    assert "línea 3" in mensaje and "dígito verificador" in mensaje
    assert "línea 4" in mensaje and "NOEXISTE" in mensaje
    assert "línea 5" in mensaje
    assert "línea 6" in mensaje and "repetido" in mensaje
    assert "línea 2:" not in mensaje
    assert Derechohabiente.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "contenido, mensaje",
    [
        (b"", "vac"),
        (b"nombre,clave\nSEP,Algo\n", "Encabezado no reconocido"),
        ("clave,nombre\nSEP,Educación\n".encode("latin-1"), "UTF-8"),
        (b"clave,nombre\nSEP\n", "columnas"),
        (b"clave,nombre\n", "no tiene filas"),
        (b'clave,nombre\nSEP,"sin cerrar\n', "CSV mal formado"),
    ],
)
def test_it_rejects_malformed_files_with_a_clear_message(tmp_path, contenido, mensaje):
    with pytest.raises(ArchivoRechazado) as exc:
        importar_archivo(archivo(tmp_path, contenido))
    assert mensaje in exc.value.mensaje()
    assert Dependencia.objects.count() == 0


@pytest.mark.django_db
def test_it_accepts_a_utf8_bom(tmp_path):
    importar_archivo(archivo(tmp_path, "\ufeff" + DEPENDENCIAS))
    assert Dependencia.objects.filter(clave="SEP").exists()


def test_it_fails_with_exit_status_1_for_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("importar", str(tmp_path / "no-existe.csv"))
