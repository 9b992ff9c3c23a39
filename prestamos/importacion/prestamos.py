import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone

from oficina.identidad import validar_curp
from oficina.importacion.base import ErrorCampo, ErrorFila, Importador, Resumen, duplicados, registrar
from prestamos import libro
from prestamos.calculo import Periodo, cuota_fija
from prestamos.cartera import Posicion
from prestamos.models import Derechohabiente, Movimiento, Prestamo
from prestamos.posiciones import condiciones, liquidacion_historica

LOTE = 2000
ANIO_MAXIMO = 2100  # no schedule runs past it: a typo like 9999-Q24 is refused, not computed
PLAZO_MAXIMO = 480
TASA_MAXIMA = Decimal("60.00")


@dataclass(slots=True)
class FilaPrestamo:
    linea: int
    folio: str
    curp: str
    tipo: str
    importe: Decimal
    tasa_anual: Decimal
    plazo: int
    fecha_otorgamiento: date
    primera_quincena: str
    estado: str
    quincenas_pagadas: int
    fecha_liquidacion: date | None

    def difiere_de(self, prestamo: Prestamo, curp: str) -> list[str]:
        """The fields where an already loaded loan differs from this row (terms never change)."""
        cargado = {
            "curp": curp,
            "tipo": prestamo.tipo,
            "importe": prestamo.importe,
            "tasa_anual": prestamo.tasa_anual,
            "plazo_quincenas": prestamo.plazo,
            "fecha_otorgamiento": prestamo.fecha_otorgamiento,
            "primera_quincena": str(prestamo.primera_quincena),
            "estado": prestamo.estado_inicial,
            "quincenas_pagadas": prestamo.quincenas_pagadas_inicial,
        }
        fila = {
            "curp": self.curp,
            "tipo": self.tipo,
            "importe": self.importe,
            "tasa_anual": self.tasa_anual,
            "plazo_quincenas": self.plazo,
            "fecha_otorgamiento": self.fecha_otorgamiento,
            "primera_quincena": self.primera_quincena,
            "estado": self.estado,
            "quincenas_pagadas": self.quincenas_pagadas,
        }
        return [campo for campo in cargado if cargado[campo] != fila[campo]]


