"""Issue 12, finding 10: an upload whose worker died is marked FALLIDA after a timeout with a clear message,
loads nothing, and can be run again."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from prestamos import cargas
from prestamos.models import Carga, Dependencia

DEPENDENCIAS = b"clave,nombre\nSEP,Secretaria de Educacion Publica\nSSA,Secretaria de Salud\n"


class TrabajadorMuerto(BaseException):
    """What `kill -9` looks like from inside the job: nothing after it runs, no `except Exception` catches it."""


def carga_que_muere(staff, monkeypatch) -> Carga:
    carga = Carga.objects.create(archivo=SimpleUploadedFile("d.csv", DEPENDENCIAS), nombre="d.csv", creada_por=staff)
    from prestamos.importacion.padron import DependenciasImportador

    cargar = DependenciasImportador.cargar

    def carga_y_muere(self, *args, **kwargs):
        cargar(self, *args, **kwargs)
        assert Dependencia.objects.count() == 2  # written inside the import's transaction...
        raise TrabajadorMuerto  # ...when the worker dies

    monkeypatch.setattr(DependenciasImportador, "cargar", carga_y_muere)
    with pytest.raises(TrabajadorMuerto):
        cargas.carga_ejecutar(carga.pk)
    monkeypatch.setattr(DependenciasImportador, "cargar", cargar)
    carga.refresh_from_db()
    return carga


@pytest.mark.django_db
def test_a_dead_worker_leaves_nothing_loaded_and_its_job_is_marked_failed_then_runs_again(staff, monkeypatch):
    carga = carga_que_muere(staff, monkeypatch)
    assert carga.estado == "PROCESANDO" and carga.latido is not None
    assert not Dependencia.objects.exists()  # its transaction died with it

    assert cargas.cargas_sin_latido_marcar() == 0  # within the timeout: still taken for alive
    despues = carga.latido + timedelta(minutes=6)
    assert cargas.cargas_sin_latido_marcar(ahora=despues) == 1
    carga.refresh_from_db()
    assert carga.estado == "FALLIDA" and "dejó de responder" in carga.errores and "No se cargó nada" in carga.errores
    assert not carga.en_curso

    assert cargas.carga_reintentar(carga_id=carga.pk)
    carga.refresh_from_db()
    assert carga.estado == "TERMINADA" and carga.intentos == 2 and not carga.errores
    assert Dependencia.objects.count() == 2


@pytest.mark.django_db
def test_a_job_with_a_recent_heartbeat_or_already_ended_is_left_alone(staff):
    ahora = timezone.now()
    viva = Carga.objects.create(archivo=SimpleUploadedFile("a.csv", b""), nombre="a.csv", creada_por=staff,
                                estado="PROCESANDO", latido=ahora - timedelta(seconds=30))
    terminada = Carga.objects.create(archivo=SimpleUploadedFile("b.csv", b""), nombre="b.csv", creada_por=staff,
                                     estado="TERMINADA", latido=ahora - timedelta(days=1))
    assert cargas.cargas_sin_latido_marcar(ahora=ahora) == 0
    assert not cargas.carga_reintentar(carga_id=terminada.pk) and not cargas.carga_reintentar(carga_id=viva.pk)


@pytest.mark.django_db
def test_the_progress_page_notices_the_dead_job_and_staff_run_it_again(cliente_staff, staff, monkeypatch):
    carga = carga_que_muere(staff, monkeypatch)
    Carga.objects.filter(pk=carga.pk).update(latido=timezone.now() - timedelta(minutes=10))
    cliente_staff.get(reverse("admin_carga", args=[carga.pk]))
    html = cliente_staff.get(reverse("admin_carga", args=[carga.pk])).content.decode()
    assert "Falló" in html and "dejó de responder" in html and 'http-equiv="refresh"' not in html

    respuesta = cliente_staff.post(reverse("admin_carga_reintentar", args=[carga.pk]))
    assert respuesta.status_code == 302
    assert Carga.objects.get(pk=carga.pk).estado == "TERMINADA" and Dependencia.objects.count() == 2


@pytest.mark.django_db
def test_the_heartbeat_is_written_while_the_job_runs(staff, settings, monkeypatch):
    import threading

    settings.CARGAS_LATIDO_SEGUNDOS = 0.05
    carga = Carga.objects.create(archivo=SimpleUploadedFile("d.csv", DEPENDENCIAS), nombre="d.csv", creada_por=staff)
    escrito = threading.Event()
    original = cargas._Latido.run

    def run(self):
        from django.db.models import QuerySet

        actualizar = QuerySet.update

        def update(qs, **campos):
            if "latido" in campos:
                escrito.set()
            return 1

        monkeypatch.setattr(QuerySet, "update", update)  # the test's transaction is not visible to the thread
        try:
            original(self)
        finally:
            monkeypatch.setattr(QuerySet, "update", actualizar)

    monkeypatch.setattr(cargas._Latido, "run", run)
    latido = cargas._Latido(carga.pk)
    latido.start()
    assert escrito.wait(2)
    latido.alto.set()
    latido.join(2)
    assert not latido.is_alive()
