from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from prestamos.cargas import COLA, cargas_sin_latido_marcar


class Command(BaseCommand):
    help = "Procesa en segundo plano los archivos cargados en el admin (cola RQ en Redis, REDIS_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="termina cuando la cola queda vacía")

    def handle(self, *args, burst=False, **options):
        if not settings.REDIS_URL:
            raise CommandError("Define REDIS_URL: sin Redis las cargas se procesan dentro del servidor web.")
        # A worker starting is often one restarted after a crash: mark the jobs its predecessor left behind.
        marcadas = cargas_sin_latido_marcar()
        if marcadas:
            self.stdout.write(f"Cargas sin señal de su proceso marcadas como fallidas: {marcadas}")
        from redis import Redis
        from rq import Queue, Worker

        conexion = Redis.from_url(settings.REDIS_URL)
        Worker([Queue(COLA, connection=conexion)], connection=conexion).work(burst=burst)
