"""Sign-ins of an account and closing the other sessions ("Mi cuenta", docs/reglas.md §14).

Each sign-in is recorded with its session key (allauth's `user_logged_in` signal); "Cerrar las demás sesiones"
deletes those sessions from the session store, which every web node shares (the database, or Redis in front of
it), so a stolen session stops working at once on every node.
"""

from __future__ import annotations

import re
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from accounts.models import InicioSesion
from oficina.cliente import ip_del_cliente

GUARDADOS = 20  # the page shows 10; a few more are kept so closing sessions finds the recent ones

_NAVEGADORES = (("Edg", "Edge"), ("OPR", "Opera"), ("SamsungBrowser", "Samsung Internet"), ("Firefox", "Firefox"),
                ("Chrome", "Chrome"), ("Safari", "Safari"))
_SISTEMAS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
             ("Mac OS X", "Mac"), ("CrOS", "Chromebook"), ("Linux", "Linux"))


def describir_dispositivo(agente: str) -> str:
    """"Chrome en Android" from a User-Agent, in words a person recognises; "Dispositivo desconocido" otherwise."""
    navegador = next((nombre for clave, nombre in _NAVEGADORES if clave in agente), "")
    sistema = next((nombre for clave, nombre in _SISTEMAS if clave in agente), "")
    if navegador and sistema:
        return f"{navegador} en {sistema}"
    return navegador or sistema or "Dispositivo desconocido"


def lugar_aproximado(ip: str | None) -> str:
    """Where an address is, when known. No geolocation database ships with the portal: private and local
    addresses are named as such, others are shown partly (the first two blocks), never in full."""
    if not ip:
        return "Ubicación no disponible"
    if re.match(r"^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|127\.|::1$|fc|fd)", ip):
        return "Red local"
    partes = ip.split(".")
    if len(partes) == 4:
        return f"Dirección {partes[0]}.{partes[1]}.x.x"
    return "Dirección IPv6"


def registrar(sender, request, user, **kwargs) -> None:
    """Django's user_logged_in: record this sign-in and keep only the last GUARDADOS."""
    if request is None or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    InicioSesion.objects.create(
        usuario=user, ip=ip_del_cliente(request) or None,
        dispositivo=describir_dispositivo(request.META.get("HTTP_USER_AGENT", ""))[:120],
        sesion=request.session.session_key or "",
    )
    viejos = InicioSesion.objects.filter(usuario=user).order_by("-cuando").values_list("pk", flat=True)[GUARDADOS:]
    InicioSesion.objects.filter(pk__in=list(viejos)).delete()


def recientes(usuario, n: int = 10) -> list[InicioSesion]:
    return list(InicioSesion.objects.filter(usuario=usuario).order_by("-cuando")[:n])


def cerrar_las_demas(*, usuario, sesion_actual: str) -> int:
    """Delete every other session this account opened; how many were closed."""
    almacen = import_module(settings.SESSION_ENGINE).SessionStore
    otras = InicioSesion.objects.filter(usuario=usuario, cerrada__isnull=True).exclude(sesion=sesion_actual).exclude(sesion="")
    cerradas = 0
    for inicio in otras:
        almacen(session_key=inicio.sesion).delete()
        cerradas += 1
    otras.update(cerrada=timezone.now())
    return cerradas
