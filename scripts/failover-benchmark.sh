#!/usr/bin/env bash
# Measures failover on PostgreSQL: two `exchange-bot run` instances on one database, the leader killed with
# SIGKILL again and again (10 times unless KILLS is set); prints the time from each kill to the new leader's first
# getUpdates, then the median and the maximum. Needs PostgreSQL installed (scripts/install-dependencies.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swift-env.sh
swift build --build-tests
EXCHANGE_BOT_FAILOVER_KILLS="${KILLS:-10}" swift test --skip-build --filter FailoverBenchmark 2>&1 |
    grep -E "^kill [0-9]+:|failover after kill|passed|failed|error"
