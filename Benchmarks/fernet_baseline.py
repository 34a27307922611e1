#!/usr/bin/env python3
"""Python baseline for `exchange-bot-bench`: the same work the seed system does, timed the same way.

The Swift benchmark runs this script and compares against what it prints, so both sides are measured on the same
machine in the same run. Each command prints one JSON object on stdout; anything meant for people goes to stderr.

Commands:
    probe                       versions of Python, cryptography and OpenSSL (exit 3 if cryptography is missing)
    fernet --seconds S          Fernet encrypt and decrypt operations per second for a 64-byte secret
    rotate --db PATH            re-encrypt every user_exchanges.api_secret with MultiFernet([new, old]).rotate,
                                keys from BENCH_FERNET_NEW_KEY and BENCH_FERNET_OLD_KEY

It uses only the standard library and `cryptography`, as the seed system does.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time

# Loops check the clock once per batch so that reading the clock stays out of the per-call cost, as in Swift.
BATCH = 256
SECRET_BYTES = 64
MISSING_CRYPTOGRAPHY = 3


def emit(payload: dict) -> None:
    json.dump(payload, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


def import_fernet():
    """Imports lazily so a missing module becomes a readable reason instead of a traceback."""
    try:
        from cryptography import fernet
    except ImportError as error:
        emit({"error": f"python module 'cryptography' is not importable: {error}"})
        sys.exit(MISSING_CRYPTOGRAPHY)
    return fernet


def probe() -> None:
    import_fernet()
    import cryptography
    from cryptography.hazmat.backends.openssl import backend

    emit(
        {
            "python": sys.version.split()[0],
            "cryptography": cryptography.__version__,
            "openssl": backend.openssl_version_text(),
        }
    )


def time_boxed(seconds: float, step) -> dict:
    """Calls `step(BATCH)` until `seconds` have passed; returns the count and the elapsed time."""
    operations = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        step(BATCH)
        operations += BATCH
        now = time.perf_counter()
        if now >= deadline:
            break
    elapsed = now - start
    return {"operations": operations, "seconds": elapsed, "ops_per_second": operations / elapsed}


def fernet_throughput(seconds: float) -> None:
    fernet = import_fernet()
    f = fernet.Fernet(fernet.Fernet.generate_key())
    secret = os.urandom(SECRET_BYTES)
    token = f.encrypt(secret)
    encrypt = f.encrypt
    decrypt = f.decrypt

    def encrypt_batch(count: int) -> None:
        for _ in range(count):
            encrypt(secret)

    def decrypt_batch(count: int) -> None:
        for _ in range(count):
            decrypt(token)

    # A short warm-up, as on the Swift side, so first-call costs (imports, OpenSSL setup) are not measured.
    time_boxed(min(0.2, seconds), encrypt_batch)
    time_boxed(min(0.2, seconds), decrypt_batch)
    encryption = time_boxed(seconds, encrypt_batch)
    decryption = time_boxed(seconds, decrypt_batch)
    if decrypt(encrypt(secret)) != secret:
        raise SystemExit("python Fernet round trip failed")
    emit({"encrypt": encryption, "decrypt": decryption})


def rotate(path: str) -> None:
    """What the seed system's key rotation does: read all, rotate each token, write all, one commit."""
    fernet = import_fernet()
    ring = fernet.MultiFernet(
        [fernet.Fernet(os.environ["BENCH_FERNET_NEW_KEY"]), fernet.Fernet(os.environ["BENCH_FERNET_OLD_KEY"])]
    )
    start = time.perf_counter()
    connection = sqlite3.connect(path)
    rows = connection.execute("SELECT id, api_secret FROM user_exchanges").fetchall()
    updates = [(ring.rotate(token).decode("ascii"), row_id) for row_id, token in rows]
    connection.executemany("UPDATE user_exchanges SET api_secret = ? WHERE id = ?", updates)
    connection.commit()
    elapsed = time.perf_counter() - start
    connection.close()
    emit({"rows": len(rows), "seconds": elapsed})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("probe")
    throughput = commands.add_parser("fernet")
    throughput.add_argument("--seconds", type=float, default=2.0)
    rotation = commands.add_parser("rotate")
    rotation.add_argument("--db", required=True)
    arguments = parser.parse_args()

    if arguments.command == "probe":
        probe()
    elif arguments.command == "fernet":
        fernet_throughput(arguments.seconds)
    else:
        rotate(arguments.db)


if __name__ == "__main__":
    main()
