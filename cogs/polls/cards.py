"""What a poll looks like: its embed (question, live tally, deadline) and canon summaries of a pair."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import discord

from bot.citations import Citations
from bot.embeds import COLOUR, FIELD_LIMIT
from bot.formatting import discord_timestamp, join_limited, truncate
from cogs.polls.tally import Tally, option_line
from db.models import Canon, Relationship, Source
from db.polls import Poll

TITLES = {"ship": "💞 Ship poll", "pairing": "💘 Pairing poll", "custom": "📊 Poll"}
CANON_ORDER = (Canon.ON_SCREEN, Canon.COMICS, Canon.RUMOUR)


def canon_summary(relationships: Iterable[Relationship]) -> str:
    """One line per kind of canon: 'On screen: romance (ended), alliance · In the comics: romance (married)'."""
    by_canon: dict[Canon, list[str]] = defaultdict(list)
    for rel in relationships:
        item = f"{rel.kind}" + (f" ({rel.status})" if rel.status else "")
        if item not in by_canon[rel.canon]:
            by_canon[rel.canon].append(item)
    parts = [f"{c.label.capitalize()}: {', '.join(by_canon[c])}" for c in CANON_ORDER if by_canon[c]]
    return " · ".join(parts) if parts else "No known relationship in the fact pack."


def poll_card(poll: Poll, result: Tally, canon: str | None = None) -> discord.Embed:
    description = f"**{discord.utils.escape_markdown(poll.question)}**"
    if canon:
        description += f"\n-# Canon so far — {canon}"
    embed = discord.Embed(title=TITLES[poll.kind], description=truncate(description, 4000), colour=COLOUR)
    if poll.hide_results and poll.open:
        embed.add_field(name="Votes", value="Results are hidden until the poll closes.", inline=False)
    else:
        lines = [option_line(o) for o in result.options]
        lines.append(f"{result.voters} voter{'s' if result.voters != 1 else ''}")
        embed.add_field(name="Votes" if poll.open else "Final result", value=join_limited(lines, FIELD_LIMIT), inline=False)
    stamp = f"{discord_timestamp(poll.closes_at, 'F')} ({discord_timestamp(poll.closes_at, 'R')})"
    if poll.open:
        embed.add_field(name="Closes", value=stamp, inline=False)
    else:
        closed = poll.closed_at or poll.closes_at
        embed.add_field(name="Closed", value=f"{discord_timestamp(closed, 'F')} ({discord_timestamp(closed, 'R')})", inline=False)
    embed.set_footer(text=f"Poll #{poll.id} · one vote per member; press another option to change yours")
    return embed


def pair_card(first: str, second: str, relationships: list[Relationship], sources: dict[int, Source], record: str) -> discord.Embed:
    """/ship info: what is known of a pair, grouped by canon, every line with its source."""
    cite = Citations(sources)
    embed = discord.Embed(title=f"{first} × {second}", colour=COLOUR)
    if not relationships:
        embed.description = f"The fact pack knows no relationship between {first} and {second}."
    for canon in CANON_ORDER:
        lines = [
            truncate(f"**{rel.kind}**" + (f" ({rel.status})" if rel.status else "") + f" — {rel.note}", 300)
            + f" {cite.cite(rel.source_id)}"
            for rel in relationships if rel.canon is canon
        ]
        if lines:
            embed.add_field(name=canon.label.capitalize(), value=join_limited(lines, FIELD_LIMIT), inline=False)
    embed.add_field(name="Polls in this server", value=record, inline=False)
    if footer := cite.footer():
        embed.set_footer(text=footer)
    return embed
