"""enrollment-import FILE.csv: the yearly resident collection from the command line.

Writes to ENROLLMENT_DATABASE_URL (migrating it first); the events land in the outbox and
the running service's relay publishes them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from enrollment import importing


def _count_rows(path: Path) -> int:
    with path.open("rb") as f:
        return max(sum(1 for _ in f) - 1, 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="enrollment-import", description="Import people and enrollments from CSV.")
    parser.add_argument("file", type=Path, help="CSV with columns: " + ", ".join(importing.COLUMNS))
    parser.add_argument("--batch-size", type=int, default=importing.DEFAULT_BATCH)
    parser.add_argument("--report", type=Path, help="write the full JSON report here")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"enrollment-import: {args.file} is not a file", file=sys.stderr)
        return 2

    from enrollment.config import Settings
    from enrollment.main import build
    from enrollment.store import SqlUnitOfWork
    from medshared.db import upgrade

    settings = Settings()
    upgrade(Path(__file__).resolve().parents[1] / "alembic.ini", settings.database_url)
    runtime = build(settings.model_copy(update={"relay_enabled": False}))
    try:
        with (
            args.file.open(encoding="utf-8-sig", newline="") as text,
            tqdm(total=_count_rows(args.file), unit="row", desc=args.file.name) as bar,
        ):
            report = importing.import_csv(SqlUnitOfWork(runtime), text, batch_size=args.batch_size, progress=bar.update)
    except importing.UnreadableFile as exc:
        print(f"enrollment-import: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print(
            "enrollment-import: the file is not UTF-8 text; save it as CSV UTF-8",
            file=sys.stderr,
        )
        return 2
    finally:
        runtime.stop()
    result = report.as_dict()
    if args.report:
        args.report.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(
        f"{result['received']} rows: {result['registered']} registered, {result['enrolled']} enrolled, {result['rejected_count']} rejected"
    )
    for rejected in report.rejected[:20]:
        print(f"  line {rejected.line}: {rejected.field}: {rejected.reason}")
    if len(report.rejected) > 20:
        print(f"  ... {len(report.rejected) - 20} more (use --report FILE.json)")
    return 1 if report.rejected else 0


if __name__ == "__main__":
    sys.exit(main())
