#!/usr/bin/env python3
"""The Python side of the rotate-key benchmark: what the seed system would do to rotate its master key.

Reads BRAIN_CAPITAL_MASTER_KEY ("NEW,OLD", as `exchange-bot rotate-key` does), then with sqlite3 selects every
user_exchanges row, re-encrypts its api_secret and passphrase with MultiFernet.rotate, writes them back with one
executemany and commits once. Usage: rotate_baseline.py DATABASE_PATH
"""
import os
import sqlite3
import sys

from cryptography.fernet import Fernet, MultiFernet


def main() -> None:
    ring = MultiFernet([Fernet(key.strip()) for key in os.environ["BRAIN_CAPITAL_MASTER_KEY"].split(",")])
    connection = sqlite3.connect(sys.argv[1])
    rows = connection.execute("SELECT id, api_secret, passphrase FROM user_exchanges").fetchall()
    updates = [
        (
            ring.rotate(secret.encode()).decode(),
            ring.rotate(passphrase.encode()).decode() if passphrase else passphrase,
            row_id,
        )
        for row_id, secret, passphrase in rows
    ]
    connection.executemany("UPDATE user_exchanges SET api_secret = ?, passphrase = ? WHERE id = ?", updates)
    connection.commit()
    connection.close()
    print(f"rotated {len(updates)} rows")


if __name__ == "__main__":
    main()
