"""`python -m db packs | check PATH | import PATH | export --pack ID [-o FILE] | remove ID --yes` —
fact packs from the shell, on the store the bot uses (DATABASE_URL from the environment or `.env`);
`python -m db copy --to URL [--replace]` — that whole store copied into another (SQLite to PostgreSQL).
Drafting a pack from TVmaze needs the bot's TVmaze client, so it is `python -m bot draft` (DRAFT_MOVED)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from db.backends.copy import CopyError, copy_urls
from db.backends.database_url import (
    DEFAULT_DATABASE_URL,
    DatabaseUrlError,
    StoreUnavailable,
    configured_database_url,
    parse_database_url,
)
from db.migrations import MigrationError
from db.packs.check import PackError, check_pack_file
from db.packs.format import dump_pack
from db.store import Store

DRAFT_MOVED = "`python -m db draft` is now `python -m bot draft tvmaze SHOW_OR_ID [-o FILE]`"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m db", description="List, check, import, export and remove fandex fact packs; copy a whole store."
    )
    parser.add_argument(
        "--database-url", help=f"store to use (default: DATABASE_URL from the environment or .env, else {DEFAULT_DATABASE_URL})"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("packs", help="the packs in the store: id, title, counts, file, imported at")
    check = commands.add_parser("check", help="validate packs and list every problem with its location")
    check.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    imp = commands.add_parser("import", help="validate, then upsert a pack (importing twice changes nothing)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--force", action="store_true", help="re-run the upsert even if the pack is unchanged")
    exp = commands.add_parser("export", help="write a pack from the store as YAML")
    exp.add_argument("--pack", required=True, metavar="ID", help="pack id (see `python -m db packs`)")
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    rem = commands.add_parser("remove", help="take a pack out of the store; every server's own data stays")
    rem.add_argument("pack", metavar="ID")
    rem.add_argument("--yes", action="store_true", help="really remove it (without it, only says what would go)")
    # Whatever follows `draft` is answered with DRAFT_MOVED (see main), so it takes no arguments of its own.
    commands.add_parser("draft", help="moved: `python -m bot draft tvmaze SHOW_OR_ID [-o FILE]`", add_help=False)
    copy = commands.add_parser(
        "copy",
        help="copy every row of the store into another, ids kept (stop the bot first)",
        description=(
            "Copy every row of the store (DATABASE_URL or --database-url) into another store, ids kept, in one "
            "transaction on the target: a copy that fails leaves it as it was. Stop the bot first: what it "
            "writes during the copy is not copied. Then point DATABASE_URL at the target and start the bot."
        ),
    )
    copy.add_argument("--to", required=True, metavar="URL", help="the target: postgresql://user:password@host:port/dbname or sqlite:///path")
    copy.add_argument(
        "--replace", action="store_true", help="delete what the target holds first (without it, a target holding data is refused)"
    )
    return parser


def _check(paths: list[Path]) -> int:
    failed = 0
    for path in paths:
        try:
            spec = check_pack_file(path).spec
        except PackError as exc:
            failed += 1
            _report(exc)
            continue
        print(
            f"{path}: ok — pack `{spec.pack.id}`: {len(spec.sources)} sources, {len(spec.series)} series, "
            f"{len(spec.characters)} characters, {len(spec.relationships)} relationships, "
            f"{len(spec.ships)} ship{'s' if len(spec.ships) != 1 else ''}"
        )
    return 1 if failed else 0


async def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args.paths)
    url = args.database_url or configured_database_url()
    if args.command == "copy":
        return await _copy(url, args.to, replace=args.replace)
    async with Store.open(url) as store:
        await store.migrate()
        if args.command == "packs":
            packs = await store.packs.all()
            if not packs:
                print(f"no packs in {store.describe()}")
            for p in packs:
                print(
                    f"{p.key}\t{p.title}\t{p.characters} characters, {p.series} series, {p.releases} releases\t"
                    f"{p.location or '-'}\timported {p.imported_at:%Y-%m-%d %H:%M} UTC"
                )
            return 0
        if args.command == "import":
            report = await store.packs.import_file(args.path, force=args.force)
            print(report.summary())
            return 0
        if args.command == "remove":
            return await _remove(store, args.pack, confirmed=args.yes)
        exported = await store.packs.export(args.pack)
        if exported is None:
            return _unknown(args.pack, [p.key for p in await store.packs.all()])
        text = dump_pack(exported)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
            print(f"wrote pack `{args.pack}` to {args.output}")
        else:
            sys.stdout.write(text)
        return 0


async def _remove(store: Store, key: str, *, confirmed: bool) -> int:
    packs = {p.key: p for p in await store.packs.all()}
    pack = packs.get(key)
    if pack is None:
        return _unknown(key, list(packs))
    if not confirmed:
        print(
            f"would remove pack `{key}` ({pack.title}): {pack.characters} characters, {pack.series} series, "
            f"{pack.releases} releases and their sources.\n"
            "would keep: every poll (question, options, votes), every server's own releases and dates, "
            "subscriptions, settings, and which servers follow it.\n"
            "run again with --yes to remove it."
        )
        return 1
    report = await store.packs.remove(key)
    assert report is not None
    print(report.summary())
    return 0


async def _copy(source: str, target: str, *, replace: bool) -> int:
    try:
        parse_database_url(target)
    except DatabaseUrlError as exc:
        print(f"error: --to {exc}", file=sys.stderr)
        return 2
    report = await copy_urls(source, target, replace=replace)
    print("\n".join(report.lines()))
    return 0


def _unknown(key: str, known: list[str]) -> int:
    print(f"error: no pack `{key}` in the store (packs: {', '.join(known) or 'none'})", file=sys.stderr)
    return 1


def _report(exc: PackError) -> None:
    print(f"{len(exc.problems)} problem(s) in {exc.filename}; nothing was imported:", file=sys.stderr)
    for problem in exc.problems:
        print(f"  {problem.render(exc.filename)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if args.command == "draft":
        print(f"error: {DRAFT_MOVED}", file=sys.stderr)
        return 2
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return asyncio.run(_run(args))
    except PackError as exc:
        _report(exc)
        return 1
    except DatabaseUrlError as exc:
        print(f"error: DATABASE_URL {exc}", file=sys.stderr)
        return 2
    except (StoreUnavailable, MigrationError, CopyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
