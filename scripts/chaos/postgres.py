"""A throwaway PostgreSQL server that can be crashed and started again on the same data.

Unlike the test server (medshared.testing), commits are written at once (synchronous_commit on;
fsync stays off since only the server, never the machine, goes down):
a crash must not take back a settlement whose answer already reached the hospital.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from medshared import broker
from medshared.testing import _pg_bin, create_database, stop_postgres


class Postgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="medpg-chaos-"))
        self.port = broker.free_port()
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        subprocess.run(
            [
                *self._as_postgres,
                _pg_bin("initdb"),
                "-D",
                str(self.root / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        self.start()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def database(self) -> str:
        return create_database(self.url)

    def crash(self) -> None:
        """Immediate shutdown: every connection is cut, as when the server dies."""
        stop_postgres(self.root)

    def start(self) -> None:
        subprocess.run(
            [
                *self._as_postgres,
                _pg_bin("pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-l",
                str(self.root / "log"),
                "-w",
                "-o",
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def remove(self) -> None:
        stop_postgres(self.root)
        shutil.rmtree(self.root, ignore_errors=True)
