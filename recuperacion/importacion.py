"""descuentos.csv: one dependencia's payroll deductions for one quincena (a remesa, docs/reglas.md §6 and §8)."""

import re
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from oficina.cronometro import Cronometro
from oficina.formatos import formato_moneda
from oficina.importacion.base import ArchivoRechazado, ErrorCampo, ErrorFila, Importador, Resumen, duplicados, registrar
from prestamos.calculo import Periodo
from prestamos.models import ArchivoAplicado, Dependencia, Derechohabiente, Prestamo, Remesa
from recuperacion import en_bloque, remesas
from recuperacion.models import Descuento

# Folios looked up per query while validating (one query per lote, never one per row).
LOTE_CONSULTA = 5000
FOLIO = re.compile(r"[0-9]{11}")  # compiled once: checked on every row of a million-row remesa
CLAVE = re.compile(r"[A-Z0-9][A-Z0-9_.-]{0,19}")  # as `Importador.clave` leaves it
PERIODO = re.compile(r"[0-9]{4}-(Q(0[1-9]|1[0-9]|2[0-4])|M(0[1-9]|1[0-2]))")  # as `str(Periodo)` writes it
IMPORTE_MAXIMO_EN_CUOTAS = 10  # a deduction above 10 cuotas is a typo, not a payroll deduction
ARCHIVO = "remesa_archivo"  # the file as COPY reads it (cargar_en_bloque)


