#!/usr/bin/env python3
"""`exchange-bot rotate-key` as a whole command against the seed system's way, in one run.

For each `--engine` (sqlite, the default, and/or postgres), seeds one database (the service's own schema, from
`exchange-bot migrate`) with ROWS user_exchanges rows, each with an api_secret AND a passphrase sealed with Fernet
under an old key (the same rows on every engine), then, RUNS times in turn, restores it and times from process
start to exit:
  - each `--bot NAME=PATH`: `exchange-bot rotate-key` with BRAIN_CAPITAL_MASTER_KEY=NEW,OLD (start-up key check,
    re-sealing, read-back, one transaction, exit);
  - python: `rotate_baseline.py` (MultiFernet.rotate of both columns, one executemany, one commit; sqlite3 on
    SQLite, psycopg 3 on PostgreSQL).
SQLite: the seeded file is copied before each run. PostgreSQL: a throw-away cluster (postgres/cluster.sh, fsync and
synchronous_commit on) holds the seeded database, vacuumed; before each run the work database is dropped and made
again with `CREATE DATABASE ... TEMPLATE`, then a CHECKPOINT, so no run inherits another's dirty pages. The CPU of
PostgreSQL's processes during each run is shown beside the client's.
Every run is checked afterwards (row count; sampled rows open with the new key alone, to the seeded values).
Prints min/median/max wall seconds, CPU seconds and peak RSS (VmHWM, sampled every 10 ms) of each side, and the ratio python/bot of the medians
(goal >= 3x). Needs python3 with `cryptography` (and `psycopg` 3 for postgres).
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
import threading
import time

from cryptography.fernet import Fernet

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "rotate_baseline.py")
SAMPLES = 200


def make_rows(rows: int, old_key: bytes):
    """`rows` (id, api_key, sealed secret, sealed passphrase) under `old_key`; {id: (secret, passphrase)} samples."""
    old = Fernet(old_key)
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
    return values, samples


def migrate(bot: str, url: str, old_key: bytes) -> None:
    environment = dict(os.environ, DATABASE_URL=url, BRAIN_CAPITAL_MASTER_KEY=old_key.decode())
    subprocess.run([bot, "migrate"], env=environment, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class SQLiteEngine:
    name = "sqlite"

    def __init__(self, folder: str) -> None:
        self.template = os.path.join(folder, "template.sqlite")
        self.work = os.path.join(folder, "work.sqlite")
        self.url = "sqlite:///" + self.work
        self.target = self.work  # what rotate_baseline.py gets

    def describe(self) -> str:
        return f"SQLite {sqlite3.sqlite_version} (Python's; the service has its own)"

    def seed(self, bot: str, values: list, old_key: bytes) -> None:
        migrate(bot, "sqlite:///" + self.template, old_key)
        connection = sqlite3.connect(self.template)
        connection.execute(
            "INSERT INTO users (id, username, email, is_admin, is_active, created_at) "
            "VALUES (1, 'bench', 'bench@example.com', 0, 1, '2024-01-01 00:00:00')"
        )
        connection.executemany(
            "INSERT INTO user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, passphrase, "
            "status, is_active, created_at, updated_at) VALUES (?, 1, 'okx', 'bench', ?, ?, ?, 'APPROVED', 1, "
            "'2024-01-01 00:00:00', '2024-01-01 00:00:00')",
            values,
        )
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()

    def restore(self) -> None:
        copy_database(self.template, self.work)

    def connect(self):
        return sqlite3.connect(self.work), "?"

    def cpu_ticks(self) -> int:
        return 0

    def close(self) -> None:
        pass


class PostgresEngine:
    name = "postgres"

    def __init__(self) -> None:
        sys.path.insert(0, os.path.join(os.path.dirname(HERE), "postgres"))
        from pgcluster import Cluster

        self.cluster = Cluster()
        self.cluster.start()
        self.url = self.cluster.database_url("rotate_work")
        self.target = self.url

    def describe(self) -> str:
        return f"PostgreSQL {self.cluster.version} (throw-away cluster on 127.0.0.1, fsync on, synchronous_commit on)"

    def seed(self, bot: str, values: list, old_key: bytes) -> None:
        url = self.cluster.create_database("rotate_seeded")
        migrate(bot, url, old_key)
        with self.cluster.connect("rotate_seeded") as connection:
            with connection.transaction():
                connection.execute(
                    "INSERT INTO users (id, username, email, is_admin, is_active, created_at) "
                    "VALUES (1, 'bench', 'bench@example.com', FALSE, TRUE, '2024-01-01 00:00:00')"
                )
                with connection.cursor().copy(
                    "COPY user_exchanges (id, user_id, exchange_name, label, api_key, api_secret, passphrase, "
                    "status, is_active, created_at, updated_at) FROM STDIN"
                ) as copy:  # seeding only; the timed sides use no COPY
                    for row_id, api_key, secret, passphrase in values:
                        copy.write_row((row_id, 1, "okx", "bench", api_key, secret, passphrase, "APPROVED", True,
                                        "2024-01-01 00:00:00", "2024-01-01 00:00:00"))
                for table in ("users", "user_exchanges"):
                    connection.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            connection.execute("VACUUM (ANALYZE) user_exchanges")

    def restore(self) -> None:
        self.cluster.create_database("rotate_work", template="rotate_seeded")
        self.cluster.checkpoint()

    def connect(self):
        import psycopg

        return psycopg.connect(self.url), "%s"

    def cpu_ticks(self) -> int:
        return self.cluster.cpu_ticks()

    def close(self) -> None:
        self.cluster.stop()


def copy_database(source: str, target: str) -> None:
    for suffix in ("-wal", "-shm", ""):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    shutil.copyfile(source, target)


def peak_rss_watcher(pid: int):
    """A thread reading the child's VmHWM every 10 ms until stopped; returns (stop event, [largest MB seen]).

    Not wait4's ru_maxrss: Linux keeps a process's peak across execve, so a child forked from this (large) Python
    process would report this process's peak when its own is smaller."""
    stop = threading.Event()
    peak = [0.0]

    def watch() -> None:
        while not stop.is_set():
            try:
                with open(f"/proc/{pid}/status") as text:
                    for line in text:
                        if line.startswith("VmHWM:"):
                            peak[0] = max(peak[0], int(line.split()[1]) / 1024)
            except OSError:
                return
            stop.wait(0.01)

    threading.Thread(target=watch, daemon=True).start()
    return stop, peak


