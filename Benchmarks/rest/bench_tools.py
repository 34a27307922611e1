"""Helpers for Benchmarks/rest/run.sh (standard library + `cryptography`; `psycopg` 3 for PostgreSQL).

The database is `--db PATH` (SQLite) or `--database-url postgresql://...` (PostgreSQL, through psycopg).

  populate --db PATH          insert user 1 and 50 user_exchanges rows for it (the schema must exist already:
                              `exchange-bot migrate` creates it); the Fernet key comes from BENCH_MASTER_KEY
  check --db PATH --url NAME=URL ...
                              GET each URL with BENCH_TOKEN as bearer token; every server must answer 200 with
                              exactly the 50 ids stored for user 1, and the same values in the seed's fields
"""

import argparse
import json
import os
import random
import sqlite3
import sys
import urllib.request
from datetime import datetime, timedelta

USER_ID = 1
KEY_COUNT = 50
EXCHANGES = ["binance", "bybit", "okx", "gate", "mexc", "kucoin", "coinbase", "coinbaseexchange", "kraken"]
NEEDS_PASSPHRASE = {"okx", "kucoin", "coinbaseexchange"}
LABELS = ["Main", "Spot", "Futures", "Copy trading", "Sub-account", "Bot", "Savings", "Test"]
# The fields of the seed's ExchangeResponse; the Swift service adds api_key_masked, which old clients ignore.
SEED_FIELDS = ["id", "user_id", "exchange_name", "label", "status", "is_active", "error_message", "created_at",
               "updated_at"]


def sql_datetime(moment: datetime) -> str:
    """SQLAlchemy's text form of a naive UTC DATETIME in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


class Database:
    """One connection to the benchmark's database, SQLite or PostgreSQL, with the SQL written in `?` style."""

    def __init__(self, path, url) -> None:
        self.postgres = url is not None
        self.name = "PostgreSQL" if self.postgres else path
        if self.postgres:
            import psycopg

            for prefix in ("postgresql+psycopg://", "postgres://"):
                if url.startswith(prefix):
                    url = "postgresql://" + url[len(prefix):]
            self.connection = psycopg.connect(url)
        else:
            self.connection = sqlite3.connect(path)

    def execute(self, sql: str, parameters=()):
        if self.postgres:
            sql = sql.replace("?", "%s")
            return self.connection.execute(sql, parameters)
        return self.connection.execute(sql, parameters)

    def date(self, moment: datetime):
        """SQLAlchemy's naive UTC DateTime: text in SQLite, `timestamp without time zone` in PostgreSQL."""
        return moment if self.postgres else sql_datetime(moment)

    def flag(self, value: bool):
        return value if self.postgres else int(value)

    def commit(self) -> None:
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


