from django.conf import settings


def portal(request):
    """Names and contact data shown on every page (header and footer)."""
    return {
        "PORTAL_NOMBRE": settings.PORTAL_NOMBRE,
        "CAPP_TELEFONO": settings.CAPP_TELEFONO,
        "CAPP_TELEFONO_MARCAR": settings.CAPP_TELEFONO_MARCAR,
        "CAPP_CORREO": settings.CAPP_CORREO,
    }
