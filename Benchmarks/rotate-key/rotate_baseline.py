#!/usr/bin/env python3
"""The Python side of the rotate-key benchmark: what the seed system would do to rotate its master key.

Reads BRAIN_CAPITAL_MASTER_KEY ("NEW,OLD", as `exchange-bot rotate-key` does), then selects every user_exchanges
row, re-encrypts its api_secret and passphrase with MultiFernet.rotate, writes them back with one executemany and
commits once: with sqlite3 for a file, with psycopg (3) for a PostgreSQL URL (one transaction, no COPY).
Usage: rotate_baseline.py DATABASE_PATH | postgresql://...
"""
import os
import sys

from cryptography.fernet import Fernet, MultiFernet


def connect(target: str):
    """A DB-API connection and its parameter marker."""
    if target.startswith(("postgresql://", "postgres://")):
        import psycopg

        return psycopg.connect(target), "%s"
    import sqlite3

    return sqlite3.connect(target), "?"


def main() -> None:
    ring = MultiFernet([Fernet(key.strip()) for key in os.environ["BRAIN_CAPITAL_MASTER_KEY"].split(",")])
    connection, marker = connect(sys.argv[1])
    cursor = connection.cursor()
    cursor.execute("SELECT id, api_secret, passphrase FROM user_exchanges")
    rows = cursor.fetchall()
    updates = [
        (
            ring.rotate(secret.encode()).decode(),
            ring.rotate(passphrase.encode()).decode() if passphrase else passphrase,
            row_id,
        )
        for row_id, secret, passphrase in rows
    ]
    cursor.executemany(
        f"UPDATE user_exchanges SET api_secret = {marker}, passphrase = {marker} WHERE id = {marker}", updates
    )
    connection.commit()
    connection.close()
    print(f"rotated {len(updates)} rows")


if __name__ == "__main__":
    main()