class _NoEnBloque(Exception):
    """The file is not the well-formed case the COPY route checks: the row-by-row path decides."""


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

    # --- PostgreSQL: the whole file by COPY, validated with joins -----------------------------------

    def cargar_en_bloque(self, contenido: bytes, progreso=None) -> Resumen | None:
        """Load the file by COPY into a scratch table, validate it with a few joins and apply it
        (recuperacion/en_bloque.py); None when this route does not apply, and then nothing was written.

        The route accepts only files every row of which is in canonical form (exact clave, quincena,
        11-digit folio, CURP and importe as the row-by-row parser would leave them) and passes every check
        `validar` makes. Anything else — a blank line, spaces around a value, one bad row — is left to
        the row-by-row path, which accepts or refuses it naming each line: the messages are its own.
        """
        with transaction.atomic():
            if (resumen := self._ya_aplicado(contenido)) is not None:
                return resumen
        if not en_bloque.disponible() or b"\n\\." in contenido or b"\n\n" in contenido or b"\n\r\n" in contenido:
            return None  # "\." ends COPY's data; blank lines are skipped by the csv reader, not by COPY
        try:
            with transaction.atomic():
                return self._en_bloque(contenido, progreso)
        except _NoEnBloque:
            return None

    def _ya_aplicado(self, contenido: bytes) -> Resumen | None:
        """These very bytes were loaded and every row of them applied, none reversed since: every row is
        "ya cargado" (docs/reglas.md §8), known without reading a row. None when that is not certain.

        A load applies each row at most once, so when its remesas applied as many rows as the file has
        lines after the header, it applied all of them. Lines are an upper bound of the rows (a blank line
        or a quoted line break only adds lines), so a wrong count can only send the file down the normal
        path. The file's record is locked: a reversal of it in progress is waited for, then seen.
        """
        tiempos = Cronometro()
        with tiempos("ya cargados"):
            archivo = ArchivoAplicado.objects.select_for_update().filter(
                sha256=self.sha256, tipo=remesas.TIPO_ARCHIVO, revertido__isnull=True
            ).order_by("pk").first()
            if archivo is None:
                return None
            filas = contenido.count(b"\n") + (0 if contenido.endswith(b"\n") else 1) - 1
            aplicadas = sum(Remesa.objects.filter(archivo_aplicado=archivo, revertida=False).values_list("filas", flat=True))
            if filas <= 0 or aplicadas != filas:
                return None
        resumen = Resumen(tipo=self.tipo, leidas=filas, omitidas=filas,
                          detalle={"ya cargado": filas, "omisiones detectadas": 0})
        resumen.tiempos = tiempos
        return resumen

    def _en_bloque(self, contenido: bytes, progreso) -> Resumen:
        tiempos = Cronometro()
        with connection.cursor() as cursor:
            with tiempos("preparación"):
                cursor.execute(f"DROP TABLE IF EXISTS {ARCHIVO}")
                cursor.execute(f"CREATE TEMP TABLE {ARCHIVO} (clave text, quincena text, folio text, curp text, "
                               "importe text) ON COMMIT DROP")
                try:
                    with cursor.copy(f"COPY {ARCHIVO} FROM STDIN WITH (FORMAT csv, HEADER true)") as copia:
                        copia.write(contenido)
                except (psycopg.Error, DatabaseError) as exc:
                    raise _NoEnBloque from exc
            with tiempos("validación"):
                leidas, quincena = self._validar_en_bloque(cursor, contenido)
        resumen = Resumen(tipo=self.tipo, leidas=leidas)
        resultado = remesas.remesa_cargar(
            dependencia=self.dependencia, quincena=quincena, descuentos=None, archivo=self.nombre_archivo,
            sha256=self.sha256, usuario=self.usuario, progreso=progreso, tiempos=tiempos,
        )
        self._resumir(resultado, resumen)
        resumen.tiempos = tiempos
        return resumen

    def _validar_en_bloque(self, cursor, contenido: bytes) -> tuple[int, Periodo]:
        """`validar`'s checks as joins, leaving the rows in en_bloque's table; _NoEnBloque at the first
        doubt. Returns the number of rows and the remesa's period."""
        cursor.execute(
            f"""
            SELECT count(*), min(clave), max(clave), min(quincena), max(quincena), count(clave), count(quincena),
                   coalesce(bool_and(coalesce(folio ~ '^[0-9]{{11}}$' AND importe ~ '^[0-9]{{1,8}}(\\.[0-9]{{1,2}})?$',
                                              false)), false)
            FROM {ARCHIVO}
            """
        )
        filas, clave, otra_clave, codigo, otro_codigo, con_clave, con_codigo, canonicas = cursor.fetchone()
        lineas = contenido.count(b"\n") + (0 if contenido.endswith(b"\n") else 1)
        # Every line a row (no quoted line breaks), one dependencia and period, each in canonical form.
        if not (filas and canonicas and filas == lineas - 1 == con_clave == con_codigo and clave == otra_clave
                and codigo == otro_codigo and CLAVE.fullmatch(clave) and PERIODO.fullmatch(codigo)):
            raise _NoEnBloque
        quincena = Periodo.parse(codigo)
        self.quincena = quincena
        self.dependencia = Dependencia.objects.filter(clave=clave).first()
        if self.dependencia is None or quincena > type(quincena).de_fecha(timezone.localdate()):
            raise _NoEnBloque
        en_bloque.crear_tabla(cursor)
        try:
            self._a_prestamos(cursor, quincena)  # a folio twice breaks the staged table's key
        except IntegrityError as exc:
            raise _NoEnBloque from exc
        if cursor.rowcount != filas:
            raise _NoEnBloque
        # A row already loaded must be the same row (docs/reglas.md §9); the row-by-row path names it.
        cursor.execute(
            f"""
            SELECT EXISTS (SELECT 1 FROM {en_bloque.FILAS} f JOIN {Descuento._meta.db_table} d
                           ON d.prestamo_id = f.prestamo_id AND NOT d.revertido
                           WHERE d.remesa_id IN (SELECT id FROM {Remesa._meta.db_table} WHERE quincena = %s)
                             AND d.importe <> f.importe)
            """,
            [str(quincena)],
        )
        if cursor.fetchone()[0]:
            raise _NoEnBloque
        return filas, quincena

    def _a_prestamos(self, cursor, quincena: Periodo) -> None:
        """Each row's loan, into en_bloque's table, when it is that CURP's, of this dependencia and kind of
        period, started by then, and the amount is sane."""
        cursor.execute(
            f"""
            INSERT INTO {en_bloque.FILAS} (prestamo_id, importe)
            SELECT p.id, a.importe::numeric(12, 2)
            FROM {ARCHIVO} a
            JOIN {Prestamo._meta.db_table} p ON p.folio = a.folio
            JOIN {Derechohabiente._meta.db_table} d ON d.id = p.derechohabiente_id
            WHERE d.curp = a.curp AND p.dependencia_id = %(dependencia)s
              AND substr(p.primera_quincena, 6, 1) = %(letra)s AND p.primera_quincena <= %(quincena)s
              AND a.importe::numeric > 0 AND a.importe::numeric <= {IMPORTE_MAXIMO_EN_CUOTAS} * p.cuota
            """,
            {"dependencia": self.dependencia.pk, "letra": quincena.LETRA, "quincena": str(quincena)},
        )

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
            tiempos=resumen.tiempos,
        )
        self._resumir(resultado, resumen)

    @staticmethod
    def _resumir(resultado: remesas.ResultadoRemesa, resumen: Resumen) -> None:
        resumen.creadas = resultado.aplicados
        resumen.omitidas = resultado.ya_cargados
        resumen.detalle["ya cargado"] = resultado.ya_cargados
        resumen.detalle["omisiones detectadas"] = resultado.omisiones

    def revertir(self, resumen: Resumen, motivo: str) -> None:
        resultado = remesas.remesa_revertir(sha256=self.sha256, motivo=motivo, usuario=self.usuario,
                                           tiempos=resumen.tiempos)
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
