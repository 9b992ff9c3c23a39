from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def recuperacion(request):
    return render(request, "recuperacion/inicio.html")
