#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on a unix socket, for tests and CI.
#
#   scripts/postgres-server.sh start <dir>   initdb into <dir>/data (once), start the server listening only on
#                                            the socket in <dir>, print its connection string on stdout
#   scripts/postgres-server.sh crash <dir>   stop it the way a crash would (pg_ctl -m immediate), keep the data
#   scripts/postgres-server.sh stop <dir>    stop it (pg_ctl -m fast) and remove <dir>
#   scripts/postgres-server.sh url <dir>     print the connection string
#   scripts/postgres-server.sh bindir        print the directory of initdb and pg_ctl; exit 1 when there is none
#
# Every command is idempotent: start on a running cluster prints its URL, stop on a missing one does nothing.
# No TCP port is opened (listen_addresses=''), so any number of clusters coexist. fsync stays on: an
# acknowledged write must survive a crash for the durability tests to mean anything. Trust authentication,
# superuser `postgres`. When run as root, the cluster belongs to the `postgres` OS user (initdb refuses root).
# The binaries are found on PATH, else under /usr/lib/postgresql/<newest>/bin (Debian's layout);
# POSTGRES_BINDIR overrides both. Logs go to <dir>/initdb.log and <dir>/server.log.
set -euo pipefail

usage() {
  echo "usage: $0 start|crash|stop|url <dir>  |  $0 bindir" >&2
  exit 2
}

find_bindir() {
  if [[ -n "${POSTGRES_BINDIR:-}" ]]; then
    [[ -x "$POSTGRES_BINDIR/initdb" && -x "$POSTGRES_BINDIR/pg_ctl" ]] || return 1
    echo "$POSTGRES_BINDIR"
    return 0
  fi
  local initdb pg_ctl
  if initdb=$(command -v initdb) && pg_ctl=$(command -v pg_ctl); then
    # pg_ctl finds `postgres` next to itself (symlinks resolved), so the two must agree.
    local a b
    a=$(dirname "$(readlink -f "$initdb")")
    b=$(dirname "$(readlink -f "$pg_ctl")")
    if [[ "$a" == "$b" ]]; then
      echo "$a"
      return 0
    fi
  fi
  local dir
  # Newest major version first (sort -V: 9.6 < 10 < 15 < 16).
  while read -r dir; do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return 0
    fi
  done < <(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV)
  return 1
}

cmd="${1:-}"
[[ -n "$cmd" ]] || usage

if [[ "$cmd" == bindir ]]; then
  find_bindir
  exit
fi

dir="${2:-}"
[[ -n "$dir" ]] || usage
[[ "$dir" == /* ]] || dir="$PWD/$dir"
data="$dir/data"
url="postgresql://postgres@/postgres?host=$dir"

# Run a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
  if [[ $(id -u) -ne 0 ]]; then
    "$@"
  elif command -v runuser >/dev/null; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
  fi
}

bindir() {
  find_bindir || {
    echo "$0: initdb and pg_ctl not found on PATH nor under /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    exit 1
  }
}

running() {
  [[ -f "$data/PG_VERSION" ]] && as_owner "$(bindir)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

case "$cmd" in
  start)
    bin=$(bindir)
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      echo "$0: running as root needs a 'postgres' OS user to own the cluster" >&2
      exit 1
    fi
    # The socket path must fit in sun_path (107 bytes).
    if ((${#dir} > 90)); then
      echo "$0: $dir is too long for a unix socket path; use a shorter directory" >&2
      exit 1
    fi
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    # Clients of any user reach the socket; the data directory itself stays 0700.
    chmod 0755 "$dir"
    if [[ ! -f "$data/PG_VERSION" ]]; then
      rm -rf "$data"
      if ! as_owner "$bin/initdb" -D "$data" -U postgres -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        exit 1
      fi
    fi
    if ! running; then
      if ! as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start \
        -o "-k $dir -c listen_addresses='' -c max_connections=200" >/dev/null; then
        cat "$dir/server.log" >&2 || true
        exit 1
      fi
    fi
    echo "$url"
    ;;
  crash)
    if running; then as_owner "$(bindir)/pg_ctl" -D "$data" -m immediate -w stop >/dev/null; fi
    ;;
  stop)
    if running; then as_owner "$(bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
    # Remove only what this script made: a directory holding nothing but a cluster and its logs.
    if [[ -d "$dir" ]]; then
      for entry in "$dir"/* "$dir"/.[!.]*; do
        [[ -e "$entry" ]] || continue
        case "${entry##*/}" in
          data | initdb.log | server.log | .s.PGSQL.*) ;;
          *)
            echo "$0: not removing $dir: it holds ${entry##*/}, which is not part of a throwaway cluster" >&2
            exit 1
            ;;
        esac
      done
      rm -rf "$dir"
    fi
    ;;
  url)
    echo "$url"
    ;;
  *)
    usage
    ;;
esac
