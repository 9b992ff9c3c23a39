#!/usr/bin/env bash
# A streaming replica of a local PostgreSQL cluster on another port (SPEC §17, docs/operacion.md).
#
#   deploy/replica-local.sh [PRIMARY_PORT=5432] [REPLICA_PORT=5433]     # (re)build it and start it
#   deploy/replica-local.sh stop [REPLICA_PORT=5433]                     # stop it
#   DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/oficina ...
#
# Run as root or as the postgres OS user. What it changes on the primary, only if missing: a line
# `host replication all 127.0.0.1/32 trust` at the end of its pg_hba.conf, then a reload (no restart).
# It needs wal_level=replica (Debian's default) and max_wal_senders > 0; changing those would need a
# restart, which this script never does: it stops and says so. No replication slot: a replica left stopped
# must not make the primary keep WAL until its disk fills; if it falls too far behind, run this again.
#
# The replica: $RAIZ/replica-REPLICA_PORT (pg_basebackup -R: standby.signal and primary_conninfo),
# listening on 127.0.0.1:REPLICA_PORT, hot standby, log in replica.log beside its data directory.
set -euo pipefail
if [ "${1:-}" = stop ]; then
  ACCION=stop
  PUERTO_REPLICA=${2:-5433}
else
  ACCION=start
  PUERTO=${1:-5432}
  PUERTO_REPLICA=${2:-5433}
fi
VERSION=$(pg_config --version 2>/dev/null | sed -E 's/[^0-9]*([0-9]+).*/\1/' || true)
[ -n "$VERSION" ] || VERSION=$(ls /usr/lib/postgresql | sort -n | tail -1)
BIN=/usr/lib/postgresql/$VERSION/bin
RAIZ=${RAIZ:-/var/lib/postgresql/$VERSION}
DATOS=$RAIZ/replica-$PUERTO_REPLICA

como_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}

if [ -f "$DATOS/postmaster.pid" ]; then
  como_postgres "$BIN/pg_ctl" -D "$DATOS" -m fast -w stop >/dev/null || true
fi
[ "$ACCION" = stop ] && exit 0

psql_primaria() { psql -X -h 127.0.0.1 -p "$PUERTO" -U postgres -d postgres -Atc "$1"; }
nivel=$(psql_primaria "SHOW wal_level")
emisores=$(psql_primaria "SHOW max_wal_senders")
if [ "$nivel" = minimal ] || [ "$emisores" = 0 ]; then
  echo "La primaria (puerto $PUERTO) tiene wal_level=$nivel y max_wal_senders=$emisores: hace falta" \
       "wal_level=replica y max_wal_senders>0, y reiniciarla. Este script no la reinicia." >&2
  exit 1
fi
if [ "$(psql_primaria "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND type = 'host' AND auth_method = 'trust' AND address = '127.0.0.1'")" = 0 ]; then
  hba=$(psql_primaria "SHOW hba_file")
  printf '\n# Added by deploy/replica-local.sh: streaming replicas on this machine.\nhost replication all 127.0.0.1/32 trust\n' >>"$hba"
  psql_primaria "SELECT pg_reload_conf()" >/dev/null
  echo "pg_hba.conf de la primaria: se agregó 'host replication all 127.0.0.1/32 trust' (recargada, sin reiniciar)"
fi

rm -rf "$DATOS"
mkdir -p "$RAIZ"
chown postgres "$RAIZ"
como_postgres "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PUERTO" -U postgres -D "$DATOS" -R -X stream -c fast
# Debian keeps the configuration files in /etc: the copy has none. Only what a hot standby here needs.
cat >"$DATOS/postgresql.conf" <<CONF
port = $PUERTO_REPLICA
listen_addresses = '127.0.0.1'
unix_socket_directories = '/var/run/postgresql'
hot_standby = on
hot_standby_feedback = on
max_connections = 200
shared_buffers = 128MB
CONF
cat >"$DATOS/pg_hba.conf" <<HBA
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
: >"$DATOS/pg_ident.conf"
chown postgres "$DATOS/postgresql.conf" "$DATOS/pg_hba.conf" "$DATOS/pg_ident.conf"
como_postgres "$BIN/pg_ctl" -D "$DATOS" -l "$RAIZ/replica-$PUERTO_REPLICA.log" -w start >/dev/null
for _ in $(seq 60); do
  [ "$(psql -X -h 127.0.0.1 -p "$PUERTO_REPLICA" -U postgres -d postgres -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ] && break
  sleep 0.5
done
echo "réplica en 127.0.0.1:$PUERTO_REPLICA de la primaria 127.0.0.1:$PUERTO ($DATOS)"