def run_child(command: list, environment: dict) -> dict:
    """Wall seconds from start to exit, the child's own CPU seconds (reaped with wait4, so the rusage is this
    child's alone) and its peak RSS (VmHWM, read while it runs)."""
    start = time.perf_counter()
    with open(os.devnull, "wb") as null, tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, env=environment, stdout=null, stderr=errors)
        stop, peak = peak_rss_watcher(child.pid)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        stop.set()
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            errors.seek(0)
            sys.exit(f"rotate-key benchmark FAILED: {command[0]} exited {child.returncode}:\n"
                     f"{errors.read().decode(errors='replace')[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": peak[0]}


def verify(engine, rows: int, samples: dict, new_key: bytes, side: str) -> None:
    new = Fernet(new_key)
    connection, marker = engine.connect()
    cursor = connection.cursor()
    cursor.execute("SELECT COUNT(*) FROM user_exchanges")
    count = cursor.fetchone()[0]
    if count != rows:
        sys.exit(f"rotate-key benchmark FAILED: {engine.name}: {side} left {count} rows of {rows}")
    for row_id, (secret, passphrase) in samples.items():
        cursor.execute(f"SELECT api_secret, passphrase FROM user_exchanges WHERE id = {marker}", (row_id,))
        stored_secret, stored_passphrase = cursor.fetchone()
        try:
            opened = (new.decrypt(stored_secret.encode()).decode(), new.decrypt(stored_passphrase.encode()).decode())
        except Exception:
            sys.exit(f"rotate-key benchmark FAILED: {engine.name}: {side}: row {row_id} does not open with the new "
                     "key alone")
        if opened != (secret, passphrase):
            sys.exit(f"rotate-key benchmark FAILED: {engine.name}: {side}: row {row_id} opens to other values")
    connection.close()


