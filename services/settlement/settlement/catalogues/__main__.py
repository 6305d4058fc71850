"""National catalogues from the command line.

    python -m settlement.catalogues publish 1301 FILE [--ver V] [--ver-name N] [--operator WHO] [--report R.json]
    python -m settlement.catalogues generate --items 300000 OUT.zip        (1301 records, the national zip)
    python -m settlement.catalogues generate --items 300000 --payment OUT.json  (the payment catalogue)

publish writes to SETTLEMENT_DATABASE_URL (migrating it first), one transaction for the whole file, with a
progress bar; it prints the report (accepted, unchanged, rejected rows with their row numbers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import zipfile
from pathlib import Path
from typing import IO

from tqdm import tqdm


def _count_lines(path: Path) -> int:
    with path.open("rb") as raw:
        if raw.read(2) == b"PK":
            with zipfile.ZipFile(path) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) != 1:
                    return 0
                with archive.open(members[0]) as member:
                    return sum(chunk.count(b"\n") for chunk in iter(lambda: member.read(1 << 20), b""))
        raw.seek(0)
        return sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b""))


def publish(args: argparse.Namespace) -> int:
    from medshared.db import upgrade
    from medshared.runtime import build_runtime
    from settlement.config import Settings
    from settlement.db import outbox
    from settlement.domain import catalogues as cat
    from settlement.domain.errors import Refused
    from settlement.store import SqlStore
    from settlement.usecases import catalogues

    path: Path = args.file
    if not path.is_file():
        print(f"publish: {path} is not a file", file=sys.stderr)
        return 2
    settings = Settings()
    upgrade(Path(__file__).resolve().parents[2] / "alembic.ini", settings.database_url)
    runtime = build_runtime(settings, service="settlement", outbox=outbox, publishes=[])
    source = "zip" if zipfile.is_zipfile(path) else ("csv" if path.suffix.lower() == ".csv" else "txt")
    stream: IO[bytes]
    try:
        with (
            path.open("rb") as stream,
            tqdm(total=_count_lines(path), unit="row", desc=f"{args.family} {path.name}") as bar,
            runtime.unit_of_work() as session,
        ):
            report = catalogues.publish(
                SqlStore(session),
                args.family,
                cat.rows_of(stream),
                now=dt.datetime.now(),
                operator=args.operator,
                source=source,
                ver=args.ver,
                ver_name=args.ver_name,
                progress=bar.update,
            )
        result = report.as_dict()
    except catalogues.NothingPublished as exc:
        result = exc.report.as_dict()
        print(f"publish: {exc.message}", file=sys.stderr)
    except (Refused, cat.UnreadableFile) as exc:
        print(f"publish: {exc}", file=sys.stderr)
        return 2
    except UnicodeDecodeError:
        print("publish: the file is neither UTF-8 nor GB18030 text", file=sys.stderr)
        return 2
    finally:
        runtime.engine.dispose()
    if args.report:
        args.report.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    verdict = f"release {result['ver']}" if result["published"] else "nothing published"
    print(
        f"{args.family} {verdict}: {result['received']} rows, {result['accepted']} accepted, "
        f"{result['unchanged']} unchanged, {result['rejected_count']} rejected"
    )
    for rejected in result["rejected"][:20]:
        print(f"  row {rejected['row']}: {rejected['reason']}")
    if result["rejected_count"] > 20:
        print(f"  ... {result['rejected_count'] - 20} more (use --report FILE.json)")
    return 0 if result["published"] and not result["rejected_count"] else 1


def generate(args: argparse.Namespace) -> int:
    from settlement.catalogues import generate as gen

    out: Path = args.out
    if args.payment:
        body = gen.payment_catalogue(args.items, args.seed, effective_from=args.effective_from)
        out.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    elif out.suffix.lower() == ".zip":
        out.write_bytes(gen.national_zip(args.items, args.seed))
    else:
        with out.open("w", encoding="utf-8", newline="\n") as text:
            for line in tqdm(gen.national_lines(args.items, args.seed), total=args.items, unit="row"):
                text.write(line + "\n")
    print(f"wrote {args.items} {'payment catalogue items' if args.payment else '1301 records'} to {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m settlement.catalogues", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pub = commands.add_parser("publish", help="publish a release of a national catalogue from a file")
    pub.add_argument("family", help="the catalogue's infno: 1301 ... 1315")
    pub.add_argument("file", type=Path, help="the national zip, a tab-separated txt, or CSV")
    pub.add_argument("--ver", help="the release's ver (default: yyyyMMdd and a sequence)")
    pub.add_argument("--ver-name", dest="ver_name")
    pub.add_argument("--operator", default="command-line")
    pub.add_argument("--report", type=Path, help="write the full JSON report here")
    pub.set_defaults(run=publish)
    gen = commands.add_parser("generate", help="write a large realistic catalogue (deterministic)")
    gen.add_argument("out", type=Path, help="OUT.zip (the national zip), OUT.txt, or with --payment OUT.json")
    gen.add_argument("--items", type=int, default=300_000)
    gen.add_argument("--seed", type=int, default=2026)
    gen.add_argument("--payment", action="store_true", help="the payment catalogue of the same items (JSON)")
    gen.add_argument("--effective-from", dest="effective_from", default="2099-01-01")
    gen.set_defaults(run=generate)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
