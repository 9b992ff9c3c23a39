"""Helpers shared by the browser journeys (imported by the test modules; fixtures live in conftest.py)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fabricas import CONTRASENA

RAIZ = Path(__file__).resolve().parents[2]
AXE = str(RAIZ / "node_modules" / "axe-core" / "axe.min.js")
CAPTURAS = RAIZ / "tests" / "screenshots"


def iniciar_sesion(page, live_server, usuario: str, contrasena: str, *, secreto_totp: str | None = None) -> None:
    """Log in; staff with a second factor type the code their authenticator app would show."""
    page.goto(live_server.url + "/cuenta/login/")
    page.fill('input[name="login"]', usuario)
    page.fill('input[name="password"]', contrasena)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_load_state()
    if secreto_totp:
        from tests.accounts.datos import codigo_totp

        page.wait_for_url("**/2fa/authenticate/")
        esperar_periodo_totp_completo()
        page.fill('input[name="code"]', codigo_totp(secreto_totp))
        page.press('input[name="code"]', "Enter")
        page.wait_for_load_state()
    assert page.get_by_role("button", name="Cerrar sesión").is_visible(), f"no inició sesión: {page.url}"


def esperar_periodo_totp_completo(margen: float = 3.0) -> None:
    """A code typed in the last seconds of its 30-second period can reach the server in the next one, which
    allauth (no tolerance) refuses, as a person would see it refused: wait for a fresh period instead."""
    import time

    from allauth.mfa import app_settings

    restante = app_settings.TOTP_PERIOD - time.time() % app_settings.TOTP_PERIOD
    if restante < margen:
        time.sleep(restante + 0.05)


def cerrar_sesion(page) -> None:
    page.get_by_role("button", name="Cerrar sesión").click()
    page.wait_for_load_state()


def descargar(page, nombre_enlace: str) -> bytes:
    """Click the link with that exact text and return the downloaded file's bytes."""
    with page.expect_download() as espera:
        page.get_by_role("link", name=nombre_enlace, exact=True).click()
    descarga = espera.value
    assert descarga.failure() is None, descarga.failure()
    return Path(descarga.path()).read_bytes()


def primer_importe_despues(page, encabezado: str) -> str:
    texto = page.inner_text("main")
    resto = texto[texto.index(encabezado) :]
    return re.search(r"\$[\d,]+\.\d{2}", resto).group(0)


def captura(page, nombre: str, ancho: int) -> Path:
    CAPTURAS.mkdir(parents=True, exist_ok=True)
    ruta = CAPTURAS / f"{nombre}-{ancho}.png"
    page.screenshot(path=str(ruta), full_page=True)
    return ruta


@dataclass
class Pagina:
    nombre: str
    ruta: str
    sesion: bool = False  # needs Alice logged in
    preparar: Callable | None = None  # run after loading, e.g. submit a form to show its errors


def enviar_registro_con_error(page) -> None:
    page.fill('input[name="curp"]', "ABC")
    page.fill('input[name="captcha_1"]', "PASSED")
    page.get_by_role("button", name="Registrarme").click()
    page.locator(".campo--error").first.wait_for()


def recorrer(page, live_server, paginas, *, usuario="alice", contrasena=CONTRASENA):
    """Load each page in turn (logging in before the first page that needs a session) and yield it."""
    con_sesion = False
    for pagina in paginas:
        if pagina.sesion and not con_sesion:
            iniciar_sesion(page, live_server, usuario, contrasena)
            con_sesion = True
        respuesta = page.goto(live_server.url + pagina.ruta)
        assert respuesta is not None and respuesta.ok, f"{pagina.nombre}: {pagina.ruta} → {respuesta and respuesta.status}"
        if pagina.preparar:
            pagina.preparar(page)
        yield pagina


ELEMENTOS_INTERACTIVOS = """
() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  const visibles = [...document.querySelectorAll(selector)].filter((el) => {
    if (el.disabled) return false;
    // checkVisibility() is false inside a closed <details> (content-visibility) and for display/visibility hidden.
    return el.checkVisibility({visibilityProperty: true}) && el.getClientRects().length > 0;
  });
  return visibles.map((el, i) => {
    el.setAttribute('data-e2e-tab', String(i));
    const texto = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || el.id || '').trim();
    return {
      i,
      grupo: el.type === 'radio' ? 'radio:' + el.name : String(i),
      descripcion: `<${el.tagName.toLowerCase()}${el.type ? ' type=' + el.type : ''}${el.name ? ' name=' + el.name : ''}> ${texto.slice(0, 50)}`,
    };
  });
}
"""


def abrir_desplegables(page) -> int:
    """Open every <details> so that what a keyboard user would find inside them is checked too."""
    return page.evaluate("() => { const d = [...document.querySelectorAll('details:not([open])')]; d.forEach((e) => e.open = true); return d.length; }")


def no_alcanzables_con_tab(page) -> list[str]:
    """Press Tab repeatedly (bounded) and return the visible interactive elements focus never reached.

    A radio group counts as reached when any of its radios is (Tab enters a group once; arrows move inside).
    """
    elementos = page.evaluate(ELEMENTOS_INTERACTIVOS)
    pendientes = {e["grupo"] for e in elementos}
    grupo_de = {str(e["i"]): e["grupo"] for e in elementos}
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for _ in range(2 * len(elementos) + 10):
        if not pendientes:
            break
        page.keyboard.press("Tab")
        indice = page.evaluate("() => document.activeElement && document.activeElement.getAttribute('data-e2e-tab')")
        pendientes.discard(grupo_de.get(indice))
    return [e["descripcion"] for e in elementos if e["grupo"] in pendientes]


DESBORDE = """
(ancho) => {
  const fuera = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > ancho + 0.5) {
      const clase = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
      fuera.push(`${el.tagName.toLowerCase()}${clase} right=${Math.round(r.right)}`);
    }
  }
  return {ancho_documento: document.documentElement.scrollWidth, elementos: fuera.slice(0, 8)};
}
"""


def desborde_horizontal(page, ancho: int) -> dict | None:
    """None when the page fits `ancho`; otherwise the document width and the first elements that stick out."""
    resultado = page.evaluate(DESBORDE, ancho)
    return None if resultado["ancho_documento"] <= ancho else resultado


def violaciones_axe(page, impactos=("serious", "critical")) -> list[dict]:
    page.add_script_tag(path=AXE)
    resultado = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in resultado["violations"] if v["impact"] in impactos]


def describir_violaciones(nombre: str, ancho: int, violaciones: list[dict]) -> str:
    lineas = []
    for v in violaciones:
        objetivos = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:6])
        lineas.append(f"{nombre} @{ancho}px [{v['impact']}] {v['id']}: {v['help']} — {objetivos} ({v['helpUrl']})")
    return "\n".join(lineas)