def load_average() -> str:
    with open("/proc/loadavg") as text:
        return " ".join(text.read().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bot", action="append", required=True, metavar="NAME=PATH",
                        help="an exchange-bot binary; repeat to compare binaries in the same run")
    parser.add_argument("--engine", action="append", choices=["sqlite", "postgres"],
                        help="the database engine; repeat for both, in that order (default sqlite)")
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
    engine_names = list(dict.fromkeys(arguments.engine or ["sqlite"]))

    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    folder = tempfile.mkdtemp(prefix="rotate-key-bench-")
    engines = []
    results = {}  # engine name -> side name -> [figures]
    start_load = load_average()
    try:
        print(f"sealing {arguments.rows} rows (secret and passphrase each) ...", file=sys.stderr)
        values, samples = make_rows(arguments.rows, old_key)
        for engine_name in engine_names:
            engine = SQLiteEngine(folder) if engine_name == "sqlite" else PostgresEngine()
            engines.append(engine)
            print(f"{engine.name}: seeding {arguments.rows} rows ...", file=sys.stderr)
            engine.seed(bots[0][1], values, old_key)
        for engine in engines:
            environment = dict(os.environ, DATABASE_URL=engine.url,
                               BRAIN_CAPITAL_MASTER_KEY=f"{new_key.decode()},{old_key.decode()}", LOG_LEVEL="warning")
            sides = [(name, [path, "rotate-key"]) for name, path in bots]
            sides.append(("python", [arguments.python, BASELINE, engine.target]))
            results[engine.name] = {name: [] for name, _ in sides}
            for run in range(arguments.runs + 1):  # run 0 warms the caches and is not counted
                for name, command in sides:
                    engine.restore()
                    database_before = engine.cpu_ticks()
                    figures = run_child(command, environment)
                    figures["db_cpu"] = (engine.cpu_ticks() - database_before) / os.sysconf("SC_CLK_TCK")
                    verify(engine, arguments.rows, samples, new_key, name)
                    if run > 0:
                        results[engine.name][name].append(figures)
                    print(f"{engine.name} run {run}{' (warm-up)' if run == 0 else ''}: {name} "
                          f"{figures['wall']:.3f} s", file=sys.stderr)
        descriptions = {engine.name: engine.describe() for engine in engines}
    finally:
        for engine in engines:
            engine.close()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"rotate-key, whole command: {arguments.rows} rows, secret and passphrase each, "
          f"{arguments.runs} runs per side in turn, on {os.cpu_count()} cores; load average {start_load} at start, "
          f"{load_average()} at the end; seconds min / median / max")
    medians = {}
    for engine_name, sides in results.items():
        print(f"\n{engine_name}: {descriptions[engine_name]}")
        database_column = engine_name == "postgres"
        print(f"{'side':<10}{'wall min':>10}{'median':>10}{'max':>10}{'CPU med':>10}"
              + (f"{'db CPU med':>12}" if database_column else "") + f"{'peak RSS MB':>13}")
        for name, figures in sides.items():
            walls = sorted(r["wall"] for r in figures)
            medians[(engine_name, name)] = statistics.median(walls)
            cpu = statistics.median(r["cpu"] for r in figures)
            database_cpu = statistics.median(r["db_cpu"] for r in figures)
            rss = max(r["rss"] for r in figures)
            print(f"{name:<10}{walls[0]:>10.3f}{medians[(engine_name, name)]:>10.3f}{walls[-1]:>10.3f}{cpu:>10.3f}"
                  + (f"{database_cpu:>12.3f}" if database_column else "") + f"{rss:>13.1f}")
    print()
    for engine_name in results:
        python = medians[(engine_name, "python")]
        for name, _ in bots:
            bot = medians[(engine_name, name)]
            ratio = python / bot
            print(f"rotate-key on {engine_name}: {name} {bot:.3f} s, python {python:.3f} s, "
                  f"ratio {ratio:.2f}x (goal >= 3x: {'met' if ratio >= 3 else 'not met'})")
    if len(results) == 2:
        for name, _ in bots:
            print(f"engines: {name} postgres/sqlite {medians[('postgres', name)] / medians[('sqlite', name)]:.2f}x "
                  f"the time; python postgres/sqlite "
                  f"{medians[('postgres', 'python')] / medians[('sqlite', 'python')]:.2f}x")


if __name__ == "__main__":
    main()
