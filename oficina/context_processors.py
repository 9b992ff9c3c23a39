from django.conf import settings


def portal(request):
    """Names and contact data shown on every page (header and footer)."""
    return {
        "PORTAL_NOMBRE": settings.PORTAL_NOMBRE,
        "CAPP_TELEFONO": settings.CAPP_TELEFONO,
        "CAPP_TELEFONO_MARCAR": settings.CAPP_TELEFONO_MARCAR,
        "CAPP_CORREO": settings.CAPP_CORREO,
    }


def palabras(request):
    """The words for the borrower's kind of period (docs/reglas.md §14: "quincena"/"tu dependencia" for a worker,
    "mes"/"tu nómina de pensiones" for a pensioner), once a borrower view has identified them; nothing else."""
    derechohabiente = getattr(request, "derechohabiente", None)
    return {"palabras": derechohabiente.palabras} if derechohabiente is not None else {}
