"""What a public poll card or /ship info may say of a pair in its channel: the relationship lines and
ship names whose marks (their own and both characters') the channel's sight sees, and how many it
held back. Finding the pair is pairs.py's; this only decides what of its facts is shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.spoilers.sight import Sight, marked_series
from db.facts.models import EpisodeMark, Relationship, Ship, ShipName

if TYPE_CHECKING:
    from bot.client import FandexBot


@dataclass(frozen=True, slots=True)
class PairFacts:
    relationships: tuple[Relationship, ...]
    names: tuple[ShipName, ...]
    held: int  # relationship lines and ship names left out


def seen_pair(relationships: Sequence[Relationship], ship: Ship | None, sight: Sight) -> PairFacts:
    """The pair's facts at `sight`: a line goes when its statement or either character is not yet known,
    the ship's names when the ship (or either of its characters) is not."""
    shown = tuple(r for r in relationships if sight.sees_all(r.marks))
    names = ship.names if ship is not None and sight.sees_all(ship.marks) else ()
    held = len(relationships) - len(shown) + (len(ship.names) - len(names) if ship is not None else 0)
    return PairFacts(shown, names, held)


def pair_marks(relationships: Sequence[Relationship], ship: Ship | None) -> tuple[EpisodeMark | None, ...]:
    return (*(m for r in relationships for m in r.marks), *(ship.marks if ship is not None else ()))


async def public_pair_facts(
    bot: FandexBot, guild_id: int, channel_id: int | None, first_id: int, second_id: int, now: datetime
) -> PairFacts:
    """The pair's facts as a public reply in the channel may show them (no trip for positions when
    nothing about the pair is marked)."""
    relationships = await bot.store.characters.relationships_between(first_id, second_id, guild_id)
    ship = await bot.store.ships.between(first_id, second_id, guild_id)
    series = marked_series(pair_marks(relationships, ship))
    return seen_pair(relationships, ship, await bot.sights.public(guild_id, channel_id, series, now))
