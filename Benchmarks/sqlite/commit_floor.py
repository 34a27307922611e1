"""What one durable SQLite commit costs this machine, with nothing around it: the floor of the bot's storage.

Each commit is shaped like the bot's inbox commit (an encrypted update's row, its id among the seen updates, the
poll offset), on one connection in WAL mode, as `BEGIN IMMEDIATE` ... `COMMIT`. It runs at `synchronous=FULL`, as
the service does, and at `NORMAL` as the baseline in the same run. CPU is the process's own (user + system,
`getrusage`), so the `fdatasync` each FULL commit makes is in it.

    cd Benchmarks && python3 sqlite/commit_floor.py [--commits N]
"""

import argparse
import os
import resource
import sqlite3
import tempfile
import time


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(folder, synchronous, commits):
    db = sqlite3.connect(os.path.join(folder, f"floor-{synchronous}.sqlite"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute("CREATE TABLE inbox (update_id INTEGER PRIMARY KEY, payload BLOB NOT NULL, received_at TEXT)")
    db.execute("CREATE TABLE seen (update_id INTEGER PRIMARY KEY, received_at TEXT)")
    db.execute("CREATE TABLE poll_offset (id INTEGER PRIMARY KEY, next INTEGER NOT NULL)")
    db.execute("INSERT INTO poll_offset VALUES (1, 0)")
    payload = os.urandom(400)
    started_cpu, started = cpu_seconds(), time.perf_counter()
    for update_id in range(commits):
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO inbox VALUES (?, ?, ?)", (update_id, payload, "2026-12-07 00:00:00"))
        db.execute("INSERT INTO seen VALUES (?, ?)", (update_id, "2026-12-07 00:00:00"))
        db.execute("UPDATE poll_offset SET next = ? WHERE id = 1", (update_id + 1,))
        db.execute("COMMIT")
    cpu, wall = cpu_seconds() - started_cpu, time.perf_counter() - started
    db.close()
    return cpu / commits * 1000, wall / commits * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=2000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = {mode: measure(folder, mode, options.commits) for mode in ("NORMAL", "FULL")}
    print(f"{options.commits} commits of 3 rows each, one connection, WAL")
    print(f"{'synchronous':<12}{'CPU ms/commit':>15}{'wall ms/commit':>16}")
    for mode, (cpu, wall) in rows.items():
        print(f"{mode:<12}{cpu:>15.3f}{wall:>16.3f}")
    print(f"FULL/NORMAL CPU: {rows['FULL'][0] / rows['NORMAL'][0]:.2f}x")


if __name__ == "__main__":
    main()
