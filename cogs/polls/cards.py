"""What a poll looks like: its embed (question, live tally, deadline) and canon summaries of a pair."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import discord

from bot.citations import Citations
from bot.embeds import Card
from bot.formatting import discord_timestamp, held_back_line, literal, truncate
from cogs.polls.options import BUTTON_OPTIONS
from cogs.polls.ranking import MIN_VOTES, RankedShip
from cogs.polls.tally import Tally, option_line, runoff_lines
from db.facts.models import Relationship, ShipName, Source
from db.repos.polls import Ballot, Poll

TITLES = {"ship": "💞 Ship poll", "pairing": "💘 Pairing poll", "custom": "📊 Poll"}


def canon_summary(relationships: Iterable[Relationship], *, held: int = 0) -> str:
    """One part per kind of canon, in the pack's order and words: 'On screen: romance (ended), alliance · …'.
    `held`: lines left out as beyond what the channel has watched."""
    by_canon: dict[tuple[int, str], list[str]] = defaultdict(list)
    for rel in relationships:
        item = f"{rel.kind}" + (f" ({literal(rel.status)})" if rel.status else "")
        if item not in by_canon[(rel.canon_rank, rel.canon_label)]:
            by_canon[(rel.canon_rank, rel.canon_label)].append(item)
    parts = [f"{literal(label[:1].upper() + label[1:])}: {', '.join(items)}" for (_, label), items in sorted(by_canon.items())]
    if not parts:
        return "Nothing known, as far as this channel has watched." if held else "No known relationship in the fact pack."
    return " · ".join(parts)


def ship_names_line(names: Sequence[str]) -> str:
    """'Ship name: Jancy' — what fans call the pair, when the pack says."""
    if not names:
        return ""
    return f"Ship name{'s' if len(names) > 1 else ''}: " + ", ".join(f"**{literal(n)}**" for n in names)


def poll_card(poll: Poll, result: Tally, canon: str | None = None, ship_names: Sequence[str] = ()) -> discord.Embed:
    card = Card(TITLES[poll.kind]).describe(
        f"**{literal(poll.question)}**",
        f"-# Asked by <@{poll.creator_id}>",  # a mention in an embed names the member and never pings
        f"-# {ship_names_line(ship_names)}" if ship_names else "",
        f"-# Canon so far — {canon}" if canon else "",
        f"-# Only members with <@&{poll.role_id}> may vote" if poll.role_id is not None else "",  # named, never pinged
    )
    if poll.hide_results and poll.open:
        card.add("Votes", "Results are hidden until the poll closes.")
    else:
        lines = [option_line(o) for o in result.options]
        lines.append(f"{result.voters} voter{'s' if result.voters != 1 else ''}")
        name = "Votes" if poll.open else "Final result"
        card.add(f"{name} — first choices" if poll.ranked else name, lines)
        if result.runoff is not None and not poll.open:
            card.add("Run-off", runoff_lines(result, result.runoff))
    if poll.open:
        card.add("Closes", f"{discord_timestamp(poll.closes_at, 'F')} ({discord_timestamp(poll.closes_at, 'R')})")
    else:
        closed = poll.closed_at or poll.closes_at
        card.add("Closed", f"{discord_timestamp(closed, 'F')} ({discord_timestamp(closed, 'R')})")
    if poll.open:
        return card.footer([f"Poll #{poll.id} · {how_to_vote(poll)}"]).build()
    return card.footer([f"Poll #{poll.id} · closed: these votes are final"]).build()


def how_to_vote(poll: Poll) -> str:
    """The open card's footer: how a member votes and changes their vote, for each kind of ballot."""
    if poll.ranked:
        return f"one ballot per member; press Rank to rank up to {poll.picks} options, and again to change it"
    if poll.picks > 1:
        return f"one ballot per member; choose up to {poll.picks} options in the menu, and again to change them"
    if len(poll.options) > BUTTON_OPTIONS:
        return "one vote per member; choose an option in the menu, and another to change yours"
    return "one vote per member; press another option to change yours"


def pair_card(
    first: str, second: str, relationships: list[Relationship], sources: dict[int, Source], record: str,
    ship_names: Sequence[ShipName] = (), *, held: int = 0,
) -> discord.Embed:
    """/ship info: what is known of a pair, grouped by canon, every line with its source; `held` lines
    and names beyond what the channel has watched are counted, never shown."""
    cite = Citations(sources)
    card = Card(f"{first} × {second}")
    names = ""
    if ship_names:
        label = f"Ship name{'s' if len(ship_names) > 1 else ''}: "
        names = label + " · ".join(f"**{literal(n.name)}** {cite.cite(n.source_id)}" for n in ship_names)
    unknown = "" if relationships or held else f"The fact pack knows no relationship between {literal(first)} and {literal(second)}."
    card.describe(names, unknown, f"-# {held_back_line(held)}" if held else "")
    by_canon: dict[tuple[int, str], list[str]] = defaultdict(list)
    for rel in relationships:  # already in the pack's order of canon
        head = f"**{rel.kind}**" + (f" ({literal(rel.status)})" if rel.status else "") + " — "
        line = head + literal(truncate(rel.note, max(40, 300 - len(head)))) + f" {cite.cite(rel.source_id)}"
        by_canon[(rel.canon_rank, rel.canon_label)].append(line)
    for (_, label), lines in sorted(by_canon.items()):
        card.add(label[:1].upper() + label[1:], lines)
    card.add("Polls in this server", record)
    return card.add("Sources", cite.entries()).build()


def voters_lines(poll: Poll, ballots: Sequence[Ballot]) -> list[str]:
    """A `voters: shown` poll after its close: each option and the members whose ballot holds it (as
    mentions, which an embed shows by name and never pings)."""
    lines = []
    for option in poll.options:
        held = [f"<@{b.user_id}>" for b in ballots if option.position in b.choices]
        lines.append(f"**{literal(option.label)}**: {', '.join(held) if held else 'nobody'}")
    return lines


def leaderboard_card(card: Card, ranked: Sequence[RankedShip], names: dict[int, str]) -> discord.Embed:
    """/ship leaderboard: one line per ship, its share of Yes and its sample, and how the board is ranked."""
    lines = []
    for place, ship in enumerate(ranked, start=1):
        rec = ship.record
        pair = f"{literal(names.get(rec.first_character_id, '?'))} × {literal(names.get(rec.second_character_id, '?'))}"
        early = " *(early days)*" if ship.early else ""
        lines.append(
            f"**{place}. {pair}** — {round(ship.share * 100)}% Yes of {rec.votes} vote{'s' if rec.votes != 1 else ''}"
            f" · {rec.polls} poll{'s' if rec.polls != 1 else ''}{early}"
        )
    card.describe(*lines)
    card.footer([
        "Ranked by the share of Yes we can be 95% sure of (Wilson lower bound), so a couple of votes can't top "
        f"the board; ties go to more votes. Early days: fewer than {MIN_VOTES} votes. Hidden open polls don't count."
    ])
    return card.build()
