from dataclasses import dataclass

from django.core.exceptions import ValidationError

from oficina.identidad import validar_curp
from oficina.importacion.base import ErrorCampo, ErrorFila, Importador, Resumen, duplicados, registrar
from prestamos.models import Dependencia, Derechohabiente
from prestamos.validadores import NOMBRE_PROPIO, RFC_EMISOR, RFC_PERSONA

LOTE = 2000


@registrar
class DependenciasImportador(Importador):
    tipo = "dependencias"
    columnas = ("clave", "nombre")
    opcionales = ("rfc",)  # the RFC that issues its payslips' CFDI (docs/reglas.md §18)

    def _rfc(self, valor: str) -> str:
        valor = valor.strip().upper()
        if valor and not RFC_EMISOR.fullmatch(valor):
            raise ErrorCampo("«rfc» no tiene la estructura de un RFC (3 letras, 6 dígitos y la homoclave)")
        return valor

    def validar(self, filas):
        registros, errores = [], []
        for linea, (clave, nombre, rfc) in filas:
            try:
                registros.append(
                    (linea, self.clave(clave, "clave"), self.texto(nombre, "nombre", max_len=200), self._rfc(rfc))
                )
            except ErrorCampo as exc:
                errores.append(ErrorFila(linea, str(exc)))
        errores += duplicados(((linea, clave) for linea, clave, _, _ in registros), "clave")
        return registros, errores

    def cargar(self, registros, resumen: Resumen, progreso=None):
        existentes = {d.clave: d for d in Dependencia.objects.filter(clave__in=[r[1] for r in registros])}
        nuevas, cambiadas = [], []
        for _, clave, nombre, rfc in registros:
            actual = existentes.get(clave)
            if actual is None:
                nuevas.append(Dependencia(clave=clave, nombre=nombre, rfc=rfc))
            elif actual.nombre != nombre or (rfc and actual.rfc != rfc):
                # An empty or missing `rfc` keeps the one on record.
                actual.nombre, actual.rfc = nombre, rfc or actual.rfc
                cambiadas.append(actual)
        Dependencia.objects.bulk_create(nuevas, batch_size=LOTE)
        Dependencia.objects.bulk_update(cambiadas, ["nombre", "rfc"], batch_size=LOTE)
        resumen.creadas, resumen.actualizadas = len(nuevas), len(cambiadas)
        resumen.omitidas = len(registros) - len(nuevas) - len(cambiadas)


@dataclass(slots=True)
class FilaDerechohabiente:
    linea: int
    curp: str
    nombre: str
    primer_apellido: str
    segundo_apellido: str
    rfc: str
    clave_dependencia: str
    tipo: str


CAMPOS_DERECHOHABIENTE = ("nombre", "primer_apellido", "segundo_apellido", "rfc", "tipo")


@registrar
class DerechohabientesImportador(Importador):
    tipo = "derechohabientes"
    columnas = ("curp", "nombre", "primer_apellido", "segundo_apellido", "rfc", "clave_dependencia")
    opcionales = ("tipo",)  # TRABAJADOR (the default) or PENSIONADO, docs/reglas.md §12

    def _nombre(self, valor: str, campo: str, requerido: bool = True) -> str:
        valor = self.texto(valor, campo, max_len=120, requerido=requerido)
        if valor and not NOMBRE_PROPIO.fullmatch(valor):
            raise ErrorCampo(f"«{campo}» contiene caracteres no válidos para un nombre")
        return valor

    def _rfc(self, valor: str) -> str:
        valor = valor.strip().upper()
        if valor and not RFC_PERSONA.fullmatch(valor):
            raise ErrorCampo("«rfc» no tiene la estructura de un RFC de persona física")
        return valor

    @staticmethod
    def _tipo(valor: str) -> str:
        valor = valor.strip().upper() or Derechohabiente.Tipo.TRABAJADOR
        if valor not in Derechohabiente.Tipo.values:
            raise ErrorCampo("«tipo» debe ser TRABAJADOR o PENSIONADO")
        return valor

    def validar(self, filas):
        registros, errores = [], []
        for linea, (curp, nombre, primer, segundo, rfc, clave_dep, tipo) in filas:
            try:
                try:
                    curp = validar_curp(curp)
                except ValidationError as exc:
                    raise ErrorCampo(f"«curp» {curp.strip()[:18]!r}: {exc.messages[0]}")
                registros.append(
                    FilaDerechohabiente(
                        linea=linea,
                        curp=curp,
                        nombre=self._nombre(nombre, "nombre"),
                        primer_apellido=self._nombre(primer, "primer_apellido"),
                        segundo_apellido=self._nombre(segundo, "segundo_apellido", requerido=False),
                        rfc=self._rfc(rfc),
                        clave_dependencia=self.clave(clave_dep, "clave_dependencia"),
                        tipo=self._tipo(tipo),
                    )
                )
            except ErrorCampo as exc:
                errores.append(ErrorFila(linea, str(exc)))
        errores += duplicados(((r.linea, r.curp) for r in registros), "curp")
        claves = {r.clave_dependencia for r in registros}
        self.dependencias = dict(Dependencia.objects.filter(clave__in=claves).values_list("clave", "id"))
        errores += [
            ErrorFila(r.linea, f"la dependencia «{r.clave_dependencia}» no existe; cárgala antes en dependencias.csv")
            for r in registros
            if r.clave_dependencia not in self.dependencias
        ]
        return registros, errores

    def cargar(self, registros, resumen: Resumen, progreso=None):
        nuevas, cambiadas = [], []
        for inicio in range(0, len(registros), LOTE):
            lote = registros[inicio : inicio + LOTE]
            existentes = {d.curp: d for d in Derechohabiente.objects.filter(curp__in=[r.curp for r in lote])}
            for r in lote:
                dependencia_id = self.dependencias[r.clave_dependencia]
                actual = existentes.get(r.curp)
                if actual is None:
                    nuevas.append(
                        Derechohabiente(
                            curp=r.curp,
                            dependencia_id=dependencia_id,
                            **{campo: getattr(r, campo) for campo in CAMPOS_DERECHOHABIENTE},
                        )
                    )
                    continue
                cambio = actual.dependencia_id != dependencia_id
                actual.dependencia_id = dependencia_id
                for campo in CAMPOS_DERECHOHABIENTE:
                    if getattr(actual, campo) != getattr(r, campo):
                        setattr(actual, campo, getattr(r, campo))
                        cambio = True
                if cambio:
                    cambiadas.append(actual)
            if progreso:
                progreso(min(inicio + LOTE, len(registros)), len(registros))
        Derechohabiente.objects.bulk_create(nuevas, batch_size=LOTE)
        Derechohabiente.objects.bulk_update(cambiadas, [*CAMPOS_DERECHOHABIENTE, "dependencia_id"], batch_size=LOTE)
        resumen.creadas, resumen.actualizadas = len(nuevas), len(cambiadas)
        resumen.omitidas = len(registros) - len(nuevas) - len(cambiadas)
