#!/usr/bin/env bash
# Runs the whole test suite: installs what the build needs, builds every target (the command-line tests run the
# real exchange-bot binary), then runs `swift test`. Needs no network beyond the package fetch.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swift-env.sh
scripts/install-dependencies.sh
swift build --build-tests
swift test --skip-build "$@"
