#!/usr/bin/env bash
# REST benchmark: `GET /user/exchanges/` with a valid bearer token and 50 stored keys, served by exchange-bot
# (Swift, release build) and by the seed's stack (FastAPI + uvicorn + SQLAlchemy, seed_app.py) over the same SQLite
# file, loaded one after the other by `wrk` on loopback. Prints requests/s, p50/p99 latency, peak RSS and CPU of
# each server, and the goal lines (throughput >= 5x the seed's, lower p99).
#
#   Benchmarks/rest/run.sh
#
# Settings (environment): DURATION=15 (s, measured run), WARMUP=3 (s), CONNECTIONS=32, THREADS=1 (wrk),
# SEED_ACCESS_LOG=0 (1 runs uvicorn with its per-request access log, its default; 0 turns it off like the Swift
# side's LOG_LEVEL=warning), PYTHON=python3, SKIP_BUILD=0 (1 reuses the last release build), LOAD_WAIT=300 (at most
# this many seconds, before each measurement, to wait for other processes to use less than MAX_BACKGROUND=25 % of
# a core).
#
# Everything stays on 127.0.0.1. Both servers run with a clean environment (no Telegram token, health checks off),
# so neither talks to the outside. The temporary folder and both servers are removed on any exit.
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
SCRATCH="$ROOT/.build-rest"

WORK=$(mktemp -d /tmp/rest-bench.XXXXXX)
SERVER_PIDS=()
CHILD_PIDS=()

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
        for name in swift seed; do
            if [ -s "$WORK/$name.log" ]; then
                log "--- last lines of the $name server's log:"
                tail -n 20 "$WORK/$name.log" >&2
            fi
        done
    fi
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
if ! "$PY" -c 'import fastapi, uvicorn, sqlalchemy, pydantic, cryptography' 2>/dev/null; then
    log "installing the seed's stack (pip install -r Benchmarks/rest/requirements.txt)"
    "$PY" -m pip install -q -r "$HERE/requirements.txt" >&2
fi
SEED_VERSIONS=$("$PY" -c 'import sys, fastapi, starlette, pydantic, uvicorn, sqlalchemy
print(f"Python {sys.version.split()[0]}, fastapi {fastapi.__version__}, starlette {starlette.__version__}, "
      f"pydantic {pydantic.VERSION}, uvicorn {uvicorn.__version__}, SQLAlchemy {sqlalchemy.__version__}")')

if [ "$SKIP_BUILD" != 1 ]; then
    log "== swift build -c release --scratch-path .build-rest --product exchange-bot"
    run_child swift build --package-path "$ROOT" -c release --scratch-path "$SCRATCH" --product exchange-bot >&2
fi
BIN="$(cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/exchange-bot"
[ -x "$BIN" ] || fail "no release binary at $BIN (run without SKIP_BUILD=1)"

# ------------------------------------------------------------------ database and token

log "== database"
DB="$WORK/bench.sqlite"
DATABASE_URL="sqlite:///$DB" # an absolute path gives SQLAlchemy's sqlite:////abs/path form
SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
MASTER_KEY=$(env -i PATH="$PATH" "$BIN" generate-key | tail -n 1)
SERVER_ENV=(env -i PATH="$PATH" HOME="$WORK" LANG=C.UTF-8)
SWIFT_ENV=("${SERVER_ENV[@]}" BRAIN_CAPITAL_MASTER_KEY="$MASTER_KEY" SECRET_KEY="$SECRET_KEY"
    DATABASE_URL="$DATABASE_URL" LOG_LEVEL=warning HEALTH_CHECK_INTERVAL=0)
"${SWIFT_ENV[@]}" "$BIN" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; fail "exchange-bot migrate"; }
BENCH_MASTER_KEY="$MASTER_KEY" "$PY" "$HERE/bench_tools.py" populate --db "$DB"
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
SWIFT_PORT=$(free_port)
"${SWIFT_ENV[@]}" API_HOST=127.0.0.1 API_PORT="$SWIFT_PORT" API_RATE_LIMIT=1000000/second \
    "$BIN" run >"$WORK/swift.log" 2>&1 &
SWIFT_PID=$!
SERVER_PIDS+=("$SWIFT_PID")
wait_for_port swift "$SWIFT_PID" "$SWIFT_PORT"

SEED_PORT=$(free_port)
[ "$SEED_PORT" != "$SWIFT_PORT" ] || SEED_PORT=$(free_port)
SEED_FLAGS=()
[ "$SEED_ACCESS_LOG" = 1 ] || SEED_FLAGS=(--no-access-log)
"${SERVER_ENV[@]}" SECRET_KEY="$SECRET_KEY" DATABASE_URL="$DATABASE_URL" PYTHONDONTWRITEBYTECODE=1 \
    "$PY" -m uvicorn seed_app:app --app-dir "$HERE" --host 127.0.0.1 --port "$SEED_PORT" --workers 1 \
    "${SEED_FLAGS[@]}" >"$WORK/seed.log" 2>&1 &
