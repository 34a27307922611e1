#!/usr/bin/env bash
# REST benchmark: `GET /user/exchanges/` with a valid bearer token and 50 stored keys, served by exchange-bot
# (Swift, release build) and by the seed's stack (FastAPI + uvicorn + SQLAlchemy, seed_app.py), each on SQLite (one
# file) and on PostgreSQL (one database of a throw-away PostgreSQL cluster, postgres/cluster.sh; the seed through
# psycopg 3), loaded one after the other by `wrk` on loopback. Prints requests/s, p50/p99 latency, peak RSS and CPU
# of each server (and of PostgreSQL's processes), and the goal lines (throughput >= 5x the seed's on the same
# engine, lower p99).
#
#   Benchmarks/rest/run.sh
#
# Settings (environment): DURATION=15 (s, measured run), WARMUP=3 (s), CONNECTIONS=32, THREADS=1 (wrk),
# SEED_ACCESS_LOG=0 (1 runs uvicorn with its per-request access log, its default; 0 turns it off like the Swift
# side's LOG_LEVEL=warning), PYTHON=python3, SKIP_BUILD=0 (1 reuses the last release build), EXCHANGE_BOT=PATH (a
# release exchange-bot to measure instead of building one, e.g. Benchmarks/.build-bench/release/exchange-bot),
# ENGINES="sqlite postgres" (the engines to run, in this order), LOAD_WAIT=300 (at most this many seconds, before
# each measurement, to wait for other processes to use less than MAX_BACKGROUND=25 % of a core).
#
# Everything stays on 127.0.0.1. Both servers run with a clean environment (no Telegram token, health checks off),
# so neither talks to the outside. The temporary folder, the servers and the PostgreSQL cluster are removed on any
# exit. PostgreSQL keeps fsync and synchronous_commit on (production-like); this read-only load commits nothing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
SEED_ACCESS_LOG=${SEED_ACCESS_LOG:-0}
PYTHON=${PYTHON:-python3}
SKIP_BUILD=${SKIP_BUILD:-0}
LOAD_WAIT=${LOAD_WAIT:-300}
MAX_BACKGROUND=${MAX_BACKGROUND:-25}
ENGINES=${ENGINES:-sqlite postgres}
EXCHANGE_BOT=${EXCHANGE_BOT:-}
SCRATCH="$ROOT/.build-rest"
CLUSTER="$ROOT/Benchmarks/postgres/cluster.sh"

WORK=$(mktemp -d /tmp/rest-bench.XXXXXX)
SERVER_PIDS=()
CHILD_PIDS=()
PG_DIR=""
for engine in $ENGINES; do
    case "$engine" in sqlite | postgres) ;; *) echo "ENGINES: unknown engine $engine (sqlite, postgres)" >&2; exit 64 ;; esac
done

log() { printf '%s\n' "$*"; }

stop_server() {
    local pid=$1 waited=0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 50 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    for pid in "${CHILD_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${SERVER_PIDS[@]}"; do stop_server "$pid"; done
    if [ "$status" -ne 0 ]; then
        for name in swift-sqlite seed-sqlite swift-postgres seed-postgres; do
            if [ -s "$WORK/$name.log" ]; then
                log "--- last lines of the $name server's log:"
                tail -n 20 "$WORK/$name.log" >&2
            fi
        done
    fi
    [ -z "$PG_DIR" ] || "$CLUSTER" stop "$PG_DIR" || true
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
    log "REST BENCHMARK FAILED: $*"
    exit 1
}

# Runs a long step in the background and waits for it: bash runs traps only between commands, and `wait` is
# interrupted by a signal, so a SIGTERM or SIGINT cleans up at once instead of after the step.
run_child() {
    "$@" &
    local pid=$!
    CHILD_PIDS+=("$pid")
    wait "$pid"
}

# ------------------------------------------------------------------ tools

log "== tools"
if ! command -v wrk >/dev/null 2>&1; then
    log "installing wrk (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null; }
fi
command -v wrk >/dev/null || fail "wrk is not installed"
PY=$("$PYTHON" -c 'import sys; print(sys.executable)') || fail "no Python interpreter ($PYTHON)"
if ! "$PY" -c 'import fastapi, uvicorn, sqlalchemy, pydantic, cryptography, psycopg' 2>/dev/null; then
    log "installing the seed's stack (pip install -r Benchmarks/rest/requirements.txt)"
    "$PY" -m pip install -q -r "$HERE/requirements.txt" >&2
