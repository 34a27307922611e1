#!/usr/bin/env bash
# Installs the system packages the build and the tests need, when they are missing (Debian/Ubuntu).
# The Swift toolchain itself (6.1 or later) is a prerequisite: see README.md.
set -euo pipefail

# systemd brings `systemd-analyze` (the unit's security score) and strace traces the setup script: both tests only.
# postgresql: the tests start a throw-away PostgreSQL cluster of their own (initdb, as the `postgres` user) to run
# the store contract and end-to-end tests on the second engine; the service itself needs no local server.
# nginx, curl and openssl: the test that runs deploy/nginx/exchange-bot.conf in front of the service (nginx as the
# test's user, on loopback; its packaged service is not needed). nodejs: the test that runs the /docs page's script.
packages=(libsqlite3-dev sqlite3 python3 systemd strace postgresql nginx curl openssl nodejs)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

# Python's `cryptography` is the tests' independent Fernet oracle; the tests skip those checks without it.
if ! python3 -c "import cryptography" 2>/dev/null; then
    python3 -m pip install --quiet cryptography 2>/dev/null \
        || echo "note: python3 has no 'cryptography' module; the Python interop tests will be skipped"
fi

# CCXT is a second independent oracle for the exchange signers; those tests skip without it.
if ! python3 -c "import ccxt" 2>/dev/null; then
    python3 -m pip install --quiet ccxt 2>/dev/null \
        || echo "note: python3 has no 'ccxt' module; the CCXT oracle tests will be skipped"
fi

# psycopg 3 and SQLAlchemy 2 play the platform on a shared PostgreSQL database (the seed's models, rows written and
# read by Python); those tests skip, saying why, without them.
if ! python3 -c "import psycopg, sqlalchemy" 2>/dev/null; then
    python3 -m pip install --quiet --timeout 15 --retries 1 "psycopg[binary]>=3,<4" "SQLAlchemy>=2,<3" 2>/dev/null \
        || echo "note: python3 has no 'psycopg' or 'sqlalchemy' module; the PostgreSQL Python interop test will be skipped"
fi

# aiosmtpd is the real SMTP server the mail tests deliver to (plain, STARTTLS, AUTH, 4xx, 5xx); they skip, saying
# why, without it.
if ! python3 -c "import aiosmtpd" 2>/dev/null; then
    python3 -m pip install --quiet --timeout 15 --retries 1 "aiosmtpd>=1.4,<2" 2>/dev/null \
        || echo "note: python3 has no 'aiosmtpd' module; the SMTP tests against a real server will be skipped"
fi

# The REST API's OpenAPI document is checked by openapi-spec-validator and fuzzed by Schemathesis 4 (its `st run`
# with every check, as a user and as an admin); those tests skip, saying why, without them (no PyPI here).
if ! python3 -c "import openapi_spec_validator" 2>/dev/null; then
    python3 -m pip install --quiet --timeout 15 --retries 1 openapi-spec-validator 2>/dev/null \
        || echo "note: python3 has no 'openapi_spec_validator' module; the OpenAPI validity test will be skipped"
fi
if ! python3 -c "import schemathesis" 2>/dev/null; then
    python3 -m pip install --quiet --timeout 15 --retries 1 "schemathesis>=4,<5" 2>/dev/null \
        || echo "note: python3 has no 'schemathesis' module; the Schemathesis run of the REST API will be skipped"
fi

# prometheus_client's parser reads /metrics in the metrics tests, an independent reader of the text format; they
# skip, saying why, without it.
if ! python3 -c "import prometheus_client" 2>/dev/null; then
    python3 -m pip install --quiet --timeout 15 --retries 1 "prometheus_client>=0.20,<1" 2>/dev/null \
        || echo "note: python3 has no 'prometheus_client' module; the /metrics parsing tests will be skipped"
fi
