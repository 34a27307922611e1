#!/usr/bin/env python3
"""`exchange-bot rotate-key` as a whole command against the seed system's way, in one run.

Seeds one SQLite database (the service's own schema, from `exchange-bot migrate`) with ROWS user_exchanges rows,
each with an api_secret AND a passphrase sealed with Fernet under an old key, then, RUNS times in turn, copies it
and times from process start to exit:
  - each `--bot NAME=PATH`: `exchange-bot rotate-key` with BRAIN_CAPITAL_MASTER_KEY=NEW,OLD (start-up key check,
    re-sealing, read-back, one transaction, exit);
  - python: `rotate_baseline.py` (sqlite3, MultiFernet.rotate of both columns, one executemany, one commit).
Every run is checked afterwards (row count; sampled rows open with the new key alone, to the seeded values).
Prints min/median/max wall seconds, CPU seconds and peak RSS of each side, and the ratio python/bot of the medians
(goal >= 3x). Needs python3 with `cryptography`.
"""
import argparse
import base64
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

from cryptography.fernet import Fernet

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "rotate_baseline.py")
SAMPLES = 200


def seed(path: str, bot: str, rows: int, old_key: bytes) -> dict:
    """The service's schema (its own `migrate`), one user, `rows` keys; returns {id: (secret, passphrase)} samples."""
    environment = dict(os.environ, DATABASE_URL="sqlite:///" + path, BRAIN_CAPITAL_MASTER_KEY=old_key.decode())
    subprocess.run([bot, "migrate"], env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    old = Fernet(old_key)
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO users (id, username, email, is_admin, is_active, created_at) "
        "VALUES (1, 'bench', 'bench@example.com', 0, 1, '2024-01-01 00:00:00')"
    )
    values = []
    samples = {}
    step = max(1, rows // SAMPLES)
    for index in range(1, rows + 1):
        secret = base64.b64encode(os.urandom(48)).decode()
        passphrase = "Pass-" + base64.b32encode(os.urandom(10)).decode()
        values.append((index, f"key-{index:08d}", old.encrypt(secret.encode()).decode(),
                       old.encrypt(passphrase.encode()).decode()))
        if index % step == 0:
            samples[index] = (secret, passphrase)
    connection.executemany(
        "INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, passphrase, status, "
        "is_active, created_at, updated_at) VALUES (?, 1, 'okx', 'bench', ?, ?, ?, 'APPROVED', 1, "
        "'2024-01-01 00:00:00', '2024-01-01 00:00:00')",
        values,
    )
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return samples


def copy_database(source: str, target: str) -> None:
    for suffix in ("-wal", "-shm", ""):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    shutil.copyfile(source, target)


def run_child(command: list, environment: dict) -> dict:
    """Wall seconds from start to exit, and the child's own CPU seconds and peak RSS (reaped with wait4, so the
    rusage is this child's alone)."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as null, tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, env=environment, stdout=null, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            sys.exit(f"rotate-key benchmark FAILED: {command[0]} exited {child.returncode}:\n"
                     f"{errors.read().decode(errors='replace')[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024}


def verify(path: str, rows: int, samples: dict, new_key: bytes, side: str) -> None:
    new = Fernet(new_key)
    connection = sqlite3.connect(path)
    count = connection.execute("SELECT COUNT(*) FROM user_exchanges").fetchone()[0]
    if count != rows:
        sys.exit(f"rotate-key benchmark FAILED: {side} left {count} rows of {rows}")
    for row_id, (secret, passphrase) in samples.items():
        stored_secret, stored_passphrase = connection.execute(
            "SELECT api_secret, passphrase FROM user_exchanges WHERE id = ?", (row_id,)).fetchone()
        try:
            opened = (new.decrypt(stored_secret.encode()).decode(), new.decrypt(stored_passphrase.encode()).decode())
        except Exception:
            sys.exit(f"rotate-key benchmark FAILED: {side}: row {row_id} does not open with the new key alone")
        if opened != (secret, passphrase):
            sys.exit(f"rotate-key benchmark FAILED: {side}: row {row_id} opens to other values")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bot", action="append", required=True, metavar="NAME=PATH",
                        help="an exchange-bot binary; repeat to compare binaries in the same run")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side, taken in turn")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the baseline")
    arguments = parser.parse_args()
    bots = []
    for value in arguments.bot:
        name, _, path = value.partition("=")
        if not path or not os.access(path, os.X_OK):
            sys.exit(f"--bot {value}: no executable")
        bots.append((name, os.path.abspath(path)))

    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    folder = tempfile.mkdtemp(prefix="rotate-key-bench-")
    try:
        template = os.path.join(folder, "template.sqlite")
        print(f"seeding {arguments.rows} rows (secret and passphrase each) ...", file=sys.stderr)
        samples = seed(template, bots[0][1], arguments.rows, old_key)
        work = os.path.join(folder, "work.sqlite")
        environment = dict(os.environ, DATABASE_URL="sqlite:///" + work,
                           BRAIN_CAPITAL_MASTER_KEY=f"{new_key.decode()},{old_key.decode()}", LOG_LEVEL="warning")
        sides = [(name, [path, "rotate-key"]) for name, path in bots]
        sides.append(("python", [arguments.python, BASELINE, work]))
        results = {name: [] for name, _ in sides}
        for run in range(arguments.runs + 1):  # run 0 warms the page cache and is not counted
            for name, command in sides:
                copy_database(template, work)
                figures = run_child(command, environment)
                verify(work, arguments.rows, samples, new_key, name)
                if run > 0:
                    results[name].append(figures)
                print(f"run {run}{' (warm-up)' if run == 0 else ''}: {name} {figures['wall']:.3f} s", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"rotate-key, whole command: {arguments.rows} rows, secret and passphrase each, "
          f"{arguments.runs} runs per side in turn, on {os.cpu_count()} cores; seconds min / median / max")
    print(f"{'side':<10}{'wall min':>10}{'median':>10}{'max':>10}{'CPU med':>10}{'peak RSS MB':>13}")
    medians = {}
    for name, _ in sides:
        walls = sorted(r["wall"] for r in results[name])
        medians[name] = statistics.median(walls)
        cpu = statistics.median(r["cpu"] for r in results[name])
        rss = max(r["rss"] for r in results[name])
        print(f"{name:<10}{walls[0]:>10.3f}{medians[name]:>10.3f}{walls[-1]:>10.3f}{cpu:>10.3f}{rss:>13.1f}")
    for name, _ in bots:
        ratio = medians["python"] / medians[name]
        print(f"rotate-key: {name} {medians[name]:.3f} s, python {medians['python']:.3f} s, "
              f"ratio {ratio:.2f}x (goal >= 3x: {'met' if ratio >= 3 else 'not met'})")


if __name__ == "__main__":
    main()
