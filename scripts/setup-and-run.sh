#!/usr/bin/env bash
# One command from a fresh clone to a running service: installs the system packages, builds in release, writes
# exchange-bot.env with fresh keys on first run (never overwriting an existing one), migrates, then runs the
# service in the foreground (Ctrl-C or SIGTERM stops it cleanly). Edit exchange-bot.env to add the Telegram bot.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swift-env.sh
scripts/install-dependencies.sh

echo "building exchange-bot (release)…"
# The Swift runtime and Foundation linked in: the binary runs without a Swift toolchain, and idles in less memory.
swift build -c release --static-swift-stdlib --product exchange-bot
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/exchange-bot"

env_file="exchange-bot.env"
if [[ ! -f "$env_file" ]]; then
    master_key="$("$binary" generate-key | tail -n 1)"
    secret_key="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
    umask 077
    sed -e "s|^BRAIN_CAPITAL_MASTER_KEY=.*|BRAIN_CAPITAL_MASTER_KEY=$master_key|" \
        -e "s|^#\? *SECRET_KEY=.*|SECRET_KEY=$secret_key|" \
        deploy/exchange-bot.env.example > "$env_file"
    echo "wrote $env_file with a new master key and REST secret (mode 600); keep a backup of the master key"
fi

set -a
# shellcheck disable=SC1090
source "$env_file"
set +a
"$binary" migrate
echo "starting exchange-bot (stop with Ctrl-C)"
exec "$binary" run
