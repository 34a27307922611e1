#!/usr/bin/env bash
# Installs exchange-bot as a systemd service (run as root, after scripts/setup-and-run.sh or a release build):
# creates the exchange-bot user, copies the binary, the unit and an environment file to fill in, and enables it.
#
# An installed unit that differs from deploy/exchange-bot.service (edited by hand, or from an older release) is
# kept: the new one is written beside it as exchange-bot.service.dist to compare and merge. With --force the new
# unit replaces it, and the old one is kept as exchange-bot.service.bak. Local changes are best kept in a drop-in
# (`systemctl edit exchange-bot`), which this script never touches.
set -euo pipefail

# Installs the unit `new` at `target` unless a different unit is there already (see above). Prints what it did;
# returns 0 when `target` is now `new`, 3 when the installed unit was kept.
install_unit() {
    local new="$1" target="$2" force="$3"
    if [[ -e "$target" ]] && ! cmp -s "$new" "$target"; then
        if [[ "$force" != yes ]]; then
            install -m 644 "$new" "$target.dist"
            echo "kept $target: it differs from this release's unit, which is now $target.dist" >&2
            echo "  compare with: diff -u $target $target.dist; merge by hand, or run again with --force" >&2
            return 3
        fi
        cp -p "$target" "$target.bak"
        echo "replacing $target (the previous unit is kept as $target.bak)"
    fi
    install -m 644 "$new" "$target"
    rm -f "$target.dist"
}

main() {
    local force=no
    for argument in "$@"; do
        case "$argument" in
            --force) force=yes ;;
            *) echo "usage: $0 [--force]" >&2; exit 2 ;;
        esac
    done
    cd "$(dirname "$0")/.."
    source scripts/swift-env.sh
    [[ $(id -u) -eq 0 ]] || { echo "run as root" >&2; exit 1; }

    swift build -c release --static-swift-stdlib --product exchange-bot
    local bin_path
    bin_path="$(swift build -c release --static-swift-stdlib --show-bin-path)"
    install -m 755 "$bin_path/exchange-bot" /usr/local/bin/exchange-bot
    # The bot's texts, where the binary looks for them (../share/exchange-bot/locales from /usr/local/bin).
    install -d -m 755 /usr/local/share/exchange-bot/locales
    install -m 644 locales/*.json /usr/local/share/exchange-bot/locales/
    id exchange-bot >/dev/null 2>&1 ||
        useradd --system --home-dir /var/lib/exchange-bot --shell /usr/sbin/nologin exchange-bot
    install -d -m 700 -o exchange-bot -g exchange-bot /var/lib/exchange-bot
    install -d -m 755 /etc/exchange-bot
    if [[ ! -f /etc/exchange-bot/exchange-bot.env ]]; then
        install -m 600 deploy/exchange-bot.env.example /etc/exchange-bot/exchange-bot.env
        echo "edit /etc/exchange-bot/exchange-bot.env (BRAIN_CAPITAL_MASTER_KEY, TELEGRAM_BOT_TOKEN and/or SECRET_KEY)"
    fi
    install -d -m 755 /usr/local/share/doc/exchange-bot
    install -m 644 README.md /usr/local/share/doc/exchange-bot/README.md
    local unit_status=0
    install_unit deploy/exchange-bot.service /etc/systemd/system/exchange-bot.service "$force" || unit_status=$?
    [[ $unit_status -eq 0 || $unit_status -eq 3 ]] || exit "$unit_status"
    systemctl daemon-reload
    systemctl enable exchange-bot
    echo "enabled; start with: systemctl start exchange-bot"
}

# Sourcing the script (as its tests do) defines the functions without running anything.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
