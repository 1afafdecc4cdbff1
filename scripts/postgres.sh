#!/usr/bin/env bash
# Local PostgreSQL for development and CI (Debian/Ubuntu, uses postgresql-common).
#   scripts/postgres.sh start   install if needed, start on 127.0.0.1:$PGPORT, ensure role/db "cms"
#   scripts/postgres.sh stop    stop that server
#   scripts/postgres.sh url     print the connection URL
# Runs as root (CI) or as a user with sudo. PGPORT defaults to 5432.
set -euo pipefail

PORT="${PGPORT:-5432}"
URL="postgres://cms:cms@127.0.0.1:${PORT}/cms"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export PGPORT="$PORT" PAGER=cat

die() { echo "postgres.sh: $*" >&2; exit 1; }

server_installed() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && command -v pg_ctlcluster >/dev/null; }

# Prints "<version> <name> <status>" of the cluster on $PORT (online ones first), or nothing.
find_cluster() {
  { pg_lsclusters -h 2>/dev/null || true; } | awk -v p="$PORT" '$3 == p { print ($4 == "online" ? 0 : 1), $1, $2, $4 }' \
    | sort -k1,1n | head -n1 | cut -d' ' -f2-
}

as_postgres() { (cd / && $SUDO runuser -u postgres -- "$@"); }
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres "$@"; }

start() {
  if ! server_installed; then
    echo "Installing PostgreSQL server (apt-get)..." >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
  fi
  local c ver name status
  c="$(find_cluster)"
  if [ -z "$c" ]; then  # no cluster on this port: create one (named "main" if free, else "cms<port>")
    ver="$(ls -d /usr/lib/postgresql/*/bin/postgres | sort -V | tail -n1 | cut -d/ -f5)"
    name=main; [ -d "/etc/postgresql/$ver/main" ] && name="cms$PORT"
    $SUDO pg_createcluster "$ver" "$name" -p "$PORT" >&2
    c="$ver $name down"
  fi
  read -r ver name status <<<"$c"
  if [ "$($SUDO pg_conftool -s "$ver" "$name" show listen_addresses 2>/dev/null || true)" != "127.0.0.1" ]; then
    # appended (last one wins); pg_conftool set would write 127.0.0.1 unquoted = syntax error
    echo "listen_addresses = '127.0.0.1'  # added by scripts/postgres.sh" \
      | $SUDO tee -a "/etc/postgresql/$ver/$name/postgresql.conf" >/dev/null
    if [ "$status" = online ]; then $SUDO pg_ctlcluster "$ver" "$name" restart; fi
  fi
  if [ "$status" != online ]; then
    $SUDO pg_ctlcluster "$ver" "$name" start || die "could not start cluster $ver/$name; see /var/log/postgresql/postgresql-$ver-$name.log"
  fi
  local i
  for i in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$PORT" && break
    [ "$i" -eq 60 ] && die "timeout: server $ver/$name not ready on 127.0.0.1:$PORT after 30s"
    sleep 0.5
  done
  psql_admin <<'SQL'
SELECT format('CREATE ROLE cms LOGIN CREATEDB PASSWORD %L', 'cms')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cms') \gexec
ALTER ROLE cms LOGIN CREATEDB PASSWORD 'cms';
SELECT 'CREATE DATABASE cms OWNER cms'
  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'cms') \gexec
SQL
  echo "PostgreSQL $ver/$name ready on 127.0.0.1:$PORT" >&2
  echo "$URL"
}

stop() {
  local c ver name status
  c="$(find_cluster)"
  [ -n "$c" ] || { echo "no PostgreSQL cluster on port $PORT" >&2; return 0; }
  read -r ver name status <<<"$c"
  if [ "$status" = online ]; then $SUDO pg_ctlcluster "$ver" "$name" stop; fi
  echo "PostgreSQL $ver/$name stopped" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  *) echo "usage: $0 {start|stop|url}" >&2; exit 2 ;;
esac
