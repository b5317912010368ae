"""A private PostgreSQL cluster for fault tests that stop the database (the shared one on :5432
must never be stopped). Built with initdb in a temp directory, run as the `postgres` user."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.broker import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed")
    return found[-1]


class OwnPostgres:
    def __init__(self) -> None:
        # Not under pytest's tmp dir: that is private to root, and the server runs as postgres.
        self.base = Path(tempfile.mkdtemp(prefix="hotline-pg-"))
        self.dir = self.base / "pgdata"
        self.port = free_port()
        self.log = self.base / "postgres.log"

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres")
        self._run(_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-w", "-o",
                  f"-p {self.port} -k /tmp -c listen_addresses=127.0.0.1", "start")

    def crash(self) -> None:
        """Stop at once, as a power cut would: no checkpoint, recovery on the next start."""
        self._run(_bin("pg_ctl"), "-D", str(self.dir), "-m", "immediate", "stop")

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.dir), "-m", "fast", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.base, ignore_errors=True)
