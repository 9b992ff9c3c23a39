#!/usr/bin/env bash
# Several nodes against one (SPEC §17, docs/mediciones.md): bench/carga.py three times in a row on the same
# data set — 1 node; 2 nodes on two ports sharing Redis and the database; 2 nodes while an RQ worker loads
# the remesa — then the three result lines side by side.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:6432/oficina_bench DATABASE_POOLER=pgbouncer \
#     bench/nodos.sh [SEGUNDOS=20] [CONEXIONES=8]
#
# Needs bench/datos.py's data set with its remesa (descuentos.csv in $BENCH_SALIDA) not loaded yet: the
# remesa run goes last, because an applied remesa cannot be loaded again (run bench/datos.py again first).
# Each run's full output: $BENCH_SALIDA/nodos-*.log.
set -euo pipefail
SEGUNDOS=${1:-20}
CONEXIONES=${2:-8}
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
SALIDA=${BENCH_SALIDA:-/tmp/oficina-bench}
[ -f "$SALIDA/descuentos.csv" ] || { echo "Falta $SALIDA/descuentos.csv: corre antes bench/datos.py" >&2; exit 1; }

estado=0
resumen=()
for corrida in 1 2 2-remesa; do
  nodos=${corrida%%-*}
  args=(--segundos "$SEGUNDOS" --conexiones "$CONEXIONES" --nodos "$nodos")
  [ "$corrida" = 2-remesa ] && args+=(--remesa "$SALIDA/descuentos.csv")
  registro=$SALIDA/nodos-$corrida.log
  echo "== bench/carga.py ${args[*]}  (carga promedio $(cut -d' ' -f1-3 /proc/loadavg))"
  if ! "$PY" bench/carga.py "${args[@]}" >"$registro" 2>&1; then
    echo "   terminó con error o con errores HTTP: ver $registro"
    estado=1
  fi
  linea=$(grep -E 'nodo\(s\): rendimiento' "$registro" || echo "sin resultado")
  grep -E '^--- nodo|^RESULTADO|^remesa' "$registro" | sed 's/^/   /' || true
  resumen+=("${corrida}: ${linea}")
done
echo "== resumen (${SEGUNDOS} s, ${CONEXIONES} conexiones en total)"
printf '%s\n' "${resumen[@]}"
exit $estado
