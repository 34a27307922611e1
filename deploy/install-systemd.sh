#!/usr/bin/env bash
# Installs exchange-bot as a systemd service (run as root, after scripts/setup-and-run.sh or a release build):
# creates the exchange-bot user, copies the binary, the unit and an environment file to fill in, and enables it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swift-env.sh
[[ $(id -u) -eq 0 ]] || { echo "run as root" >&2; exit 1; }

swift build -c release --static-swift-stdlib --product exchange-bot
install -m 755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/exchange-bot" /usr/local/bin/exchange-bot
# The bot's texts, where the binary looks for them (../share/exchange-bot/locales from /usr/local/bin).
install -d -m 755 /usr/local/share/exchange-bot/locales
install -m 644 locales/*.json /usr/local/share/exchange-bot/locales/
id exchange-bot >/dev/null 2>&1 || useradd --system --home-dir /var/lib/exchange-bot --shell /usr/sbin/nologin exchange-bot
install -d -m 700 -o exchange-bot -g exchange-bot /var/lib/exchange-bot
install -d -m 755 /etc/exchange-bot
if [[ ! -f /etc/exchange-bot/exchange-bot.env ]]; then
    install -m 600 deploy/exchange-bot.env.example /etc/exchange-bot/exchange-bot.env
    echo "edit /etc/exchange-bot/exchange-bot.env (BRAIN_CAPITAL_MASTER_KEY, TELEGRAM_BOT_TOKEN and/or SECRET_KEY)"
fi
install -d -m 755 /usr/local/share/doc/exchange-bot
install -m 644 README.md /usr/local/share/doc/exchange-bot/README.md
install -m 644 deploy/exchange-bot.service /etc/systemd/system/exchange-bot.service
systemctl daemon-reload
systemctl enable exchange-bot
echo "enabled; start with: systemctl start exchange-bot"
