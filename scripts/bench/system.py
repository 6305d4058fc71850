"""The system under test: a throwaway PostgreSQL server, one database per service, the
embedded broker and every service under uvicorn, started by scripts/stack.py as `make run` does."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from stack import Stack, present

from bench.his import Hospital
from medshared import broker
from medshared.testing import create_database, start_postgres, stop_postgres

# Sixteen bench hospitals in 拉萨 (540100) join the seven demo institutions, levels 1-3 in turn so
# every reimbursement tier of the policy is exercised; 宿州 residents treated there are cross-province.
HOSPITALS = [Hospital(f"HB540100{i:04d}", "540100") for i in range(1, 17)]

# The server sized for ten million stored settlements on this 24 GB machine, as docs/sizing.md
# advises a provincial deployment: the hot indexes (settlement, visit, fee line, message log, nonces)
# stay in shared buffers, and the planner knows the rest is in the operating system's cache.
SERVER_SETTINGS = {
    "shared_buffers": "4GB",
    "effective_cache_size": "16GB",
    "random_page_cost": "1.1",
    "work_mem": "16MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
}


@dataclass
class System:
    var: Path
    pg_root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="benchpg-")))
    stack: Stack | None = None
    database_urls: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        server = start_postgres(self.pg_root, broker.free_port(), SERVER_SETTINGS)
        self.database_urls = {s.directory: create_database(server) for s in present()}
        overrides = {f"{s.prefix}_DATABASE_URL": self.database_urls[s.directory] for s in present()}
        # Codes are minted before the decode run starts; 60 s would expire them mid-run.
        overrides["EVOUCHER_QR_TTL_SECONDS"] = "3600"
        self.env = overrides
        self.stack = Stack(var=self.var, free_ports=True, env_overrides=overrides)
        self.stack.start(log=False)
        self._register_hospitals()

    def url(self, service: str) -> str:
        assert self.stack is not None
        return self.stack.urls[service]

    def pid(self, service_dir: str) -> int:
        assert self.stack is not None
        package = next(s.package for s in self.stack.services if s.directory == service_dir)
        return self.stack.children[package].pid

    def restart(self, service_dir: str, *, workers: int) -> None:
        """Start one service again with `workers` uvicorn worker processes."""
        assert self.stack is not None
        service = next(s for s in self.stack.services if s.directory == service_dir)
        self.stack.workers[service_dir] = workers
        self.stack.stop_process(service.package)
        self.stack.start_service(service)

    def services(self) -> list[str]:
        assert self.stack is not None
        return [s.directory for s in self.stack.services]

    def _register_hospitals(self) -> None:
        """Institutions have no public registration API: the bureau loads them as reference data, as here."""
        from settlement.db import gateway_credential, institution

        engine = create_engine(self.database_urls["settlement"])
        with engine.begin() as conn:
            for h in HOSPITALS:
                conn.execute(
                    insert(institution).values(
                        fixmedins_code=h.code,
                        fixmedins_name=f"压测医院{h.code}",
                        admdvs=h.admdvs,
                        hosp_lv=str(1 + int(h.code[-4:]) % 3),
                    )
                )
                conn.execute(
                    insert(gateway_credential).values(paasid=h.code, fixmedins_code=h.code, token=h.token, demo=True)
                )
        engine.dispose()
        if "e-voucher" in self.database_urls:
            from evoucher.db import institution as ev_institution

            engine = create_engine(self.database_urls["e-voucher"])
            with engine.begin() as conn:
                for h in HOSPITALS:
                    conn.execute(
                        insert(ev_institution).values(
                            fixmedins_code=h.code,
                            fixmedins_name=f"压测医院{h.code}",
                            admdvs=h.admdvs,
                            gateway_token=h.ec_token,
                        )
                    )
            engine.dispose()

    def table_stats(self, service: str) -> dict[str, dict[str, int]]:
        """PostgreSQL's per-table counters: scans by kind and rows written, to divide by work done."""
        engine = create_engine(self.database_urls[service])
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "select relname, seq_scan, seq_tup_read, coalesce(idx_scan, 0), n_tup_ins, n_tup_upd from pg_stat_user_tables"
                    )
                ).all()
                commits = conn.execute(
                    text("select xact_commit from pg_stat_database where datname = current_database()")
                ).scalar_one()
        finally:
            engine.dispose()
        stats = {
            r[0]: {"seq_scan": r[1], "seq_tup_read": r[2], "idx_scan": r[3], "inserted": r[4], "updated": r[5]}
            for r in rows
        }
        return stats | {"(database)": {"commits": int(commits)}}

    def stop(self) -> None:
        if self.stack is not None:
            self.stack.stop()
        stop_postgres(self.pg_root)
        shutil.rmtree(self.pg_root, ignore_errors=True)
