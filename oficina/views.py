from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def inicio(request):
    return render(request, "portal/inicio.html")


@login_required
def prestaciones(request):
    return render(request, "portal/prestaciones.html")
