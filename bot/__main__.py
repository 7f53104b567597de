"""`python -m bot` runs one bot; `python -m bot launch --processes N` runs N of them and keeps them running;
`python -m bot draft tvmaze SHOW_OR_ID [-o FILE]` writes a TVmaze show as a pack to enrich."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from pathlib import Path

from bot.launch import launcher, supervisor


def process_count(text: str) -> int:
    """argparse type for --processes: a whole number of 1 or more."""
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Run the fandex bot (one process, or several with `launch`), or draft a pack from TVmaze. Settings come from .env.",
    )
    commands = parser.add_subparsers(dest="command", metavar="{launch,draft}")
    launch = commands.add_parser(
        "launch", help="run several bot processes over the shards, restart one that dies",
        description="Start N bot processes splitting the shards evenly; restart one that dies; stop all on SIGTERM/SIGINT.",
    )
    launch.add_argument("--processes", type=process_count, default=1, metavar="N",
                        help="how many bot processes to run (default 1; more than 1 needs PostgreSQL)")
    draft = commands.add_parser("draft", help="write a TVmaze show as a pack (YAML) to enrich, then check and import")
    draft.add_argument("site", choices=["tvmaze"], help="where the show comes from")
    draft.add_argument("show", metavar="SHOW_OR_ID", help="a show's name (the best match is taken) or its TVmaze id")
    draft.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "launch":
        return supervisor.main(args.processes)
    if args.command == "draft":
        from bot.tvmaze.draft import write_draft  # the pack format's models: not loaded by a running bot

        return asyncio.run(write_draft(args.show, args.output))
    return launcher.main()


if __name__ == "__main__":
    sys.exit(main())
