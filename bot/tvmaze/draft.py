"""`python -m bot draft tvmaze SHOW_OR_ID [-o FILE]`: a TVmaze show written as a pack for a moderator to enrich.

The same data `/fandom add` imports, as YAML declaring `sync: {tvmaze: ID}`: add nicknames,
relationships and notes, then `db check` and `db import`; the bot keeps its dates and cast current.
It lives with the bot, not in `python -m db`, because it needs the TVmaze client and the store never
imports upward.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.tvmaze.addresses import TVMAZE_API_BASE
from bot.tvmaze.client import TvmazeClient
from bot.tvmaze.pack import LICENCE, show_pack
from bot.tvmaze.records import TvmazeError
from db.backends.database_url import from_environment
from db.packs.check import check_pack_data
from db.packs.format import dump_pack


def api_base() -> str:
    """TVMAZE_API_BASE from the environment or `.env`, as the bot reads it (no token needed to draft)."""
    return from_environment("TVMAZE_API_BASE") or TVMAZE_API_BASE


async def draft_tvmaze(query: str, base_url: str) -> tuple[str, str]:
    """(YAML of the pack, a line naming the show chosen); TvmazeError when there is no such show."""
    async with TvmazeClient.open(base_url) as client:
        wanted = query.strip()
        if wanted.isdigit():
            show_id = int(wanted)
        else:
            hits = await client.search_shows(wanted)
            if not hits:
                raise TvmazeError("not_found", f"TVmaze has no show called “{wanted}”.")
            show_id = hits[0].show.id
        show = await client.show(show_id)
        episodes = await client.episodes(show_id)
    spec = check_pack_data(show_pack(show, episodes), show.url).spec
    header = (
        f"# {show.name}, drafted from TVmaze ({show.url}); TVmaze's data is licensed {LICENCE}.\n"
        "# Add nicknames, relationships and notes; the bot keeps dates, episodes and cast in step with TVmaze.\n"
    )
    year = f", {show.premiered.year}" if show.premiered else ""
    return header + dump_pack(spec), f"{show.name} (TVmaze {show.id}{year})"


async def write_draft(query: str, output: Path | None) -> int:
    """The command: the draft to `output` (or stdout), and the exit status."""
    try:
        text, chosen = await draft_tvmaze(query, api_base())
    except TvmazeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if output:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
        print(f"wrote {chosen} to {output}; enrich it, then `python -m db check {output}` and `python -m db import {output}`")
    else:
        sys.stdout.write(text)
    return 0
