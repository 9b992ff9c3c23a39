"""Admin uploads run as background jobs: RQ on Redis, a thread without a broker, with a progress page."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prestamos import cargas
from prestamos.models import Carga, Dependencia

DEPENDENCIAS = b"clave,nombre\nSEP,Secretaria de Educacion Publica\nSSA,Secretaria de Salud\n"


def subir(cliente, contenido: bytes, nombre="dependencias.csv"):
    return cliente.post(reverse("admin_cargar_archivo"), {"archivo": SimpleUploadedFile(nombre, contenido)})


@pytest.mark.django_db
def test_it_redirects_to_a_progress_page_that_shows_the_summary(cliente_staff):
    respuesta = subir(cliente_staff, DEPENDENCIAS)
    carga = Carga.objects.get()
    assert respuesta.status_code == 302 and respuesta.url == reverse("admin_carga", args=[carga.pk])
    html = cliente_staff.get(respuesta.url).content.decode()
    assert "Terminada" in html and "2 fila(s) leída(s)" in html
    assert Dependencia.objects.count() == 2
    assert carga.estado == "TERMINADA" and carga.creada_por.username == "capp"


@pytest.mark.django_db
def test_it_records_a_rejected_file_and_loads_nothing(cliente_staff):
    subir(cliente_staff, b"clave,nombre\nSEP,\n")
    carga = Carga.objects.get()
    assert carga.estado == "RECHAZADA" and "línea 2" in carga.errores
    html = cliente_staff.get(reverse("admin_carga", args=[carga.pk])).content.decode()
    assert "«nombre» está vacío" in html
    assert not Dependencia.objects.exists()


@pytest.mark.django_db
def test_it_is_for_staff_only(client, cliente_staff, alice):
    subir(cliente_staff, DEPENDENCIAS)
    carga = Carga.objects.get()
    client.force_login(alice.usuario)
    assert client.get(reverse("admin_carga", args=[carga.pk])).status_code in (302, 403)
    assert client.post(reverse("admin_cargar_archivo")).status_code in (302, 403)


@pytest.mark.django_db
def test_it_refreshes_itself_while_the_job_runs(cliente_staff, staff):
    carga = Carga.objects.create(archivo=SimpleUploadedFile("x.csv", DEPENDENCIAS), nombre="x.csv", creada_por=staff)
    from django.core.cache import cache

    cache.set(f"carga-progreso:{carga.pk}", (500, 1000))
    html = cliente_staff.get(reverse("admin_carga", args=[carga.pk])).content.decode()
    assert 'http-equiv="refresh"' in html and "500 de 1000" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_runs_in_a_thread_without_a_broker(settings, staff):
    settings.CARGAS_MODO = "hilo"
    from django.db import transaction

    with transaction.atomic():
        carga = cargas.carga_crear(archivo=SimpleUploadedFile("d.csv", DEPENDENCIAS), usuario=staff)
    for _ in range(400):  # up to 20 s: the thread shares two cores with the rest of the suite
        carga.refresh_from_db()
        if not carga.en_curso:
            break
        time.sleep(0.05)
    assert carga.estado == "TERMINADA"
    assert Dependencia.objects.count() == 2


@pytest.mark.django_db
def test_it_goes_through_an_rq_queue_on_redis(settings, staff):
    import redis
    from rq import Queue, SimpleWorker

    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    settings.CARGAS_MODO = "rq"
    conexion = redis.Redis.from_url(settings.REDIS_URL)
    conexion.ping()  # Redis runs on every machine of this project (and .ci/run starts it)
    cola = Queue(cargas.COLA, connection=conexion)
    cola.empty()
    carga = Carga.objects.create(archivo=SimpleUploadedFile("d.csv", DEPENDENCIAS), nombre="d.csv", creada_por=staff)
    cargas.despachar(carga.pk)
    assert cola.count == 1
    # The worker runs the job in this process: it sees the test's transaction.
    assert cola.jobs[0].func_name == "prestamos.cargas.carga_en_trabajador"
    from unittest import mock

    with mock.patch("prestamos.cargas.connection.close"), mock.patch("prestamos.cargas.close_old_connections"):
        SimpleWorker([cola], connection=conexion).work(burst=True)
    carga.refresh_from_db()
    assert carga.estado == "TERMINADA" and Dependencia.objects.count() == 2
