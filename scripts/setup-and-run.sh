#!/usr/bin/env bash
# One command from a fresh clone to a running service: installs the system packages, builds in release, writes
# exchange-bot.env with fresh keys on first run (never overwriting an existing one), migrates, then runs the
# service in the foreground (Ctrl-C or SIGTERM stops it cleanly). Edit exchange-bot.env to add the Telegram bot.
set -euo pipefail
# Everything this script and the service create (the env file, the database, its WAL and journal files) is for
# this user alone, on every run, not only the first.
umask 077
cd "$(dirname "$0")/.."
source scripts/swift-env.sh
scripts/install-dependencies.sh

echo "building exchange-bot (release)…"
# The Swift runtime and Foundation linked in: the binary runs without a Swift toolchain, and idles in less memory.
swift build -c release --static-swift-stdlib --product exchange-bot
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/exchange-bot"

# Copies the example configuration with the two secrets filled in. The secrets only ever pass through pipes, shell
# variables and the builtin printf: never a command line, which any local user can read in `ps`.
write_env_file() {
    local master_key="$1" secret_key="$2" line
    while IFS= read -r line || [[ -n "$line" ]]; do
        case "$line" in
            BRAIN_CAPITAL_MASTER_KEY=*) printf 'BRAIN_CAPITAL_MASTER_KEY=%s\n' "$master_key" ;;
            SECRET_KEY=* | \#SECRET_KEY=* | \#\ SECRET_KEY=*) printf 'SECRET_KEY=%s\n' "$secret_key" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done <deploy/exchange-bot.env.example
}

env_file="exchange-bot.env"
if [[ ! -f "$env_file" ]]; then
    master_key="$("$binary" generate-key | tail -n 1)"
    secret_key="$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
    # mktemp creates the file with mode 600 whatever the umask; it becomes the env file only once complete.
    partial="$(mktemp "$env_file.XXXXXX")"
    write_env_file "$master_key" "$secret_key" >"$partial"
    unset master_key secret_key
    mv "$partial" "$env_file"
    echo "wrote $env_file with a new master key and REST secret (mode 600); keep a backup of the master key"
fi

set -a
# shellcheck disable=SC1090
source "$env_file"
set +a
"$binary" migrate
echo "starting exchange-bot (stop with Ctrl-C)"
exec "$binary" run
