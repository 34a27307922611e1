#!/usr/bin/env bash
# Runs the whole test suite: installs what the build needs, builds every target (the command-line tests run the
# real exchange-bot binary), then runs `swift test`. Needs no network beyond the package fetch.
#
# Without arguments the suite runs in two passes. First everything that runs in the test process alone; then the
# suites that start other programs (Python oracles, Schemathesis, the PostgreSQL server's work, the exchange-bot
# binary, systemd-analyze, the setup scripts, nginx, Node.js). Run together on a 2-core machine, those programs'
# CPU starves the in-process fakes, whose protocol timers (signature windows, long polls) then fail. With arguments
# (a --filter, say), one `swift test` run gets them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/swift-env.sh
scripts/install-dependencies.sh
swift build --build-tests

if (($#)); then
    exec swift test --skip-build "$@"
fi
outside="SchemathesisTests|CCXTOracleTests|PostgresStorageTests|SeedPlatformBotTests|PythonInteropTests"
outside+="|FernetPythonInteropTests|PythonCrossCheck|SetupScriptTests|InstallScriptTests|SystemdUnitTests"
outside+="|CommandLineTests|ExchangeBotAppTests.EndToEndTests|PostgresCommandTests|BotCrashRecoveryTests"
outside+="|SeedCompatibilityTests"
outside+="|SMTPPeerTests|MailSenderPeerTests|LinkCodeCommandTests|PlatformAccountEndToEndTests|MinimalUsersTableTests"
outside+="|LeaderFailoverTests|FailoverDeliveryTests|FailoverBenchmark"
outside+="|NginxProxyTests|DocsPageTests|WebhookDeploymentTests"
echo "== pass 1 of 2: the tests that run in-process"
swift test --skip-build --skip "$outside"
echo "== pass 2 of 2: the tests that start other programs"
swift test --skip-build --filter "$outside"
