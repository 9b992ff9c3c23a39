"""descuentos.csv: one dependencia's payroll deductions for one quincena (a remesa, docs/reglas.md §6 and §8)."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from oficina.importacion.base import ArchivoRechazado, ErrorCampo, ErrorFila, Importador, Resumen, duplicados, registrar
from prestamos.calculo import Periodo, formato_moneda
from prestamos.models import Dependencia, Prestamo
from recuperacion import remesas
from recuperacion.models import Descuento

# Folios looked up per query while validating (one query per lote, never one per row).
LOTE_CONSULTA = 5000
FOLIO = re.compile(r"[0-9]{11}")  # compiled once: checked on every row of a million-row remesa
IMPORTE_MAXIMO_EN_CUOTAS = 10  # a deduction above 10 cuotas is a typo, not a payroll deduction


@dataclass(slots=True)
class FilaDescuento:
    linea: int
    clave_dependencia: str
    quincena: str
    folio: str
    curp: str
    importe: Decimal


@registrar
class DescuentosImportador(Importador):
    tipo = "descuentos"
    columnas = ("clave_dependencia", "quincena", "folio", "curp", "importe")

    def fila(self, linea: int, celdas: list[str]) -> FilaDescuento:
        clave, quincena, folio, curp, importe = celdas
        try:
            quincena = str(Periodo.parse(quincena))
        except ValueError as exc:
            raise ErrorCampo(f"«quincena»: {exc}")
        folio = folio.strip()
        if not FOLIO.fullmatch(folio):
            raise ErrorCampo("«folio» debe tener 11 dígitos")
        return FilaDescuento(
            linea=linea,
            clave_dependencia=self.clave(clave, "clave_dependencia"),
            quincena=quincena,
            folio=folio,
            curp=curp.strip().upper(),
            importe=self.importe(importe),
        )

    def validar(self, filas):
        registros, errores = self.parsear(filas)
        if not registros:
            return registros, errores
        errores += self._una_remesa(registros)
        errores += duplicados(((r.linea, r.folio) for r in registros), "folio")
        errores += self._prestamos(registros)
        return registros, errores

    def _una_remesa(self, registros: list[FilaDescuento]) -> list[ErrorFila]:
        """One file is one dependencia and one quincena: those of its first row."""
        primera = registros[0]
        self.quincena = Periodo.parse(primera.quincena)
        self.dependencia = Dependencia.objects.filter(clave=primera.clave_dependencia).first()
        errores = [
            ErrorFila(r.linea, f"la remesa es de {primera.clave_dependencia} {primera.quincena}; "
                               f"esta fila es de {r.clave_dependencia} {r.quincena} (un archivo por dependencia y quincena)")
            for r in registros
            if (r.clave_dependencia, r.quincena) != (primera.clave_dependencia, primera.quincena)
        ]
        if self.dependencia is None:
            errores.insert(0, ErrorFila(primera.linea, f"la dependencia «{primera.clave_dependencia}» no existe"))
        return errores

    def _prestamos(self, registros: list[FilaDescuento]) -> list[ErrorFila]:
        """Each folio must be a loan of that CURP, deducted by this dependencia, in its life, for a sane
        amount; a row already loaded must be the same row (docs/reglas.md §9)."""
        self.prestamo_ids: dict[str, int] = {}
        errores = []
        periodo = self.quincena  # a quincena, or a month for the pension payroll (docs/reglas.md §12)
        actual = type(periodo).de_fecha(timezone.localdate())
        for inicio in range(0, len(registros), LOTE_CONSULTA):
            lote = registros[inicio : inicio + LOTE_CONSULTA]
            encontrados = {
                fila[0]: fila[1:]
                for fila in Prestamo.objects.filter(folio__in=[r.folio for r in lote]).values_list(
                    "folio", "id", "derechohabiente__curp", "dependencia_id", "primera_quincena", "cuota"
                )
            }
            cargados = dict(
                Descuento.objects.filter(
                    prestamo_id__in=[v[0] for v in encontrados.values()], quincena=self.quincena, revertido=False
                ).values_list("prestamo_id", "importe")
            )
            for r in lote:
                if r.folio not in encontrados:
                    errores.append(ErrorFila(r.linea, f"el préstamo {r.folio} no existe"))
                    continue
                pk, curp, dependencia_id, primera, cuota = encontrados[r.folio]
                self.prestamo_ids[r.folio] = pk
                if curp != r.curp:
                    errores.append(ErrorFila(r.linea, f"el préstamo {r.folio} no es de la CURP {r.curp[:18]}"))
                elif self.dependencia and dependencia_id != self.dependencia.pk:
                    errores.append(
                        ErrorFila(r.linea, f"el préstamo {r.folio} no se descuenta por {self.dependencia.clave}")
                    )
                elif type(primera) is not type(periodo):
                    errores.append(ErrorFila(r.linea, f"el préstamo {r.folio} se descuenta por {primera.NOMBRE} "
                                                      f"({primera.ADJETIVO}); esta remesa es de {periodo.NOMBRE} ({periodo})"))
                elif periodo < primera:
                    errores.append(ErrorFila(r.linea, f"{periodo.ARTICULO} {periodo.NOMBRE} {periodo} es anterior al "
                                                      f"inicio del préstamo {r.folio} ({primera})"))
                elif periodo > actual:
                    errores.append(ErrorFila(r.linea, f"{periodo.ARTICULO} {periodo.NOMBRE} {periodo} todavía no "
                                                      f"transcurre ({periodo.ARTICULO} {periodo.NOMBRE} actual es {actual})"))
                elif pk in cargados and cargados[pk] != r.importe:
                    errores.append(ErrorFila(r.linea, f"el préstamo {r.folio} ya cargado con otro importe: "
                                                      f"{cargados[pk]} (este archivo dice {r.importe})"))
                elif r.importe > IMPORTE_MAXIMO_EN_CUOTAS * cuota:
                    errores.append(ErrorFila(r.linea, f"el importe {r.importe} excede {IMPORTE_MAXIMO_EN_CUOTAS} veces "
                                                      f"el descuento del préstamo {r.folio} ({cuota})"))
        return errores

    def cargar(self, registros, resumen: Resumen, progreso=None):
        descuentos = [(self.prestamo_ids[r.folio], r.importe) for r in registros]
        resultado = remesas.remesa_cargar(
            dependencia=self.dependencia,
            quincena=self.quincena,
            descuentos=descuentos,
            archivo=self.nombre_archivo,
            sha256=self.sha256,
            usuario=self.usuario,
            progreso=progreso,
        )
        resumen.creadas = resultado.aplicados
        resumen.omitidas = resultado.ya_cargados
        resumen.detalle["ya cargado"] = resultado.ya_cargados
        resumen.detalle["omisiones detectadas"] = resultado.omisiones

    def revertir(self, resumen: Resumen, motivo: str) -> None:
        resultado = remesas.remesa_revertir(sha256=self.sha256, motivo=motivo, usuario=self.usuario)
        if resultado is None:
            raise ArchivoRechazado(
                [ErrorFila(0, "Este archivo no está cargado (nunca se cargó o ya se revirtió); no hay nada que revertir.")],
                tipo=self.tipo,
            )
        resumen.detalle.update({
            "descuentos revertidos": resultado.revertidos,
            "movimientos posteriores vueltos a aplicar": resultado.reaplicados,
            "importe revertido": formato_moneda(resultado.importe),
        })