@registrar
class PrestamosImportador(Importador):
    """prestamos.csv: new loans are created with their opening entry; loaded ones never change."""

    tipo = "préstamos"
    columnas = (
        "folio", "curp", "tipo", "importe", "tasa_anual", "plazo_quincenas", "fecha_otorgamiento",
        "primera_quincena", "estado", "quincenas_pagadas", "fecha_liquidacion",
    )
    # A pensioner's loan counts months: the same columns may say so (docs/reglas.md §12).
    alias = {"plazo": "plazo_quincenas", "primer_periodo": "primera_quincena"}

    def fila(self, linea: int, celdas: list[str]) -> FilaPrestamo:
        folio, curp, tipo, importe, tasa, plazo, otorgamiento, primera, estado, pagadas, liquidacion = celdas
        folio = folio.strip()
        if not re.fullmatch(r"[0-9]{11}", folio):
            raise ErrorCampo("«folio» debe tener 11 dígitos")
        try:
            curp = validar_curp(curp)
        except ValidationError as exc:
            raise ErrorCampo(f"«curp»: {exc.messages[0]}")
        tipo = tipo.strip().upper()
        if tipo not in Prestamo.Tipo.values:
            raise ErrorCampo(f"«tipo» debe ser uno de {', '.join(Prestamo.Tipo.values)}")
        tasa = tasa.strip()
        if not re.fullmatch(r"[0-9]{1,2}(\.[0-9]{1,2})?", tasa) or Decimal(tasa) > TASA_MAXIMA:
            raise ErrorCampo("«tasa_anual» debe ser un porcentaje anual con punto decimal (p. ej. 11.50)")
        plazo_n = self.entero(plazo, self.columna("plazo_quincenas"), minimo=1, maximo=PLAZO_MAXIMO)
        fecha_otorgamiento = self.fecha(otorgamiento, "fecha_otorgamiento")
        try:
            primer_periodo = Periodo.parse(primera)
        except ValueError as exc:
            raise ErrorCampo(f"«{self.columna('primera_quincena')}»: {exc}")
        if primer_periodo.vencimiento <= fecha_otorgamiento:
            raise ErrorCampo(f"«{self.columna('primera_quincena')}» debe vencer después de la fecha de otorgamiento")
        if primer_periodo.inicio.year > fecha_otorgamiento.year + 1:
            raise ErrorCampo(f"«{self.columna('primera_quincena')}» debe empezar a más tardar un año después del otorgamiento")
        if (primer_periodo + (plazo_n - 1)).anio > ANIO_MAXIMO:
            raise ErrorCampo(f"el plazo termina después de {ANIO_MAXIMO}; revisa «{self.columna('plazo_quincenas')}»")
        estado = estado.strip().upper()
        if estado not in ("VIGENTE", "LIQUIDADO"):
            raise ErrorCampo("«estado» debe ser VIGENTE o LIQUIDADO")
        pagadas_n = self.entero(pagadas, "quincenas_pagadas", minimo=0, maximo=plazo_n, defecto=0)
        fecha_liquidacion = None
        if estado == "LIQUIDADO":
            if not liquidacion.strip():
                raise ErrorCampo("«fecha_liquidacion» es obligatoria para un préstamo LIQUIDADO")
            fecha_liquidacion = self.fecha(liquidacion, "fecha_liquidacion")
            if fecha_liquidacion < fecha_otorgamiento:
                raise ErrorCampo("«fecha_liquidacion» es anterior a la fecha de otorgamiento")
            if fecha_liquidacion > timezone.localdate():
                raise ErrorCampo("«fecha_liquidacion» está en el futuro")
        else:
            if liquidacion.strip():
                raise ErrorCampo("«fecha_liquidacion» sólo se llena para préstamos LIQUIDADO")
            if pagadas_n == plazo_n:
                raise ErrorCampo(f"todos los {primer_periodo.PLURAL} están pagados: el estado debe ser LIQUIDADO")
        importe_n = self.importe(importe)
        tasa_n = Decimal(tasa).quantize(Decimal("0.01"))
        if cuota_fija(principal=importe_n, tasa_anual=tasa_n, plazo=plazo_n, por_anio=primer_periodo.POR_ANIO) <= 0:
            raise ErrorCampo(f"el importe {importe_n} es demasiado pequeño para {plazo_n} {primer_periodo.PLURAL}: "
                             "el descuento sería de $0.00")
        return FilaPrestamo(
            linea=linea,
            folio=folio,
            curp=curp,
            tipo=tipo,
            importe=importe_n,
            tasa_anual=tasa_n,
            plazo=plazo_n,
            fecha_otorgamiento=fecha_otorgamiento,
            primera_quincena=str(primer_periodo),
            estado=estado,
            quincenas_pagadas=pagadas_n,
            fecha_liquidacion=fecha_liquidacion,
        )

    def validar(self, filas):
        registros, errores = self.parsear(filas)
        errores += duplicados(((r.linea, r.folio) for r in registros), "folio")
        self.personas = {
            d.curp: d
            for d in Derechohabiente.objects.filter(curp__in={r.curp for r in registros}).only(
                "id", "curp", "dependencia_id"
            )
        }
        self.existentes = {
            p.folio: p
            for p in Prestamo.objects.filter(folio__in=[r.folio for r in registros]).select_related("derechohabiente")
        }
        for r in registros:
            if r.curp not in self.personas:
                errores.append(ErrorFila(r.linea, f"la CURP {r.curp} no está en el padrón; cárgala en derechohabientes.csv"))
                continue
            existente = self.existentes.get(r.folio)
            if existente is not None:
                diferencias = r.difiere_de(existente, existente.derechohabiente.curp)
                if diferencias:
                    errores.append(
                        ErrorFila(
                            r.linea,
                            f"el préstamo {r.folio} ya fue cargado con otros datos ({', '.join(diferencias)}); "
                            "las condiciones de un préstamo no cambian después de cargarlo",
                        )
                    )
        return registros, errores

    def cargar(self, registros, resumen: Resumen, progreso=None):
        nuevos = [r for r in registros if r.folio not in self.existentes]
        hoy = timezone.localdate()
        for inicio in range(0, len(nuevos), LOTE):
            lote = nuevos[inicio : inicio + LOTE]
            prestamos = []
            for r in lote:
                persona = self.personas[r.curp]
                prestamos.append(
                    Prestamo(
                        folio=r.folio,
                        derechohabiente_id=persona.id,
                        dependencia_id=persona.dependencia_id,
                        tipo=r.tipo,
                        importe=r.importe,
                        tasa_anual=r.tasa_anual,
                        plazo=r.plazo,
                        cuota=cuota_fija(principal=r.importe, tasa_anual=r.tasa_anual, plazo=r.plazo,
                                         por_anio=Periodo.parse(r.primera_quincena).POR_ANIO),
                        fecha_otorgamiento=r.fecha_otorgamiento,
                        primera_quincena=r.primera_quincena,
                        quincenas_pagadas_inicial=r.quincenas_pagadas,
                        estado_inicial=r.estado,
                        estado=r.estado,
                        fecha_liquidacion=r.fecha_liquidacion,
                    )
                )
            Prestamo.objects.bulk_create(prestamos, batch_size=LOTE)
            ahora = timezone.now()
            entradas = []
            for prestamo, r in zip(prestamos, lote):
                posicion = Posicion.nueva(condiciones(prestamo))
                apertura = posicion.abrir(periodos_pagados=r.quincenas_pagadas)
                liquidacion_historica(prestamo, posicion)
                origen = f"Carga inicial: {r.quincenas_pagadas} {Periodo.parse(r.primera_quincena).PAGADOS} antes de la carga"
                asientos = [] if apertura is None else [libro.asiento(
                    prestamo_id=prestamo.pk, tipo=Movimiento.Tipo.APERTURA, aplicacion=apertura, origen=origen, creado=ahora,
                )]
                entradas.append((prestamo, posicion, asientos))
            # The opening entry and the loan's first snapshot, by the ledger's writer: the first remesa then
            # starts from a snapshot instead of replaying every loan.
            libro.asentar_lote(entradas, hoy=hoy)
            if progreso:
                progreso(min(inicio + LOTE, len(nuevos)), len(nuevos))
        resumen.creadas = len(nuevos)
        resumen.omitidas = len(registros) - len(nuevos)
