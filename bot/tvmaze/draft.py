"""`python -m db draft tvmaze SHOW_OR_ID`: a TVmaze show written as a pack for a moderator to enrich.

The same data `/fandom add` imports, as YAML declaring `sync: {tvmaze: ID}`: add nicknames,
relationships and notes, then `db check` and `db import`; the bot keeps its dates and cast current.
"""

from __future__ import annotations

from bot.tvmaze.pack import LICENCE, show_pack
from bot.tvmaze.records import TvmazeError
from db.backends.database_url import from_environment
from db.packs.check import check_pack_data
from db.packs.format import dump_pack

DEFAULT_API_BASE = "https://api.tvmaze.com"


def api_base() -> str:
    """TVMAZE_API_BASE from the environment or `.env`, as the bot reads it."""
    return from_environment("TVMAZE_API_BASE") or DEFAULT_API_BASE


async def draft_tvmaze(query: str, base_url: str) -> tuple[str, str]:
    """(YAML of the pack, a line naming the show chosen); TvmazeError when there is no such show."""
    from bot.tvmaze.client import TvmazeClient  # the HTTP client lives with the bot; only this command needs it

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