SEED_PID=$!
SERVER_PIDS+=("$SEED_PID")
wait_for_port seed "$SEED_PID" "$SEED_PORT"

SWIFT_URL="http://127.0.0.1:$SWIFT_PORT/user/exchanges/"
SEED_URL="http://127.0.0.1:$SEED_PORT/user/exchanges/"
BENCH_TOKEN="$TOKEN" "$PY" "$HERE/bench_tools.py" check --db "$DB" --url "swift=$SWIFT_URL" --url "seed=$SEED_URL"

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
    local name=$1 pid=$2 url=$3 server0 server1 busy0 busy1
    wait_for_quiet
    log "== $name: warm-up ${WARMUP}s, then ${DURATION}s with $CONNECTIONS connections on $THREADS wrk thread(s)" \
        "(other processes before: ${BACKGROUND}% of a core)"
    run_child timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 10s \
        -H "Authorization: Bearer $TOKEN" "$url" >"$WORK/$name.warmup" 2>&1 || fail "$name: wrk warm-up failed"
    server0=$(cpu_ticks "$pid")
    busy0=$(busy_ticks)
    times >"$WORK/times.before" # in this shell: `times` in a $(...) subshell would not see wrk
    run_child timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency \
        -s "$HERE/wrk_report.lua" -H "Authorization: Bearer $TOKEN" "$url" >"$WORK/$name.wrk" 2>&1 ||
        { cat "$WORK/$name.wrk" >&2; fail "$name: wrk failed"; }
    times >"$WORK/times.after"
    busy1=$(busy_ticks)
    server1=$(cpu_ticks "$pid")
    kill -0 "$pid" 2>/dev/null || fail "the $name server died under load"
    {
        echo "name=$name"
        echo "background=$BACKGROUND"
        echo "rss_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")"
        echo "server_ticks=$((server1 - server0))"
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

measure swift "$SWIFT_PID" "$SWIFT_URL"
stop_server "$SWIFT_PID" # the seed runs alone
measure seed "$SEED_PID" "$SEED_URL"
stop_server "$SEED_PID"

# ------------------------------------------------------------------ report

field() { sed -n "s/^$2=//p" "$WORK/$1.result"; }

echo
echo "REST benchmark: GET /user/exchanges/ (valid bearer token, 50 stored keys), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s after a ${WARMUP}s warm-up, loopback"
echo "host: $(nproc) cores, $(uname -sr); swift: exchange-bot release (Hummingbird, GRDB), LOG_LEVEL=warning"
echo "seed: $SEED_VERSIONS; uvicorn 1 worker, $([ "$SEED_ACCESS_LOG" = 1 ] && echo "access log on (default)" || echo "--no-access-log")"
echo
printf '%-7s %9s %8s %8s %8s %8s %9s %13s %9s %10s %7s %9s\n' server 'req/s' 'p50 ms' 'p90 ms' 'p99 ms' \
    'max ms' 'requests' 'peak RSS MiB' 'server %' 'CPU ms/req' 'wrk %' 'others %'
for name in swift seed; do
    awk -v name="$name" -F= '{ v[$1] = $2 } END {
        seconds = v["seconds"]; hz = v["hz"]
        others = (v["busy_ticks"] - v["server_ticks"] - v["wrk_ticks"]) / hz
        if (others < 0) others = 0
        printf "%-7s %9.0f %8.2f %8.2f %8.2f %8.2f %9d %13.1f %9.0f %10.2f %7.0f %9.0f\n", name, v["rps"],
            v["p50_us"] / 1000, v["p90_us"] / 1000, v["p99_us"] / 1000, v["max_us"] / 1000, v["requests"],
            v["rss_kib"] / 1024, 100 * v["server_ticks"] / hz / seconds, 1000 * v["server_ticks"] / hz / v["requests"],
            100 * v["wrk_ticks"] / hz / seconds, 100 * others / seconds }' "$WORK/$name.result"
done
echo "(server %, wrk %, others %: CPU time of the server, of wrk and of every other process during the measured"
echo " run, in % of one core; the machine has $(nproc). others % before each run: swift $(field swift background)%," \
    "seed $(field seed background)%.)"
echo
awk -v s_rps="$(field swift rps)" -v p_rps="$(field seed rps)" -v s_p99="$(field swift p99_us)" \
    -v p_p99="$(field seed p99_us)" -v s_rss="$(field swift rss_kib)" -v p_rss="$(field seed rss_kib)" 'BEGIN {
    ratio = s_rps / p_rps
    throughput_goal = ratio >= 5 ? "met" : "not met"
    p99_goal = s_p99 < p_p99 ? "met" : "not met"
    printf "throughput: swift %.0f req/s, seed %.0f req/s, ratio %.2fx (goal >= 5x: %s)\n", s_rps, p_rps, ratio, throughput_goal
    printf "p99: swift %.2f ms, seed %.2f ms (goal lower: %s)\n", s_p99 / 1000, p_p99 / 1000, p99_goal
    printf "peak RSS: swift %.1f MiB, seed %.1f MiB\n", s_rss / 1024, p_rss / 1024
}'
