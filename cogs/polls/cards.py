"""What a poll looks like: its embed (question, live tally, deadline) and canon summaries of a pair."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import discord

from bot.citations import Citations
from bot.embeds import Card
from bot.formatting import discord_timestamp, held_back_line, literal, truncate
from bot.i18n import N_, _, ngettext
from bot.i18n.formats import listing, number
from cogs.polls.ballots.items import RANK_LABEL
from cogs.polls.options import BUTTON_OPTIONS
from cogs.polls.ranking import MIN_VOTES, RankedShip
from cogs.polls.tally import Tally, option_labels, option_line, percent, runoff_lines
from db.facts.models import Relationship, ShipName, Source
from db.repos.polls import Ballot, Poll

TITLES = {"ship": N_("💞 Ship poll"), "pairing": N_("💘 Pairing poll"), "custom": N_("📊 Poll")}


def canon_summary(relationships: Iterable[Relationship], *, held: int = 0) -> str:
    """One part per kind of canon, in the pack's order and words: 'On screen: romance (ended), alliance · …'.
    `held`: lines left out as beyond what the channel has watched."""
    by_canon: dict[tuple[int, str], list[str]] = defaultdict(list)
    for rel in relationships:
        item = f"{rel.kind}" + (f" ({literal(rel.status)})" if rel.status else "")
        if item not in by_canon[(rel.canon_rank, rel.canon_label)]:
            by_canon[(rel.canon_rank, rel.canon_label)].append(item)
    parts = [
        # i18n: {canon} is the pack's kind of canon ("On screen"), {kinds} its relationships ("romance (ended), alliance")
        _("{canon}: {kinds}", canon=literal(label[:1].upper() + label[1:]), kinds=listing(items))
        for (__, label), items in sorted(by_canon.items())
    ]
    if not parts:
        return _("Nothing known, as far as this channel has watched.") if held else _("No known relationship in the fact pack.")
    return " · ".join(parts)


def ship_names_line(names: Sequence[str]) -> str:
    """'Ship name: Jancy' — what fans call the pair, when the pack says."""
    if not names:
        return ""
    return ngettext("Ship name: {names}", "Ship names: {names}", len(names), names=listing([f"**{literal(n)}**" for n in names]))


def poll_card(poll: Poll, result: Tally, canon: str | None = None, ship_names: Sequence[str] = ()) -> discord.Embed:
    """The poll's shared card. Its callers speak the server's language around it (the card is re-drawn by
    the bot on its own after each vote, so it always speaks the server's, even when first posted)."""
    creator = f"<@{poll.creator_id}>"  # a mention in an embed names the member and never pings
    role = f"<@&{poll.role_id}>"  # named, never pinged
    card = Card(_(TITLES[poll.kind])).describe(
        f"**{literal(poll.question)}**",
        _("-# Asked by {creator}", creator=creator),
        f"-# {ship_names_line(ship_names)}" if ship_names else "",
        _("-# Canon so far — {canon}", canon=canon) if canon else "",
        _("-# Only members with {role} may vote", role=role) if poll.role_id is not None else "",
    )
    if poll.hide_results and poll.open:
        card.add(_("Votes"), _("Results are hidden until the poll closes."))
    else:
        lines = [option_line(o) for o in result.options]
        lines.append(ngettext("{voters} voter", "{voters} voters", result.voters, voters=number(result.voters)))
        if poll.open:
            name = _("Votes — first choices") if poll.ranked else _("Votes")
        else:
            name = _("Final result — first choices") if poll.ranked else _("Final result")
        card.add(name, lines)
        if result.runoff is not None and not poll.open:
            card.add(_("Run-off"), runoff_lines(result, result.runoff))
    if poll.open:
        card.add(_("Closes"), f"{discord_timestamp(poll.closes_at, 'F')} ({discord_timestamp(poll.closes_at, 'R')})")
    else:
        closed = poll.closed_at or poll.closes_at
        card.add(_("Closed"), f"{discord_timestamp(closed, 'F')} ({discord_timestamp(closed, 'R')})")
    if poll.open:
        # i18n: {how} is how to vote on this poll ("one vote per member; press another option to change yours")
        return card.footer([_("Poll #{id} · {how}", id=poll.id, how=how_to_vote(poll))]).build()
    return card.footer([_("Poll #{id} · closed: these votes are final", id=poll.id)]).build()


def how_to_vote(poll: Poll) -> str:
    """The open card's footer: how a member votes and changes their vote, for each kind of ballot."""
    if poll.ranked:
        # i18n: {rank} is the label of the poll's Rank button
        return _("one ballot per member; press {rank} to rank up to {picks} options, and again to change it",
                 rank=_(RANK_LABEL), picks=poll.picks)
    if poll.picks > 1:
        return _("one ballot per member; choose up to {picks} options in the menu, and again to change them", picks=poll.picks)
    if len(poll.options) > BUTTON_OPTIONS:
        return _("one vote per member; choose an option in the menu, and another to change yours")
    return _("one vote per member; press another option to change yours")


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
        listed = " · ".join(f"**{literal(n.name)}** {cite.cite(n.source_id)}" for n in ship_names)
        names = ngettext("Ship name: {names}", "Ship names: {names}", len(ship_names), names=listed)
    unknown = "" if relationships or held else _(
        "The fact pack knows no relationship between {first} and {second}.", first=literal(first), second=literal(second)
    )
    card.describe(names, unknown, f"-# {held_back_line(held)}" if held else "")
    by_canon: dict[tuple[int, str], list[str]] = defaultdict(list)
    for rel in relationships:  # already in the pack's order of canon
        head = f"**{rel.kind}**" + (f" ({literal(rel.status)})" if rel.status else "") + " — "
        line = head + literal(truncate(rel.note, max(40, 300 - len(head)))) + f" {cite.cite(rel.source_id)}"
        by_canon[(rel.canon_rank, rel.canon_label)].append(line)
    for (__, label), lines in sorted(by_canon.items()):
        card.add(label[:1].upper() + label[1:], lines)
    card.add(_("Polls in this server"), record)
    return card.add(_("Sources"), cite.entries()).build()


def voters_lines(poll: Poll, ballots: Sequence[Ballot]) -> list[str]:
    """A `voters: shown` poll after its close: each option and the members whose ballot holds it (as
    mentions, which an embed shows by name and never pings)."""
    lines = []
    for option, shown in zip(poll.options, option_labels(poll), strict=True):
        held = [f"<@{b.user_id}>" for b in ballots if option.position in b.choices]
        label = literal(shown)
        if held:
            lines.append(_("**{option}**: {voters}", option=label, voters=listing(held)))
        else:
            lines.append(_("**{option}**: nobody", option=label))
    return lines


def leaderboard_card(card: Card, ranked: Sequence[RankedShip], names: dict[int, str]) -> discord.Embed:
    """/ship leaderboard: one line per ship, its share of Yes and its sample, and how the board is ranked."""
    lines = []
    for place, ship in enumerate(ranked, start=1):
        rec = ship.record
        pair = f"{literal(names.get(rec.first_character_id, '?'))} × {literal(names.get(rec.second_character_id, '?'))}"
        # i18n: "Yes" is the ship poll's Yes option
        share = ngettext("{percent}% Yes of {votes} vote", "{percent}% Yes of {votes} votes", rec.votes,
                         percent=percent(ship.share), votes=number(rec.votes))
        polls = ngettext("{polls} poll", "{polls} polls", rec.polls, polls=number(rec.polls))
        if ship.early:
            lines.append(_("**{place}. {pair}** — {share} · {polls} *(early days)*", place=place, pair=pair, share=share, polls=polls))
        else:
            lines.append(_("**{place}. {pair}** — {share} · {polls}", place=place, pair=pair, share=share, polls=polls))
    card.describe(*lines)
    card.footer([
        _("Ranked by the share of Yes we can be 95% sure of (Wilson lower bound), so a couple of votes can't top "
          "the board; ties go to more votes. Early days: fewer than {min_votes} votes. Hidden open polls don't count.",
          min_votes=MIN_VOTES)
    ])
    return card.build()
