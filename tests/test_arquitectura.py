"""The layers stay as docs/reglas.md and the README describe them: the core app (`prestamos`) and the
shared base (`oficina/` less its URL and admin composition) never import a feature app, so a feature
can be read, tested and changed without the rest; nothing registers code by a string path."""

import ast
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent
FUNCIONES = ("recuperacion", "fopi")
# The project's composition modules sit above every app by design (URLconf, admin views, settings, demo).
COMPOSICION = {
    "oficina/urls.py", "oficina/admin_views.py", "oficina/settings.py",
    "prestamos/management/commands/cargar_demo.py",  # the demo data spans every app
}


def _importados(ruta: Path) -> set[str]:
    arbol = ast.parse(ruta.read_text(encoding="utf-8"))
    nombres = set()
    for nodo in ast.walk(arbol):
        if isinstance(nodo, ast.Import):
            nombres |= {a.name for a in nodo.names}
        elif isinstance(nodo, ast.ImportFrom) and nodo.module:
            nombres.add(nodo.module)
    return nombres


def _modulos(paquete: str):
    for ruta in sorted((RAIZ / paquete).rglob("*.py")):
        relativa = ruta.relative_to(RAIZ).as_posix()
        if "/migrations/" not in relativa and relativa not in COMPOSICION:
            yield relativa, ruta


@pytest.mark.parametrize("paquete", ["prestamos", "oficina"])
def test_the_core_and_the_shared_base_never_import_a_feature_app(paquete):
    arriba = [
        f"{relativa} importa {nombre}"
        for relativa, ruta in _modulos(paquete)
        for nombre in _importados(ruta)
        if nombre.split(".")[0] in FUNCIONES
    ]
    assert arriba == []


def test_nothing_is_loaded_by_a_string_path():
    for paquete in ("prestamos", "recuperacion", "fopi", "oficina"):
        for relativa, ruta in _modulos(paquete):
            assert "import_string" not in ruta.read_text(encoding="utf-8"), relativa
