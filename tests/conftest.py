"""Shared fixtures: the padrón and named people, so tests read like the product.

- ana: in the padrón, no account yet (registers in the tests).
- alice: in the padrón with a verified account.
- bob: another borrower with a verified account (ownership tests: he must never see alice's data).
"""

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache

from prestamos.models import Dependencia, Derechohabiente
from tests.accounts.datos import RFC_ALICE, RFC_ANA, RFC_BOB, con_segundo_factor
from tests.fabricas import (
    CONTRASENA,
    CURP_ALICE,
    CURP_ANA,
    CURP_BOB,
    FOLIO_ALICE,
    FOLIO_BOB,
    cargar_prestamos,
)


def pytest_configure(config):
    # Argon2 (production's hasher) costs ~50 ms per password on purpose; tests create hundreds of users.
    import os
    import tempfile

    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Without Redis the cache is a directory every process shares (oficina/settings.py): a test run gets its
    # own, so two runs at once (PostgreSQL and SQLite) never clear each other's counters. Subprocesses that
    # tests start inherit it through the environment.
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        os.environ["DJANGO_CACHE_DIR"] = settings.CACHES["default"]["LOCATION"] = tempfile.mkdtemp(prefix="oficina-cache-")


def pytest_collection_modifyitems(config, items):
    """`@pytest.mark.postgres`: row locks, concurrency and plans; skipped on the embedded SQLite.

    A transactional test must restore the migrated data (`serialized_rollback=True`): its flush re-runs
    post_migrate, which would recreate the staff groups under other ids and break the next test that restores
    them. Refused here, so a new one cannot slip in.
    """
    from django.db import connection

    for item in items:
        marca = item.get_closest_marker("django_db")
        if marca and marca.kwargs.get("transaction") and not marca.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(f"{item.nodeid}: django_db(transaction=True) necesita serialized_rollback=True")

    if connection.vendor == "postgresql":
        return
    saltar = pytest.mark.skip(reason="necesita PostgreSQL (DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(saltar)


@pytest.fixture(scope="session", autouse=True)
def _pooler_suelta_la_base_de_pruebas(request):
    """Through PgBouncer, server connections to the test database outlive Django's: end them before
    pytest-django creates or drops it ("database … is being accessed by other users")."""
    from django.conf import settings
    from django.db import connections

    if settings.DATABASE_POOLER != "pgbouncer":
        yield
        return

    def soltar(nombre):
        connections.close_all()
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [nombre],
            )

    bloqueo = request.getfixturevalue("django_db_blocker")
    nombre = connections["default"].creation._get_test_db_name()
    with bloqueo.unblock():
        soltar(nombre)
    request.getfixturevalue("django_db_setup")
    yield
    with bloqueo.unblock():
        soltar(nombre)


@pytest.fixture(autouse=True)
def _la_replica_solo_donde_se_pide(request, monkeypatch):
    """With DATABASE_REPLICA_URL set (CI runs the suite so), a test reads the primary unless it asks for the
    replica (`django_db(databases=[..., "replica"])` or "__all__", as tests/test_replica.py does).

    The test database reaches the replica by streaming (TEST MIRROR), but what a test writes in its
    transaction never does, and what a transactional or browser test commits arrives a moment later: a page
    that read the replica right after a fixture wrote would see the world of a moment before — production's
    accepted lag, not what those tests are about. pytest-django also forbids a connection to an alias the
    test did not ask for (the router's health look would fail on it instead of falling back)."""
    from oficina import replica

    if replica.configurada():
        marca = request.node.get_closest_marker("django_db")
        bases = (marca.kwargs.get("databases") if marca else None) or ()
        if bases != "__all__" and replica.REPLICA not in bases:
            monkeypatch.setattr(replica, "disponible", lambda: False)


@pytest.fixture(autouse=True)
def _captcha_en_modo_prueba(monkeypatch):
    # django-simple-captcha reads its settings at import time; override_settings does not reach it.
    from captcha.conf import settings as captcha_settings

    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", True)


@pytest.fixture(autouse=True)
def _cache_limpio():
    # allauth's rate limits live in the cache; tests must not inherit each other's counters.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def sep(db):
    return Dependencia.objects.create(clave="SEP", nombre="Secretaría de Educación Pública")


@pytest.fixture
def ssa(db):
    return Dependencia.objects.create(clave="SSA", nombre="Secretaría de Salud")


@pytest.fixture
def ana(sep):
    return Derechohabiente.objects.create(
        curp=CURP_ANA, nombre="Ana", primer_apellido="López", segundo_apellido="Sánchez", rfc=RFC_ANA,
        dependencia=sep,
    )


def _borrower(django_user_model, *, username, curp, nombre, apellido, dependencia, rfc=""):
    usuario = django_user_model.objects.create_user(username=username, email=f"{username}@ejemplo.mx", password=CONTRASENA)
    EmailAddress.objects.create(user=usuario, email=usuario.email, verified=True, primary=True)
    return Derechohabiente.objects.create(
        curp=curp, nombre=nombre, primer_apellido=apellido, dependencia=dependencia, usuario=usuario, rfc=rfc
    )


@pytest.fixture
def alice(django_user_model, sep):
    return _borrower(django_user_model, username="alice", curp=CURP_ALICE, nombre="Alicia", apellido="García", dependencia=sep, rfc=RFC_ALICE)


@pytest.fixture
def bob(django_user_model, ssa):
    return _borrower(django_user_model, username="bob", curp=CURP_BOB, nombre="Roberto", apellido="Hernández", dependencia=ssa, rfc=RFC_BOB)


@pytest.fixture
def staff(django_user_model):
    usuario = django_user_model.objects.create_user(
        username="capp", email="capp@ejemplo.mx", password=CONTRASENA, is_staff=True, is_superuser=True
    )
    EmailAddress.objects.create(user=usuario, email=usuario.email, verified=True, primary=True)
    return usuario


@pytest.fixture
def cliente_alice(client, alice):
    client.force_login(alice.usuario)
    return client


@pytest.fixture
def cliente_staff(client, staff):
    # The admin asks staff for a second factor (TOTP): the session carries it as allauth.mfa records it.
    return con_segundo_factor(client, staff)


@pytest.fixture
def prestamo_alice(alice):
    """SPEC's worked example: 30,000.00 at 11.50 % in 48 quincenas from 2026-Q01, 10 already paid."""
    from prestamos.models import Prestamo

    cargar_prestamos(f"{FOLIO_ALICE},{CURP_ALICE},ORDINARIO,30000.00,11.50,48,2025-12-20,2026-Q01,VIGENTE,10,")
    return Prestamo.objects.get(folio=FOLIO_ALICE)


@pytest.fixture
def prestamo_bob(bob):
    from prestamos.models import Prestamo

    cargar_prestamos(f"{FOLIO_BOB},{CURP_BOB},ESPECIAL,20000.00,12.00,24,2025-12-20,2026-Q01,VIGENTE,8,")
    return Prestamo.objects.get(folio=FOLIO_BOB)


@pytest.fixture
def hoy(monkeypatch):
    """Fix the portal's 'today' (timezone.localdate) for page tests: hoy(date(2026, 6, 1))."""
    from django.utils import timezone

    def fijar(fecha):
        monkeypatch.setattr(timezone, "localdate", lambda *a, **k: fecha)
        return fecha

    return fijar


@pytest.fixture(autouse=True)
def _cargas_sincronas(settings, tmp_path):
    # Admin uploads run in the request in tests; the thread and RQ paths have their own tests.
    settings.CARGAS_MODO = "sincrono"
    settings.MEDIA_ROOT = tmp_path / "media"
