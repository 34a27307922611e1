"""The benchmarks' throw-away PostgreSQL cluster, from Python: `cluster.sh` beside this file does the work.

    with Cluster() as cluster:             # initdb + start (fsync and synchronous_commit on); stopped on exit
        url = cluster.create_database("x")  # postgresql://bench:...@127.0.0.1:PORT/x?sslmode=disable
        ticks = cluster.cpu_ticks()         # CPU of the server's processes so far, reaped backends included

`cluster.sh start` is run with its stdout going to a file, never to a pipe: the server outlives the script, and a
pipe it inherited would never reach its end. Needs `psycopg` (3).
"""
import os
import re
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CLUSTER_SH = os.path.join(HERE, "cluster.sh")


class Cluster:
    def __init__(self) -> None:
        self.folder = None
        self.url = None

    def __enter__(self) -> "Cluster":
        self.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop()

    def start(self) -> None:
        parent = tempfile.mkdtemp(prefix="bench-postgres-")
        os.chmod(parent, 0o755)  # the postgres user must enter it
        self.folder = os.path.join(parent, "cluster")
        output = os.path.join(parent, "url")
        with open(output, "wb") as stdout:
            status = subprocess.run([CLUSTER_SH, "start", self.folder], stdout=stdout, stdin=subprocess.DEVNULL,
                                    close_fds=True).returncode
        with open(output) as text:
            self.url = text.read().strip()
        os.remove(output)
        if status != 0 or not self.url:
            self.stop()
            raise RuntimeError(f"postgres/cluster.sh start failed (status {status})")

    def stop(self) -> None:
        if self.folder is None:
            return
        subprocess.run([CLUSTER_SH, "stop", self.folder], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       close_fds=True)
        shutil.rmtree(os.path.dirname(self.folder), ignore_errors=True)
        self.folder = None

    @property
    def version(self) -> str:
        with open(os.path.join(self.folder, "bin")) as text:
            binary = os.path.join(text.read().strip(), "postgres")
        return subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()[2]

    def database_url(self, name: str) -> str:
        return re.sub(r"/postgres\?", f"/{name}?", self.url, count=1)

    def connect(self, name: str = "postgres"):
        import psycopg

        return psycopg.connect(self.database_url(name), autocommit=True)

    def create_database(self, name: str, template: str = None) -> str:
        """A fresh database (dropped first if it exists), copied from `template` when given; its URL."""
        with self.connect() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.database_url(name)

    def checkpoint(self) -> None:
        with self.connect() as connection:
            connection.execute("CHECKPOINT")

    def postmaster_pid(self) -> int:
        with open(os.path.join(self.folder, "data", "postmaster.pid")) as text:
            return int(text.readline())

    def cpu_ticks(self) -> int:
        """utime + stime of the postmaster and its live children, plus the postmaster's cutime + cstime (children
        it has reaped: backends of closed connections); the difference of two readings is the server's CPU."""
        postmaster = self.postmaster_pid()
        total = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as text:
                    fields = text.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid, ppid = int(entry), int(fields[1])
            if pid == postmaster:
                total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
            elif ppid == postmaster:
                total += int(fields[11]) + int(fields[12])
        return total

    @staticmethod
    def ticks_per_second() -> int:
        return os.sysconf("SC_CLK_TCK")
