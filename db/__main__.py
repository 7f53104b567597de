"""`python -m db check PATH | import PATH | export [--pack ID] [-o FILE]` — fact packs from the shell."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from db.connection import DatabaseUrlError, sqlite_path
from db.pack_check import PackError, check_pack_file
from db.pack_export import dump_pack
from db.store import Store

DEFAULT_URL = "sqlite:///data/fandex.sqlite3"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m db", description="Check, import and export fandex fact packs.")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_URL,
        help="store to use (default: $DATABASE_URL or %(default)s)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="validate a pack and list every problem with its location")
    check.add_argument("path", type=Path)
    imp = commands.add_parser("import", help="validate, then upsert a pack (importing twice changes nothing)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--force", action="store_true", help="re-run the upsert even if the pack is unchanged")
    exp = commands.add_parser("export", help="write the store's pack data as YAML")
    exp.add_argument("--pack", default="defenders", help="pack id (default: %(default)s)")
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    return parser


async def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        checked = check_pack_file(args.path)
        spec = checked.spec
        print(
            f"{args.path}: ok — pack `{spec.pack.id}`: {len(spec.sources)} sources, {len(spec.series)} series, "
            f"{len(spec.characters)} characters, {len(spec.relationships)} relationships"
        )
        return 0
    async with Store.open(sqlite_path(args.database_url)) as store:
        await store.migrate()
        if args.command == "import":
            report = await store.packs.import_file(args.path, force=args.force)
            print(report.summary())
            return 0
        exported = await store.packs.export(args.pack)
        if exported is None:
            known = ", ".join(p.key for p in await store.packs.list()) or "none"
            print(f"error: no pack `{args.pack}` in the store (imported packs: {known})", file=sys.stderr)
            return 1
        text = dump_pack(exported)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
            print(f"wrote pack `{args.pack}` to {args.output}")
        else:
            sys.stdout.write(text)
        return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except PackError as exc:
        print(f"{len(exc.problems)} problem(s) in {exc.filename}; nothing was imported:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem.render(exc.filename)}", file=sys.stderr)
        return 1
    except DatabaseUrlError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