def populate(path, url) -> None:
    from cryptography.fernet import Fernet

    fernet = Fernet(os.environ["BENCH_MASTER_KEY"].encode())
    rng = random.Random(20240501)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

    def token(length: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(length))

    start = datetime(2025, 3, 1, 9, 30, 0, 123457)
    db = Database(path, url)
    db.execute(
        "INSERT INTO users (id, username, email, telegram_id, language_code, is_admin, is_active, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (USER_ID, "bench_trader", "bench.trader@example.com", 500000001, "en", db.flag(False), db.flag(True),
         db.date(start)),
    )
    for index in range(KEY_COUNT):
        exchange = EXCHANGES[index % len(EXCHANGES)]
        created = start + timedelta(hours=7 * index, microseconds=rng.randint(1, 999_999))
        status = ["APPROVED", "APPROVED", "PENDING", "REJECTED"][index % 4]
        is_active = status == "APPROVED" and index % 3 != 0
        error = "API key has withdrawal permission enabled" if status == "REJECTED" else None
        updated = None if status == "PENDING" else created + timedelta(minutes=42, microseconds=rng.randint(1, 999_999))
        secret = token(64)
        passphrase = fernet.encrypt(token(16).encode()).decode() if exchange in NEEDS_PASSPHRASE else None
        db.execute(
            "INSERT INTO user_exchanges (user_id, exchange_name, label, api_key, api_secret, passphrase, status, "
            "is_active, error_message, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                USER_ID,
                exchange,
                f"{LABELS[index % len(LABELS)]} {index + 1}",
                token(64),
                fernet.encrypt(secret.encode()).decode(),
                passphrase,
                status,
                db.flag(is_active),
                error,
                db.date(created),
                db.date(updated) if updated else None,
            ),
        )
    if db.postgres:  # the rows above chose their ids; the sequences move past them
        db.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
        db.execute("SELECT setval(pg_get_serial_sequence('user_exchanges', 'id'), "
                   "(SELECT max(id) FROM user_exchanges))")
    db.commit()
    count = db.execute("SELECT count(*) FROM user_exchanges WHERE user_id = ?", (USER_ID,)).fetchone()[0]
    db.close()
    if count != KEY_COUNT:
        sys.exit(f"populate: expected {KEY_COUNT} rows for user {USER_ID}, found {count}")
    print(f"populated {db.name}: user {USER_ID} with {count} exchange keys")


def fetch(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.status, body


def check(path, database_url, urls: list) -> None:
    db = Database(path, database_url)
    expected = [row[0] for row in db.execute("SELECT id FROM user_exchanges WHERE user_id = ? ORDER BY id", (USER_ID,))]
    db.close()
    if len(expected) != KEY_COUNT:
        sys.exit(f"CHECK FAILED: the database holds {len(expected)} keys for user {USER_ID}, not {KEY_COUNT}")
    token = os.environ["BENCH_TOKEN"]
    answers = {}
    for item in urls:
        name, url = item.split("=", 1)
        try:
            code, body = fetch(url, token)
        except Exception as error:  # HTTPError, URLError, timeouts: all fatal here
            sys.exit(f"CHECK FAILED: {name} {url}: {error}")
        if code != 200:
            sys.exit(f"CHECK FAILED: {name} answered HTTP {code}")
        items = json.loads(body)
        ids = sorted(item["id"] for item in items)
        if ids != expected:
            sys.exit(f"CHECK FAILED: {name} returned ids {ids}, the database holds {expected}")
        answers[name] = ({item["id"]: item for item in items}, len(body))
        print(f"check: {name} answered 200 with the {len(ids)} stored ids ({len(body)} bytes of JSON)")
    names = list(answers)
    reference_name = names[0]
    reference = answers[reference_name][0]
    for name in names[1:]:
        other = answers[name][0]
        differences = [
            (key_id, field, reference[key_id].get(field), other[key_id].get(field))
            for key_id in expected
            for field in SEED_FIELDS
            if reference[key_id].get(field) != other[key_id].get(field)
        ]
        if differences:
            for key_id, field, left, right in differences[:5]:
                print(f"check: id {key_id} {field}: {reference_name} {left!r}, {name} {right!r}")
            sys.exit(f"CHECK FAILED: {len(differences)} field values differ between {reference_name} and {name}")
        print(f"check: {reference_name} and {name} agree on all {len(SEED_FIELDS)} seed fields of all "
              f"{len(expected)} keys")


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    populate_parser = commands.add_parser("populate")
    check_parser = commands.add_parser("check")
    for command in (populate_parser, check_parser):
        where = command.add_mutually_exclusive_group(required=True)
        where.add_argument("--db", help="an SQLite file")
        where.add_argument("--database-url", help="a PostgreSQL URL (postgresql://...)")
    check_parser.add_argument("--url", action="append", required=True)
    arguments = parser.parse_args()
    if arguments.command == "populate":
        populate(arguments.db, arguments.database_url)
    else:
        check(arguments.db, arguments.database_url, arguments.url)


if __name__ == "__main__":
    main()
