"""What a poll looks like: its embed (question, live tally, deadline) and canon summaries of a pair."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import discord

from bot.citations import Citations
from bot.embeds import Card
from bot.formatting import discord_timestamp, literal, truncate
from cogs.polls.tally import Tally, option_line
from db.models import Canon, Relationship, Source
from db.polls import Poll

TITLES = {"ship": "💞 Ship poll", "pairing": "💘 Pairing poll", "custom": "📊 Poll"}
CANON_ORDER = (Canon.ON_SCREEN, Canon.COMICS, Canon.RUMOUR)


def canon_summary(relationships: Iterable[Relationship]) -> str:
    """One line per kind of canon: 'On screen: romance (ended), alliance · In the comics: romance (married)'."""
    by_canon: dict[Canon, list[str]] = defaultdict(list)
    for rel in relationships:
        item = f"{rel.kind}" + (f" ({literal(rel.status)})" if rel.status else "")
        if item not in by_canon[rel.canon]:
            by_canon[rel.canon].append(item)
    parts = [f"{c.label.capitalize()}: {', '.join(by_canon[c])}" for c in CANON_ORDER if by_canon[c]]
    return " · ".join(parts) if parts else "No known relationship in the fact pack."


def poll_card(poll: Poll, result: Tally, canon: str | None = None) -> discord.Embed:
    card = Card(TITLES[poll.kind]).describe(f"**{literal(poll.question)}**", f"-# Canon so far — {canon}" if canon else "")
    if poll.hide_results and poll.open:
        card.add("Votes", "Results are hidden until the poll closes.")
    else:
        lines = [option_line(o) for o in result.options]
        lines.append(f"{result.voters} voter{'s' if result.voters != 1 else ''}")
        card.add("Votes" if poll.open else "Final result", lines)
    if poll.open:
        card.add("Closes", f"{discord_timestamp(poll.closes_at, 'F')} ({discord_timestamp(poll.closes_at, 'R')})")
    else:
        closed = poll.closed_at or poll.closes_at
        card.add("Closed", f"{discord_timestamp(closed, 'F')} ({discord_timestamp(closed, 'R')})")
    return card.footer([f"Poll #{poll.id} · one vote per member; press another option to change yours"]).build()


def pair_card(first: str, second: str, relationships: list[Relationship], sources: dict[int, Source], record: str) -> discord.Embed:
    """/ship info: what is known of a pair, grouped by canon, every line with its source."""
    cite = Citations(sources)
    card = Card(f"{first} × {second}")
    if not relationships:
        card.describe(f"The fact pack knows no relationship between {literal(first)} and {literal(second)}.")
    for canon in CANON_ORDER:
        lines = []
        for rel in relationships:
            if rel.canon is canon:
                head = f"**{rel.kind}**" + (f" ({literal(rel.status)})" if rel.status else "") + " — "
                lines.append(head + literal(truncate(rel.note, max(40, 300 - len(head)))) + f" {cite.cite(rel.source_id)}")
        card.add(canon.label.capitalize(), lines)
    card.add("Polls in this server", record)
    return card.footer(cite.entries(), prefix="Sources: ").build()
