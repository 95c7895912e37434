# Sourced by the ops scripts, not run: where the ledger's PostgreSQL binaries and data folder are, and how to reach
# its database (the embedded cluster in LEDGER_DATA, or the server LEDGER_CONNECTION_STRING names).

has_server() { [[ -x "$1/initdb" && -x "$1/pg_ctl" && -x "$1/psql" ]]; }

# The folder of the server binaries, where the API looks: the highest /usr/lib/postgresql/*/bin, else beside pg_ctl on PATH.
find_bin() {
  local dir pg_ctl
  while read -r dir; do
    if has_server "$dir"; then echo "$dir"; return 0; fi
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV)
  if pg_ctl=$(command -v pg_ctl); then
    # pg_ctl on PATH is often a symbolic link; its siblings sit next to the file it points to.
    for dir in "$(dirname "$(readlink -f "$pg_ctl")")" "$(dirname "$pg_ctl")"; do
      if has_server "$dir"; then echo "$dir"; return 0; fi
    done
  fi
  return 1
}

# The data folder of the embedded cluster, as ops/run gives it to the API: LEDGER_DATA (relative to the caller's folder
# $1), else <repo>/.ledger, or a folder under /var/lib when we are root and the postgres user cannot reach the repo.
# Run from the repository's root. A notice about the fallback goes to standard error.
ledger_data() {
  local caller=$1 data=${LEDGER_DATA:-$PWD/.ledger}
  if [[ -z "${LEDGER_DATA:-}" && $EUID -eq 0 ]] && ! runuser -u postgres -- test -x "$PWD" 2>/dev/null; then
    data=/var/lib/treatment-ledger/$(printf %s "$PWD" | md5sum | cut -c1-12)
    echo "ops/${0##*/}: the postgres user cannot reach $PWD; the cluster lives in $data (set LEDGER_DATA to choose)" >&2
  fi
  [[ $data == /* ]] || data=$caller/$data
  echo "$data"
}

# Runs a server tool as the postgres OS user when we are root: PostgreSQL refuses to run as root.
as_postgres() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Sets PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE from an Npgsql connection string (key=value;...).
# Other keys (pooling, timeouts, ...) do not matter to pg_dump and pg_restore and are left out.
use_connection_string() {
  local pair key value
  local -a pairs
  IFS=';' read -ra pairs <<<"$1"
  for pair in "${pairs[@]}"; do
    [[ $pair == *=* ]] || continue
    key=${pair%%=*}; key=${key// /}; key=${key,,}
    value=${pair#*=}; value=${value#"${value%%[![:space:]]*}"}; value=${value%"${value##*[![:space:]]}"}
    case $key in
      host|server) export PGHOST=$value ;;
      port) export PGPORT=$value ;;
      username|userid|user|uid) export PGUSER=$value ;;
      password|pwd) export PGPASSWORD=$value ;;
      database|db) export PGDATABASE=$value ;;
      sslmode) export PGSSLMODE=${value,,} ;;
    esac
  done
  # Npgsql, like libpq, defaults the database to the user's name.
  export PGDATABASE=${PGDATABASE:-${PGUSER:-$(id -un)}}
}

# Reaches the ledger database of the embedded cluster in $1 (PG* variables). A running cluster (the API's) is used as it
# is; a stopped one is started for the duration of the calling script, on a private socket and no TCP port, so that
# nothing else connects meanwhile: the calling script stops it with stop_embedded_cluster (e.g. in its EXIT trap).
use_embedded_cluster() {
  local data=$1 bin=$2
  export PGUSER=postgres PGDATABASE=ledger
  if as_postgres "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
    # Line 4 of postmaster.pid is the port the API's cluster listens on (127.0.0.1 only).
    export PGHOST=127.0.0.1 PGPORT=$(sed -n 4p "$data/postmaster.pid")
    return 0
  fi
  embedded_socket=$(mktemp -d /tmp/lpg-XXXXXXXXXX)
  [[ $EUID -ne 0 ]] || chown postgres: "$embedded_socket"
  embedded_data=$data
  embedded_bin=$bin
  if ! as_postgres "$bin/pg_ctl" start -w -t 60 -D "$data" -l "$data/postgres.log" \
      -o "-c listen_addresses='' -k $embedded_socket" >/dev/null; then
    echo "PostgreSQL did not start on $data; see $data/postgres.log" >&2
    return 1
  fi
  export PGHOST=$embedded_socket PGPORT=5432
}

embedded_socket=
# Stops the cluster use_embedded_cluster started, if it started one.
stop_embedded_cluster() {
  [[ -n $embedded_socket ]] || return 0
  as_postgres "$embedded_bin/pg_ctl" stop -w -m fast -D "$embedded_data" >/dev/null 2>&1 || true
  rm -rf "$embedded_socket"
  embedded_socket=
}

# Whether the cluster in $1 is running (the API's, or one left by a crashed run).
embedded_cluster_running() {
  as_postgres "$2/pg_ctl" status -D "$1" >/dev/null 2>&1
}
