"""`python -m bot` runs one bot; `python -m bot launch --processes N` runs N of them and keeps them running."""

from __future__ import annotations

import argparse
import re
import sys

from bot.launch import launcher, supervisor


def process_count(text: str) -> int:
    """argparse type for --processes: a whole number of 1 or more."""
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Run the fandex bot (one process, or several with `launch`). Settings come from .env."
    )
    commands = parser.add_subparsers(dest="command", metavar="{launch}")
    launch = commands.add_parser(
        "launch", help="run several bot processes over the shards, restart one that dies",
        description="Start N bot processes splitting the shards evenly; restart one that dies; stop all on SIGTERM/SIGINT.",
    )
    launch.add_argument("--processes", type=process_count, default=1, metavar="N",
                        help="how many bot processes to run (default 1; more than 1 needs PostgreSQL)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "launch":
        return supervisor.main(args.processes)
    return launcher.main()


if __name__ == "__main__":
    sys.exit(main())
