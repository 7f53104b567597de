"""What a card may show at a sight: the character, or the cast, less every fact revealed after the
reader's position, and how many facts were held back. Pure, so a card at any position is a plain
function of the facts and a Sight (built from the store by bot/spoilers/sights.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.spoilers.sight import Sight
from db.facts.models import CastEntry, Character, EpisodeMark


@dataclass(frozen=True, slots=True)
class SeenCharacter:
    """A character as one sight shows them, and how many of their facts it held back."""

    character: Character
    held: int


def character_marks(character: Character) -> tuple[EpisodeMark | None, ...]:
    """Every mark on a character's card: theirs, each name's, appearance's, event's and relationship's."""
    return (
        character.since,
        *(n.since for n in character.names),
        *(a.since for a in character.appearances),
        *(e.since for e in character.events),
        *(m for r in character.relationships for m in r.marks),
    )


def seen_character(character: Character, sight: Sight) -> SeenCharacter | None:
    """The character at `sight`, or None when the character itself is not yet known there. A recast
    actor's credit comes from an appearance, so it goes with it; a relationship goes when its own mark
    or either character's is not seen."""
    if not sight.sees(character.since):
        return None
    names = tuple(n for n in character.names if sight.sees(n.since))
    appearances = tuple(a for a in character.appearances if sight.sees(a.since))
    events = tuple(e for e in character.events if sight.sees(e.since))
    relationships = tuple(r for r in character.relationships if sight.sees_all(r.marks))
    held = (
        len(character.names) - len(names)
        + len(character.appearances) - len(appearances)
        + len(character.events) - len(events)
        + len(character.relationships) - len(relationships)
    )
    if not held:
        return SeenCharacter(character, 0)
    shown = replace(character, names=names, appearances=appearances, events=events, relationships=relationships)
    return SeenCharacter(shown, held)


def cast_marks(cast: Iterable[CastEntry]) -> tuple[EpisodeMark | None, ...]:
    return tuple(m for entry in cast for m in entry.marks)


def seen_cast(cast: Iterable[CastEntry], sight: Sight) -> tuple[CastEntry, ...]:
    """The cast list at `sight`: a character not yet known is left out, and so are seasons, labelled
    names and actor credits that only a later episode reveals."""
    return tuple(kept for entry in cast if (kept := entry.keeping(sight.sees)) is not None)
