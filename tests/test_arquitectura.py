"""The layers stay as the README describes them (import-linter's contracts in pyproject.toml): the core app
(`prestamos`) and the shared base (`oficina/` less its composition) never import a feature app, so a feature
can be read, tested and changed without the rest; nothing registers code by a string path."""

import ast
from pathlib import Path

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


def test_the_layers_hold_as_the_import_linter_contract_states():
    """The layers are import-linter's contracts in pyproject.toml (`lint-imports`, also run by CI): the pure
    core imports no Django, the ledger no feature, the shared base nothing above it."""
    import shutil
    import subprocess
    import sys

    programa = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    salida = subprocess.run([programa, "--no-cache"], cwd=RAIZ, capture_output=True, text=True)
    assert salida.returncode == 0, salida.stdout[-3000:]


def test_nothing_is_loaded_by_a_string_path():
    for paquete in ("prestamos", "recuperacion", "fopi", "oficina"):
        for relativa, ruta in _modulos(paquete):
            assert "import_string" not in ruta.read_text(encoding="utf-8"), relativa
