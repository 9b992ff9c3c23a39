"""Mi cuenta (docs/reglas.md §14): the account's name, e-mail and password, its last sign-ins, and closing the
other sessions. Changing the e-mail or the password goes through allauth's own pages, which ask for the
password again and notify the old address (docs/reglas.md §3)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import sesiones


@never_cache
@login_required
def mi_cuenta(request):
    inicios = sesiones.recientes(request.user)
    for inicio in inicios:
        inicio.lugar = sesiones.lugar_aproximado(inicio.ip)
        inicio.es_esta = inicio.sesion == request.session.session_key
    return render(request, "account/mi_cuenta.html", {"inicios": inicios})


@require_POST
@login_required
def cerrar_las_demas(request):
    cerradas = sesiones.cerrar_las_demas(usuario=request.user, sesion_actual=request.session.session_key or "")
    if cerradas:
        messages.success(request, f"Cerramos {cerradas} sesión(es) en otros dispositivos. Si no reconoces alguna, "
                                  "cambia tu contraseña.")
    else:
        messages.info(request, "No había otras sesiones abiertas.")
    return redirect("mi_cuenta")
