#!/usr/bin/env bash
# PgBouncer in transaction pooling in front of the local PostgreSQL, for CI and a laptop (SPEC §17,
# docs/operacion.md). Writes its configuration into a directory of its own and starts it as a daemon.
#
#   deploy/pgbouncer-local.sh [LISTEN_PORT=6432] [POSTGRES_PORT=5432] [DIR=/tmp/pgbouncer-LISTEN_PORT]
#   DATABASE_POOLER=pgbouncer DATABASE_URL=postgres://postgres@127.0.0.1:6432/oficina ...
#
# Every database of the cluster is reachable through it (the `*` entry), so pytest-django's test database
# too. Authentication: trust from 127.0.0.1, like the local cluster; production uses auth_type scram-sha-256
# with an auth_query or auth_file. Run again to restart it with a fresh configuration.
set -euo pipefail
PUERTO=${1:-6432}
PUERTO_PG=${2:-5432}
DIR=${3:-/tmp/pgbouncer-$PUERTO}
if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
  apt-get install -y -qq pgbouncer >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null; }
fi
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
mkdir -p "$DIR"
if [ -f "$DIR/pgbouncer.pid" ] && kill -0 "$(cat "$DIR/pgbouncer.pid")" 2>/dev/null; then
  kill "$(cat "$DIR/pgbouncer.pid")"
  for _ in $(seq 50); do kill -0 "$(cat "$DIR/pgbouncer.pid" 2>/dev/null)" 2>/dev/null || break; sleep 0.1; done
fi
cat >"$DIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PUERTO_PG

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PUERTO
unix_socket_dir = $DIR
auth_type = trust
auth_file = $DIR/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
reserve_pool_size = 5
# After a failover the new server is tried again after this many seconds (default 15: the drill waited that long).
server_login_retry = 1
admin_users = postgres
ignore_startup_parameters = extra_float_digits
logfile = $DIR/pgbouncer.log
pidfile = $DIR/pgbouncer.pid
INI
echo '"postgres" ""' >"$DIR/userlist.txt"
USUARIO=()
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$DIR"
  USUARIO=(-u postgres)  # PgBouncer refuses to run as root
fi
"$PGBOUNCER" -d "${USUARIO[@]}" "$DIR/pgbouncer.ini"
for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p "$PUERTO" && exit 0; sleep 0.1; done
echo "PgBouncer no arrancó: $DIR/pgbouncer.log" >&2
exit 1
