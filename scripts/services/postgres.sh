#!/usr/bin/env bash
# Starts/stops a private PostgreSQL 15 server for the tests, without systemd.
#   scripts/services/postgres.sh start DIR   # e.g. DIR=build/test-services
#   scripts/services/postgres.sh stop DIR
#   scripts/services/postgres.sh status DIR
# start: as the `postgres` system user when run as root (the server refuses root; DIR/postgres is
# chowned to it), else as the calling user. First start: initdb into DIR/postgres/data (C locale,
# UTF8, no fsync: test data only), a self-signed TLS certificate made by openssl, pg_hba allowing
# only 127.0.0.1 with scram-sha-256 (TLS or not: the tests cover sslmode=require and disable) and
# the server user over the socket (peer). Listens on 127.0.0.1, first free port from 5433 up
# (POSTGRES_PORT=N to insist on one), unix socket in DIR/postgres/run. Creates the role
# imgflo_test (random password kept in DIR/postgres/password, CREATEDB so each test makes its own
# database) and the database imgflo_test, then writes POSTGRES_PID=... and
# IMGFLO_TEST_POSTGRES_URL=postgres://imgflo_test:PASSWORD@127.0.0.1:PORT/imgflo_test into
# DIR/services.env (other lines kept). Idempotent: a running server started from DIR is reused;
# a stopped one is restarted on its data directory.
# stop: SIGINT by PID (PostgreSQL's fast shutdown: disconnects clients), `pg_ctl stop -m immediate`
# after 10 s, KILL as last resort; removes those lines. Exit status non-zero on failure.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
base="$dir/postgres"
data="$base/data"
run="$base/run"
env_file="$dir/services.env"
pid_file="$base/postgres.pid"
port_file="$base/port"
password_file="$base/password"
log="$base/postgres.log"
role=imgflo_test
database=imgflo_test

pg_bin() {
  local b
  for b in "${PG_BINDIR:-}" /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [[ -n "$b" && -x "$b/postgres" ]] && { echo "$b"; return 0; }
  done
  command -v pg_ctl >/dev/null && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

# Runs a command as the server's user (root may not run postgres).
as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A live process (an exited one waiting to be reaped, state Z, counts as gone: whoever adopted the
# daemonised server may take seconds to reap it).
running() { kill -0 "$1" 2>/dev/null && [[ "$(ps -o stat= -p "$1" 2>/dev/null)" != Z* ]]; }
alive() {
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid=$(cat "$pid_file")
  [[ -n "$pid" ]] && running "$pid" && [[ "$(ps -o comm= -p "$pid" 2>/dev/null)" == postgres ]]
}
answers() { as_pg "$bin/pg_isready" -q -h "$run" -p "$1" -d postgres -U postgres; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
psql_admin() { as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$run" -p "$1" -U postgres -d postgres "${@:2}"; }

write_env() {
  local tmp="$env_file.tmp.$$"
  { [[ -f "$env_file" ]] && grep -v -E '^(POSTGRES_PID|IMGFLO_TEST_POSTGRES_URL)=' "$env_file" || true; } > "$tmp"
  if [[ $# -gt 0 ]]; then printf '%s\n' "$@" >> "$tmp"; fi
  mv "$tmp" "$env_file"
}

# A fresh cluster: initdb, TLS certificate, settings, client authentication.
init_cluster() {
  rm -rf "$data"
  mkdir -p "$data" "$run"
  [[ $EUID -eq 0 ]] && chown -R postgres: "$base"
  chmod 700 "$base" "$data"
  as_pg "$bin/initdb" -D "$data" -U postgres --no-locale -E UTF8 --no-sync \
    --auth-local=peer --auth-host=scram-sha-256 >"$base/initdb.log" 2>&1 ||
    { cat "$base/initdb.log" >&2; return 1; }
  # Self-signed, for TLS on loopback only (clients use sslmode=require: encrypted, not verified).
  as_pg openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=127.0.0.1" -keyout "$data/server.key" -out "$data/server.crt" 2>/dev/null
  chmod 600 "$data/server.key"
  cat >> "$data/postgresql.conf" <<EOF

# imgflo test server (scripts/services/postgres.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$run'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 32MB
logging_collector = off
EOF
  cat > "$data/pg_hba.conf" <<EOF
local all postgres peer
host  all all 127.0.0.1/32 scram-sha-256
EOF
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$password_file"
  chmod 600 "$password_file"
}

# Creates the test role and database if they are missing (the password is the kept one).
ensure_role() {
  local port=$1 password
  password=$(cat "$password_file")
  psql_admin "$port" -v role="$role" -v pw="$password" <<'EOF'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" PASSWORD :'pw';
EOF
  psql_admin "$port" -v role="$role" -v db="$database" <<'EOF'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
EOF
}

# Starts the server on $1; succeeds once it accepts connections.
try_start() {
  local port=$1
  rm -f "$data/postmaster.pid"
  # pg_ctl puts the server in its own session (setsid), detached from this script.
  as_pg "$bin/pg_ctl" -D "$data" -l "$log" -o "-p $port" -w -t 30 start >/dev/null 2>&1 || return 1
  head -n 1 "$data/postmaster.pid" > "$pid_file"
  echo "$port" > "$port_file"
  answers "$port"
}

start() {
  bin=$(pg_bin) || { echo "PostgreSQL server not found (apt-get install postgresql)" >&2; exit 1; }
  command -v openssl >/dev/null || { echo "openssl not found" >&2; exit 1; }
  mkdir -p "$base"
  if (( ${#run} + 14 > 107 )); then
    echo "socket directory path too long for a unix socket: $run" >&2; exit 1
  fi
  if alive && answers "$(cat "$port_file" 2>/dev/null)"; then
    port=$(cat "$port_file")
  else
    alive && stop >/dev/null   # ours but not answering: replace it
    [[ -f "$data/PG_VERSION" && -f "$password_file" ]] || init_cluster
    local candidates
    if [[ -n "${POSTGRES_PORT:-}" ]]; then candidates=$POSTGRES_PORT; else candidates=$(seq 5433 5532); fi
    port=
    for p in $candidates; do
      port_busy "$p" && continue
      if try_start "$p"; then port=$p; break; fi
    done
    [[ -n "$port" ]] || { echo "could not start PostgreSQL (see $log)" >&2; exit 1; }
  fi
  ensure_role "$port"
  write_env "POSTGRES_PID=$(cat "$pid_file")" \
    "IMGFLO_TEST_POSTGRES_URL=postgres://$role:$(cat "$password_file")@127.0.0.1:$port/$database"
  echo "postgres pid $(cat "$pid_file") on 127.0.0.1:$port"
}

stop() {
  if alive; then
    local pid
    pid=$(cat "$pid_file")
    kill -INT "$pid"   # fast shutdown: rolls back and disconnects clients
    for _ in $(seq 1 200); do running "$pid" || break; sleep 0.05; done
    if running "$pid"; then
      bin=$(pg_bin) && as_pg "$bin/pg_ctl" -D "$data" -m immediate -t 10 stop >/dev/null 2>&1 || true
      running "$pid" && kill -KILL "$pid"
    fi
    echo "postgres pid $pid stopped"
  fi
  rm -f "$pid_file" "$port_file"
  [[ -f "$env_file" ]] && write_env
  return 0
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if alive; then echo "running: pid $(cat "$pid_file") port $(cat "$port_file")"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status DIR" >&2; exit 2 ;;
esac
