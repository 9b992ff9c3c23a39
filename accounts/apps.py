from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_migrate


def _entrada_fallida(sender, credentials=None, request=None, **kwargs):
    import structlog

    from oficina import metricas

    metricas.ENTRADAS_FALLIDAS.inc()
    structlog.get_logger("accounts").info("entrada_fallida")


def _roles_al_migrar(sender, app_config=None, using="default", apps=None, **kwargs):
    # After every migrate: a model added later gets its listed permissions into the roles (accounts.roles).
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import roles_asignar

    for config in global_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    roles_asignar(Group, Permission, solo_agregar=True)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Cuentas"

    def ready(self):
        from allauth.account.signals import email_added
        from django.contrib.auth.signals import user_logged_in

        from accounts import sesiones
        from accounts.avisos import correo_agregado_avisar

        post_migrate.connect(_roles_al_migrar, sender=self, dispatch_uid="accounts.roles")
        user_logged_in.connect(sesiones.registrar, dispatch_uid="accounts.inicio_sesion")
        # A wrong password through allauth's login (it authenticates with django.contrib.auth, which sends the
        # signal; allauth has none of its own for a failure): a metric, and a log line without what was typed.
        user_login_failed.connect(_entrada_fallida, dispatch_uid="accounts.entrada_fallida")
        email_added.connect(correo_agregado_avisar, dispatch_uid="accounts.correo_agregado")