fi
SEED_VERSIONS=$("$PY" -c 'import sys, fastapi, starlette, pydantic, uvicorn, sqlalchemy, psycopg
print(f"Python {sys.version.split()[0]}, fastapi {fastapi.__version__}, starlette {starlette.__version__}, "
      f"pydantic {pydantic.VERSION}, uvicorn {uvicorn.__version__}, SQLAlchemy {sqlalchemy.__version__}, "
      f"psycopg {psycopg.__version__}")')

if [ -n "$EXCHANGE_BOT" ]; then
    BIN=$(cd "$(dirname "$EXCHANGE_BOT")" && pwd)/$(basename "$EXCHANGE_BOT")
    [ -x "$BIN" ] || fail "EXCHANGE_BOT=$EXCHANGE_BOT is not an executable"
else
    if [ "$SKIP_BUILD" != 1 ]; then
        log "== swift build -c release --scratch-path .build-rest --product exchange-bot"
        run_child swift build --package-path "$ROOT" -c release --scratch-path "$SCRATCH" --product exchange-bot >&2
    fi
    BIN="$(cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/exchange-bot"
    [ -x "$BIN" ] || fail "no release binary at $BIN (run without SKIP_BUILD=1)"
fi

# ------------------------------------------------------------------ database and token

log "== databases"
SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
MASTER_KEY=$(env -i PATH="$PATH" "$BIN" generate-key | tail -n 1)
SERVER_ENV=(env -i PATH="$PATH" HOME="$WORK" LANG=C.UTF-8)
declare -A DATABASE_URLS # engine -> the URL both servers get
DB="$WORK/bench.sqlite"
PG_URL=""
PG_POSTMASTER=""
swift_env() { # engine: sets SWIFT_ENV, the Swift server's whole environment (a command prefix)
    SWIFT_ENV=("${SERVER_ENV[@]}" BRAIN_CAPITAL_MASTER_KEY="$MASTER_KEY" SECRET_KEY="$SECRET_KEY"
        DATABASE_URL="${DATABASE_URLS[$1]}" LOG_LEVEL=warning HEALTH_CHECK_INTERVAL=0)
}
migrate_and_populate() { # engine
    local engine=$1 where
    swift_env "$engine"
    "${SWIFT_ENV[@]}" "$BIN" migrate >"$WORK/migrate-$engine.log" 2>&1 ||
        { cat "$WORK/migrate-$engine.log" >&2; fail "exchange-bot migrate ($engine)"; }
    if [ "$engine" = sqlite ]; then where=(--db "$DB"); else where=(--database-url "$PG_URL"); fi
    BENCH_MASTER_KEY="$MASTER_KEY" "$PY" "$HERE/bench_tools.py" populate "${where[@]}"
}
for engine in $ENGINES; do
    if [ "$engine" = sqlite ]; then
        DATABASE_URLS[sqlite]="sqlite:///$DB" # an absolute path gives SQLAlchemy's sqlite:////abs/path form
    else
        PG_DIR="$WORK-postgres" # beside $WORK, which is private: the postgres user must enter it
        SERVER_URL=$("$CLUSTER" start "$PG_DIR") || fail "could not start PostgreSQL (postgres/cluster.sh)"
        PG_POSTMASTER=$(head -n 1 "$PG_DIR/data/postmaster.pid")
        "$PY" -c 'import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as connection:
    connection.execute("CREATE DATABASE rest_bench")' "$SERVER_URL" || fail "CREATE DATABASE rest_bench"
        PG_URL=${SERVER_URL/\/postgres\?//rest_bench?}
        DATABASE_URLS[postgres]="$PG_URL"
        log "PostgreSQL $("$(cat "$PG_DIR/bin")/postgres" --version | awk '{ print $3 }') on" \
            "127.0.0.1:$(cat "$PG_DIR/port"), fsync on, synchronous_commit on"
    fi
    migrate_and_populate "$engine"
done
FIRST_ENGINE=${ENGINES%% *}
swift_env "$FIRST_ENGINE"
TOKEN=$("${SWIFT_ENV[@]}" "$BIN" token 1 | tail -n 1)
[ -n "$TOKEN" ] || fail "exchange-bot token 1 printed nothing"

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_for_port() { # name pid port
    local name=$1 pid=$2 port=$3 tries=0
    while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || fail "the $name server exited before listening on 127.0.0.1:$port"
        tries=$((tries + 1))
        [ "$tries" -lt 600 ] || fail "the $name server did not listen on 127.0.0.1:$port within 60 s"
        sleep 0.1
    done
}

# ------------------------------------------------------------------ servers

log "== servers"
declare -A PIDS URLS
SEED_FLAGS=()
[ "$SEED_ACCESS_LOG" = 1 ] || SEED_FLAGS=(--no-access-log)
USED_PORTS=" "
new_port() {
    local port
    port=$(free_port)
    while [[ "$USED_PORTS" == *" $port "* ]]; do port=$(free_port); done
    USED_PORTS+="$port "
    echo "$port"
}
NAMES=()
for engine in $ENGINES; do
    port=$(new_port)
    swift_env "$engine"
    "${SWIFT_ENV[@]}" API_HOST=127.0.0.1 API_PORT="$port" API_RATE_LIMIT=1000000/second \
        "$BIN" run >"$WORK/swift-$engine.log" 2>&1 &
    PIDS[swift-$engine]=$!
    SERVER_PIDS+=("$!")
    wait_for_port "swift-$engine" "$!" "$port"
    URLS[swift-$engine]="http://127.0.0.1:$port/user/exchanges/"

    port=$(new_port)
    "${SERVER_ENV[@]}" SECRET_KEY="$SECRET_KEY" DATABASE_URL="${DATABASE_URLS[$engine]}" PYTHONDONTWRITEBYTECODE=1 \
        "$PY" -m uvicorn seed_app:app --app-dir "$HERE" --host 127.0.0.1 --port "$port" --workers 1 \
        "${SEED_FLAGS[@]}" >"$WORK/seed-$engine.log" 2>&1 &
    PIDS[seed-$engine]=$!
    SERVER_PIDS+=("$!")
    wait_for_port "seed-$engine" "$!" "$port"
    URLS[seed-$engine]="http://127.0.0.1:$port/user/exchanges/"
    NAMES+=("swift-$engine" "seed-$engine")
done

for engine in $ENGINES; do
    if [ "$engine" = sqlite ]; then where=(--db "$DB"); else where=(--database-url "$PG_URL"); fi
    BENCH_TOKEN="$TOKEN" "$PY" "$HERE/bench_tools.py" check "${where[@]}" \
        --url "swift-$engine=${URLS[swift-$engine]}" --url "seed-$engine=${URLS[seed-$engine]}"
done
if [ "${#NAMES[@]}" = 4 ]; then # the same answers from either engine
    BENCH_TOKEN="$TOKEN" "$PY" "$HERE/bench_tools.py" check --db "$DB" \
        --url "swift-sqlite=${URLS[swift-sqlite]}" --url "swift-postgres=${URLS[swift-postgres]}"
fi

# ------------------------------------------------------------------ load

HZ=$(getconf CLK_TCK)

busy_ticks() { # CPU time used by the whole machine (all cores), in clock ticks
    awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

cpu_ticks() { # utime + stime of a process, in clock ticks
    local line rest
    read -r line <"/proc/$1/stat"
    rest=${line##*) }
    # shellcheck disable=SC2086
    set -- $rest
    echo $((${12} + ${13}))
}

postgres_ticks() { # CPU of PostgreSQL's processes so far, in clock ticks: utime + stime of the postmaster and its
    # live children (backends, writers), plus the postmaster's cutime + cstime (the backends it has reaped)
    [ -n "$PG_POSTMASTER" ] || { echo 0; return; }
    local total=0 pid line rest
    for pid in "$PG_POSTMASTER" $(pgrep -P "$PG_POSTMASTER" || true); do
        read -r line <"/proc/$pid/stat" 2>/dev/null || continue
        rest=${line##*) }
        # shellcheck disable=SC2086
        set -- $rest
        total=$((total + ${12} + ${13}))
        [ "$pid" != "$PG_POSTMASTER" ] || total=$((total + ${14} + ${15}))
    done
    echo "$total"
}

children_ticks() { # file: the output of bash `times` (user + system time of the shell's finished children)
    awk -v hz="$HZ" 'NR == 2 {
        total = 0
        for (i = 1; i <= 2; i++) { split($i, part, /[ms]/); total += part[1] * 60 + part[2] }
        printf "%d\n", total * hz + 0.5 }' "$1"
}

background_percent() { # CPU used by other processes over 2 s while nothing of ours is busy, in % of one core
    local before after
    before=$(busy_ticks)
    sleep 2
    after=$(busy_ticks)
    echo $(((after - before) * 100 / (2 * HZ)))
}

BACKGROUND=0
wait_for_quiet() { # sets BACKGROUND
    local waited=0
    BACKGROUND=$(background_percent)
    while [ "$BACKGROUND" -gt "$MAX_BACKGROUND" ] && [ "$waited" -lt "$LOAD_WAIT" ]; do
        log "   busy machine (other processes use ${BACKGROUND}% of a core); waiting"
        sleep 8
        waited=$((waited + 10))
        BACKGROUND=$(background_percent)
    done
}

measure() { # name pid url
    local name=$1 pid=$2 url=$3 server0 server1 busy0 busy1 db0=0 db1=0
    wait_for_quiet
    log "== $name: warm-up ${WARMUP}s, then ${DURATION}s with $CONNECTIONS connections on $THREADS wrk thread(s)" \
        "(other processes before: ${BACKGROUND}% of a core)"
    run_child timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 10s \
        -H "Authorization: Bearer $TOKEN" "$url" >"$WORK/$name.warmup" 2>&1 || fail "$name: wrk warm-up failed"
    [[ "$name" != *postgres ]] || db0=$(postgres_ticks)
    server0=$(cpu_ticks "$pid")
    busy0=$(busy_ticks)
    times >"$WORK/times.before" # in this shell: `times` in a $(...) subshell would not see wrk
    run_child timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency \
        -s "$HERE/wrk_report.lua" -H "Authorization: Bearer $TOKEN" "$url" >"$WORK/$name.wrk" 2>&1 ||
        { cat "$WORK/$name.wrk" >&2; fail "$name: wrk failed"; }
    times >"$WORK/times.after"
    busy1=$(busy_ticks)
    server1=$(cpu_ticks "$pid")
    [[ "$name" != *postgres ]] || db1=$(postgres_ticks)
    kill -0 "$pid" 2>/dev/null || fail "the $name server died under load"
    {
        echo "name=$name"
        echo "background=$BACKGROUND"
        echo "rss_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")"
        echo "server_ticks=$((server1 - server0))"
        echo "db_ticks=$((db1 - db0))"
        echo "wrk_ticks=$(($(children_ticks "$WORK/times.after") - $(children_ticks "$WORK/times.before")))"
        echo "busy_ticks=$((busy1 - busy0))"
        echo "hz=$HZ"
        grep '^WRK_RESULT' "$WORK/$name.wrk" | cut -d' ' -f2- | tr ' ' '\n'
    } >"$WORK/$name.result"
    grep -q '^rps=' "$WORK/$name.result" || { cat "$WORK/$name.wrk" >&2; fail "$name: no result line from wrk"; }
    local non_2xx socket_errors
    non_2xx=$(sed -n 's/^non_2xx=//p' "$WORK/$name.result")
    [ "$non_2xx" = 0 ] || { cat "$WORK/$name.wrk" >&2; fail "$name answered $non_2xx non-2xx responses under load"; }
    socket_errors=$(awk -F= '/^(connect|read|write)_errors=|^timeouts=/ { sum += $2 } END { print sum + 0 }' "$WORK/$name.result")
    [ "$socket_errors" = 0 ] || log "WARNING: $name: $socket_errors socket errors or timeouts (see wrk output)"
    {
        echo "---- wrk against $name ($url)"
        grep -v '^WRK_RESULT' "$WORK/$name.wrk"
    }
}

for name in "${NAMES[@]}"; do # one at a time; each stops after its run, the ones still to come sit idle
    measure "$name" "${PIDS[$name]}" "${URLS[$name]}"
    stop_server "${PIDS[$name]}"
done

# ------------------------------------------------------------------ report

field() { sed -n "s/^$2=//p" "$WORK/$1.result"; }

echo
echo "REST benchmark: GET /user/exchanges/ (valid bearer token, 50 stored keys), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s after a ${WARMUP}s warm-up, loopback"
echo "host: $(nproc) cores, $(uname -sr), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "swift: exchange-bot release (Hummingbird; GRDB on SQLite, postgres-nio on PostgreSQL), LOG_LEVEL=warning"
echo "seed: $SEED_VERSIONS; uvicorn 1 worker, $([ "$SEED_ACCESS_LOG" = 1 ] && echo "access log on (default)" || echo "--no-access-log")"
[ -z "$PG_DIR" ] || echo "PostgreSQL $("$(cat "$PG_DIR/bin")/postgres" --version | awk '{ print $3 }') on 127.0.0.1, fsync on, synchronous_commit on; the seed through SQLAlchemy + psycopg 3 (postgresql+psycopg://, QueuePool defaults)"
echo
printf '%-15s %8s %7s %7s %7s %8s %8s %8s %8s %5s %10s %10s %5s %6s\n' server 'req/s' 'p50 ms' 'p90 ms' 'p99 ms' \
    'max ms' requests 'RSS MiB' 'server%' 'db%' 'srv ms/rq' '+db ms/rq' 'wrk%' 'other%'
for name in "${NAMES[@]}"; do
    awk -v name="$name" -F= '{ v[$1] = $2 } END {
        seconds = v["seconds"]; hz = v["hz"]
        others = (v["busy_ticks"] - v["server_ticks"] - v["db_ticks"] - v["wrk_ticks"]) / hz
        if (others < 0) others = 0
        printf "%-15s %8.0f %7.2f %7.2f %7.2f %8.2f %8d %8.1f %8.0f %5.0f %10.2f %10.2f %5.0f %6.0f\n", name, v["rps"],
            v["p50_us"] / 1000, v["p90_us"] / 1000, v["p99_us"] / 1000, v["max_us"] / 1000, v["requests"],
            v["rss_kib"] / 1024, 100 * v["server_ticks"] / hz / seconds, 100 * v["db_ticks"] / hz / seconds,
            1000 * v["server_ticks"] / hz / v["requests"], 1000 * (v["server_ticks"] + v["db_ticks"]) / hz / v["requests"],
            100 * v["wrk_ticks"] / hz / seconds, 100 * others / seconds }' "$WORK/$name.result"
done
echo "(server%, db%, wrk%, other%: CPU time of the server, of PostgreSQL's processes, of wrk and of every other"
echo " process during the measured run, in % of one core; the machine has $(nproc). srv ms/rq: the server's CPU per"
echo " request; +db ms/rq: with PostgreSQL's. RSS: the server's peak (VmHWM). other% before each run:" \
    "$(for name in "${NAMES[@]}"; do printf '%s %s%% ' "$name" "$(field "$name" background)"; done))"
echo
goal() { # label fast slow
    awk -v label="$1" -v fast="$2" -v slow="$3" -v f_rps="$(field "$2" rps)" -v s_rps="$(field "$3" rps)" \
        -v f_p99="$(field "$2" p99_us)" -v s_p99="$(field "$3" p99_us)" 'BEGIN {
        ratio = f_rps / s_rps
        printf "%s: %s %.0f req/s, %s %.0f req/s, ratio %.2fx (goal >= 5x: %s); p99 %.2f ms vs %.2f ms (goal lower: %s)\n",
            label, fast, f_rps, slow, s_rps, ratio, (ratio >= 5 ? "met" : "not met"), f_p99 / 1000, s_p99 / 1000,
            (f_p99 < s_p99 ? "met" : "not met")
    }'
}
for engine in $ENGINES; do goal "$engine" "swift-$engine" "seed-$engine"; done
if [ "${#NAMES[@]}" = 4 ]; then
    awk -v pg="$(field swift-postgres rps)" -v lite="$(field swift-sqlite rps)" -v spg="$(field seed-postgres rps)" \
        -v slite="$(field seed-sqlite rps)" 'BEGIN {
        printf "engines: swift postgres/sqlite %.2fx, seed postgres/sqlite %.2fx (throughput)\n", pg / lite, spg / slite
    }'
fi
