#!/usr/bin/env bash
# Failover drill on a scratch pair (docs/operacion.md, "Simulacro"): never on the cluster others use.
# The primary on $PRIMARIA crashes (immediate stop) while bench/carga.py runs two nodes and an RQ worker
# loads a remesa; the replica on $REPLICA is promoted and PgBouncer ($PGBOUNCER) pointed at it.
#   bench/simulacro.sh   (env as for bench/carga.py: DATABASE_URL through PgBouncer, DATABASE_POOLER, BENCH_SALIDA)
set -euo pipefail
PRIMARIA=${PRIMARIA:-5434}
REPLICA=${REPLICA:-5435}
PGBOUNCER=${PGBOUNCER:-6434}
BIN=/usr/lib/postgresql/15/bin
RAIZ=/var/lib/postgresql/15
cd "$(dirname "$0")/.."
ahora() { date +%s.%N; }
log() { printf '%s %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }

PY=${PYTHON:-/work/main/.venv/bin/python}
"$PY" bench/carga.py --segundos 45 --conexiones 8 --nodos 2 --remesa "$BENCH_SALIDA/descuentos.csv" \
  >"$BENCH_SALIDA/simulacro-carga.log" 2>&1 &
CARGA=$!
log "carga y remesa en marcha (pid $CARGA)"
for _ in $(seq 120); do
  [ "$(psql -X -h 127.0.0.1 -p "$PRIMARIA" -U postgres -d oficina_h_bench -Atc "SELECT count(*) FROM prestamos_carga WHERE estado = 'PROCESANDO'")" != 0 ] && break
  sleep 0.25
done
sleep 4
log "primaria $PRIMARIA: pg_ctl stop -m immediate (caída)"
T0=$(ahora)
runuser -u postgres -- "$BIN/pg_ctl" -D "$RAIZ/simulacro-$PRIMARIA" -m immediate stop >/dev/null
log "réplica $REPLICA: pg_ctl promote"
runuser -u postgres -- "$BIN/pg_ctl" -D "$RAIZ/replica-$REPLICA" -w promote >/dev/null
T1=$(ahora)
INI=/tmp/pgbouncer-$PGBOUNCER/pgbouncer.ini
sed -i "s/port=$PRIMARIA\$/port=$REPLICA/" "$INI"
psql -X -h 127.0.0.1 -p "$PGBOUNCER" -U postgres -d pgbouncer -c RELOAD >/dev/null
log "PgBouncer $PGBOUNCER apunta a $REPLICA (RELOAD)"
until psql -X -h 127.0.0.1 -p "$PGBOUNCER" -U postgres -d oficina_h_bench -Atc "CREATE TEMP TABLE simulacro ON COMMIT DROP AS SELECT 1" >/dev/null 2>&1; do sleep 0.1; done
T2=$(ahora)
log "primera escritura por PgBouncer tras la caída"
printf 'promoción %.2f s; caída → escritura aceptada %.2f s\n' "$(echo "$T1 - $T0" | bc)" "$(echo "$T2 - $T0" | bc)"
wait $CARGA || true
log "carga terminada"
grep -E "RESULTADO|nodo\(s\)|remesa|FOPI emitidos" "$BENCH_SALIDA/simulacro-carga.log" || true
