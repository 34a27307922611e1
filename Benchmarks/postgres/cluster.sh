#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for one benchmark run, with production-like durability (fsync, synchronous_commit
# and full_page_writes stay on), so that PostgreSQL is measured as it would run in production.
#
#   Benchmarks/postgres/cluster.sh start DIR     make DIR (must not exist; the `postgres` user must be able to
#                                                enter its parent), initdb, start; prints the URL of the
#                                                `postgres` database (superuser `bench`, a random password,
#                                                ?sslmode=disable) on stdout and nothing else
#   Benchmarks/postgres/cluster.sh stop DIR      stop the server (fast shutdown) and remove DIR
#   Benchmarks/postgres/cluster.sh run CMD...    start one in a temporary folder, run CMD with BENCH_POSTGRES_URL
#                                                set to that URL and BENCH_POSTGRES_PID to the postmaster's process
#                                                id, stop and remove it however CMD ends; exits with CMD's status
#
# The server listens on a free port of 127.0.0.1 only (password auth, scram-sha-256), its socket in DIR/socket.
# As root, initdb and pg_ctl run as the `postgres` user (`runuser -u postgres --`), since PostgreSQL refuses to run
# as root; DIR is then handed to that user. PG_BIN (default: the newest /usr/lib/postgresql/*/bin) picks the
# binaries; PG_SETTINGS adds `-c name=value ...` of your own. pg_ctl's output (and so the server's descriptors) goes
# to files in DIR, never to this script's stdout, so a caller reading that stdout to its end is not kept waiting by
# the server.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then
        echo "$PG_BIN"
        return
    fi
    local found
    found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n | tail -n 1)
    [ -n "$found" ] && [ -x "$found/initdb" ] || {
        echo "cluster.sh: no PostgreSQL (no /usr/lib/postgresql/*/bin/initdb); apt-get install postgresql" >&2
        exit 1
    }
    echo "$found"
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        (cd /tmp && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    local dir=$1 bin port password
    [ ! -e "$dir" ] || { echo "cluster.sh: $dir exists already" >&2; exit 1; }
    bin=$(pg_bin)
    mkdir -p "$dir/socket"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$dir"; then
        rm -rf "$dir"
        echo "cluster.sh: the postgres user cannot enter $dir (a parent folder is private); use e.g. /tmp/NAME" >&2
        exit 1
    fi
    password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    (umask 077 && printf '%s\n' "$password" >"$dir/password")
    [ "$(id -u)" != 0 ] || chown -R postgres:postgres "$dir"
    as_postgres "$bin/initdb" -D "$dir/data" -U bench --pwfile="$dir/password" --auth-host=scram-sha-256 \
        --auth-local=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 </dev/null ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    rm -f "$dir/password"
    port=$(free_port)
    # fsync, synchronous_commit and full_page_writes keep their defaults (on). max_connections covers the pools of
    # the servers under test; the rest are PostgreSQL 15's defaults.
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=200 ${PG_SETTINGS:-}" \
        >"$dir/pg_ctl.log" 2>&1 </dev/null || { cat "$dir/pg_ctl.log" "$dir/server.log" >&2; exit 1; }
    echo "$bin" >"$dir/bin"
    echo "$port" >"$dir/port"
    echo "postgresql://bench:$password@127.0.0.1:$port/postgres?sslmode=disable"
}

stop() {
    local dir=$1 bin
    [ -d "$dir" ] || return 0
    bin=$(cat "$dir/bin" 2>/dev/null || pg_bin)
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >>"$dir/pg_ctl.log" 2>&1 </dev/null ||
            as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >>"$dir/pg_ctl.log" 2>&1 </dev/null || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start)
    [ $# = 2 ] || { echo "usage: cluster.sh start DIR" >&2; exit 64; }
    start "$2"
    ;;
stop)
    [ $# = 2 ] || { echo "usage: cluster.sh stop DIR" >&2; exit 64; }
    stop "$2"
    ;;
run)
    shift
    [ $# -gt 0 ] || { echo "usage: cluster.sh run CMD [ARG...]" >&2; exit 64; }
    DIR=$(mktemp -d /tmp/bench-postgres.XXXXXX)
    rmdir "$DIR"
    trap 'stop "$DIR"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    BENCH_POSTGRES_URL=$(start "$DIR")
    BENCH_POSTGRES_PID=$(head -n 1 "$DIR/data/postmaster.pid")
    export BENCH_POSTGRES_URL BENCH_POSTGRES_PID
    echo "cluster.sh: PostgreSQL $("$(cat "$DIR/bin")/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$(cat "$DIR/port")" \
        "(fsync on, synchronous_commit on), data in $DIR" >&2
    status=0
    "$@" || status=$?
    exit "$status"
    ;;
*)
    echo "usage: cluster.sh start DIR | stop DIR | run CMD [ARG...]" >&2
    exit 64
    ;;
esac
