"""What the store hands out: frozen dataclasses, so cogs never see rows or SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from db.facts.dates import PartialDate
from db.facts.episode_refs import episode_label, episode_of_order


class FactStatus(StrEnum):
    CONFIRMED = "confirmed"
    RUMOURED = "rumoured"


class RelationshipKind(StrEnum):
    ROMANCE = "romance"
    FRIENDSHIP = "friendship"
    ALLIANCE = "alliance"
    RIVALRY = "rivalry"
    FAMILY = "family"
    OTHER = "other"


class EventKind(StrEnum):
    """What happens to a character in an episode (a pack's `events:`)."""

    DEATH = "death"
    REVEAL = "reveal"
    OTHER = "other"


class Billing(StrEnum):
    """How a character is billed in an appearance; lookups rank main before recurring before guest."""

    MAIN = "main"
    RECURRING = "recurring"
    GUEST = "guest"


class NameKind(StrEnum):
    """The kinds of name the bot itself knows; a pack adds its own (nickname, title, codename…)."""

    ALIAS = "alias"
    ACTOR = "actor"  # another spelling of the actor's name


class ProductionKind(StrEnum):
    SHOWRUNNER = "showrunner"
    DIRECTOR = "director"
    FILMING = "filming"
    WORKING_TITLE = "working_title"
    RENEWAL = "renewal"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    key: str
    title: str
    outlet: str | None
    published: str | None
    location: str | None
    from_articles: bool
    note: str | None = None

    def citation(self) -> str:
        """Short form for embed footers: outlet and title, or the title alone."""
        return f"{self.outlet}, “{self.title}”" if self.outlet else f"“{self.title}”"


@dataclass(frozen=True, slots=True)
class EpisodeMark:
    """The episode that reveals a fact (a pack's `since:`): its series and its place there, as one
    integer that compares with a viewer's position (db/facts/episode_refs.py)."""

    series_id: int
    order: int

    @property
    def season(self) -> int:
        return episode_of_order(self.order)[0]

    @property
    def number(self) -> int:
        return episode_of_order(self.order)[1]

    @property
    def label(self) -> str:
        return episode_label(self.season, self.number)


def mark_of(series_id: int | None, order: int | None) -> EpisodeMark | None:
    """The mark stored in a row's `since_series_id` and `since_order`, or None: known from the start."""
    return EpisodeMark(series_id, order) if series_id is not None and order is not None else None


@dataclass(frozen=True, slots=True)
class CharacterName:
    name: str
    kind: str  # NameKind, or one of the pack's own kinds
    source_id: int
    label: str = ""  # the pack's word for the kind ("nickname"); empty for a plain alias
    since: EpisodeMark | None = None


@dataclass(frozen=True, slots=True)
class CharacterEvent:
    """Something that happens to a character in an episode: a death, a reveal…"""

    kind: EventKind
    text: str
    source_id: int
    since: EpisodeMark | None = None  # None: known from the start


@dataclass(frozen=True, slots=True)
class Appearance:
    series_id: int
    series_title: str
    season_number: int | None
    status: FactStatus
    note: str | None
    source_id: int
    billing: Billing | None = None
    actor: str | None = None  # who plays the character here when the role was recast; None: their own actor
    actor_source_id: int | None = None
    since: EpisodeMark | None = None


@dataclass(frozen=True, slots=True)
class Affiliation:
    name: str
    source_id: int


@dataclass(frozen=True, slots=True)
class Relationship:
    """One article's statement about a pair; the same pair may have several."""

    id: int
    first_id: int
    first_name: str
    second_id: int
    second_name: str
    kind: RelationshipKind
    canon: str  # the pack's key for where it is told ("on_screen", "books"…)
    canon_label: str  # the pack's words for it ("on screen", "in the books")
    canon_rank: int  # the pack's order of kinds of canon, for listing
    status: str | None
    note: str
    source_id: int
    since: EpisodeMark | None = None  # the whole statement, status and note included
    first_since: EpisodeMark | None = None  # each character's own: a line naming one is known once both are
    second_since: EpisodeMark | None = None

    @property
    def marks(self) -> tuple[EpisodeMark | None, ...]:
        """Everything that must be watched before the statement may be shown: it, and both characters."""
        return (self.since, self.first_since, self.second_since)

    def other(self, character_id: int) -> tuple[int, str]:
        if character_id == self.first_id:
            return self.second_id, self.second_name
        return self.first_id, self.first_name


@dataclass(frozen=True, slots=True)
class CharacterSummary:
    """Enough to list or index a character."""

    id: int
    key: str
    name: str
    actor: str | None
    status: FactStatus
    since: EpisodeMark | None = None


@dataclass(frozen=True, slots=True)
class Character:
    """A character with everything the store knows about them, and the sources that say so."""

    id: int
    key: str
    name: str
    actor: str | None
    description: str | None
    status: FactStatus
    source_id: int
    name_source_id: int | None
    names: tuple[CharacterName, ...]
    affiliations: tuple[Affiliation, ...]
    appearances: tuple[Appearance, ...]
    relationships: tuple[Relationship, ...]
    sources: dict[int, Source]
    fandom: str | None = None  # the pack's title; None for a server's own character
    image_url: str | None = None  # http(s), checked when the pack was
    since: EpisodeMark | None = None  # the episode the character becomes known in; None: from the start
    events: tuple[CharacterEvent, ...] = ()  # oldest first; those known from the start before any

    @property
    def known_as(self) -> tuple[str, ...]:
        """Names of the pack's labelled kinds (a codename, a title…), for one-line mentions."""
        return tuple(n.name for n in self.names if n.label and n.kind != NameKind.ACTOR)

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.names if n.kind == NameKind.ALIAS)


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One searchable name of a character: canonical, another name it goes by, or its actor."""

    character_id: int
    character_name: str
    text: str
    kind: str  # "name", "actor", "alias" or one of the pack's kinds
    rumoured: bool
    since: EpisodeMark | None = None  # the name's own (an alias revealed later); the character's for "name"
    character_since: EpisodeMark | None = None  # the character's own: a name is known only once both are


@dataclass(frozen=True, slots=True)
class Announcement:
    """One statement of a release date; the latest visible one is the current date."""

    id: int
    seq: int
    date: PartialDate
    note: str | None
    announced_on: str | None
    source_id: int | None
    guild_id: int | None


class ReleaseKind(StrEnum):
    RELEASE = "release"  # a season or other premiere
    EPISODE = "episode"  # a numbered episode of a season
    SPECIAL = "special"  # an episode outside the numbering


@dataclass(frozen=True, slots=True)
class Release:
    id: int
    key: str
    title: str  # "<series> season 2" or "<series> S2E05": short, what a member types
    series_id: int | None
    season_number: int | None
    platform: str | None
    guild_id: int | None
    history: tuple[Announcement, ...]  # oldest first
    kind: ReleaseKind = ReleaseKind.RELEASE
    episode: int | None = None
    episode_title: str | None = None
    runtime: int | None = None  # minutes
    rating: float | None = None  # TVmaze's average for the episode, 0–10 (pack key `rating`); None: unrated

    @property
    def current(self) -> Announcement | None:
        return self.history[-1] if self.history else None

    @property
    def is_episode(self) -> bool:
        return self.kind is not ReleaseKind.RELEASE

    @property
    def label(self) -> str:
        """The title with the episode's own title when it has one: `Show S2E05 — “Trojan's Horse”`."""
        return f"{self.title} — “{self.episode_title}”" if self.episode_title else self.title


@dataclass(frozen=True, slots=True)
class ReleaseMove:
    """A pack release whose instant changed, appeared or went on a re-import (a TVmaze sync, say):
    its reminders are re-planned and subscribed channels are told it moved."""

    release_id: int | None  # None when the release is gone
    pack_key: str
    label: str  # Release.label
    before: datetime | None  # None: new, or it had no exact instant
    after: datetime | None  # None: removed, or it lost its exact instant


@dataclass(frozen=True, slots=True)
class Season:
    number: int
    episodes: int | None  # how many, as the pack says (the length of `episode_list` when it lists them)
    source_id: int
    release: Release | None  # the season's own premiere date, when the pack announces one
    episode_list: tuple[Release, ...] = ()  # numbered episodes in order, then specials

    @property
    def premiere(self) -> Release | None:
        """The season's own release, else its first numbered episode."""
        return self.release or next((e for e in self.episode_list if e.kind is ReleaseKind.EPISODE), None)

    @property
    def finale(self) -> Release | None:
        numbered = [e for e in self.episode_list if e.kind is ReleaseKind.EPISODE]
        return numbered[-1] if numbered else None


@dataclass(frozen=True, slots=True)
class ProductionFact:
    kind: ProductionKind
    season_number: int | None
    person: str | None
    text: str
    source_id: int


@dataclass(frozen=True, slots=True)
class CastAppearance:
    """One appearance behind a cast line, with what a sight needs to keep or drop it."""

    season_number: int | None
    actor: str | None  # who plays the character here: the recast actor, else their own
    status: FactStatus
    since: EpisodeMark | None = None


@dataclass(frozen=True, slots=True)
class CastEntry:
    character_id: int
    character_name: str
    actor: str | None
    known_as: tuple[str, ...]  # names of the pack's labelled kinds
    status: FactStatus
    seasons: tuple[int, ...]
    # Who plays them in this series, with the seasons (() = the series as a whole): more than one when recast.
    actors: tuple[tuple[str, tuple[int, ...]], ...] = ()
    since: EpisodeMark | None = None  # the character's own
    known_as_since: tuple[EpisodeMark | None, ...] = ()  # each of `known_as`'s own, in the same order
    appearances: tuple[CastAppearance, ...] = ()  # in order of season, the series as a whole first

    @property
    def marks(self) -> tuple[EpisodeMark | None, ...]:
        return (self.since, *self.known_as_since, *(a.since for a in self.appearances))

    def keeping(self, sees: Callable[[EpisodeMark | None], bool]) -> CastEntry | None:
        """The line as far as `sees` lets it go: None when the character, or every appearance, is hidden;
        else only the names, seasons and actor credits whose marks it sees."""
        if not sees(self.since):
            return None
        kept = tuple(a for a in self.appearances if sees(a.since))
        names = tuple(n for i, n in enumerate(self.known_as) if sees(self.known_as_since[i] if i < len(self.known_as_since) else None))
        if len(kept) == len(self.appearances) and len(names) == len(self.known_as):
            return self
        if self.appearances and not kept:
            return None
        return replace(
            self, known_as=names, appearances=kept, known_as_since=tuple(m for m in self.known_as_since if sees(m)),
            status=min(a.status for a in kept), seasons=seasons_of(kept), actors=actors_of(kept),
        )


def seasons_of(appearances: Iterable[CastAppearance]) -> tuple[int, ...]:
    return tuple(sorted({a.season_number for a in appearances if a.season_number is not None}))


def actors_of(appearances: Iterable[CastAppearance]) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Who played the role in which seasons, in the order of the appearances (more than one: recast)."""
    actors: dict[str, list[int]] = {}
    for a in appearances:
        if a.actor is not None:
            seasons = actors.setdefault(a.actor, [])
            if a.season_number is not None:
                seasons.append(a.season_number)
    return tuple((actor, tuple(numbers)) for actor, numbers in actors.items())


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    id: int
    key: str
    title: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Series:
    id: int
    key: str
    title: str
    kind: str
    platform: str | None
    description: str | None
    source_id: int
    aliases: tuple[str, ...]
    seasons: tuple[Season, ...]
    cast: tuple[CastEntry, ...]
    production: tuple[ProductionFact, ...]
    sources: dict[int, Source]


@dataclass(frozen=True, slots=True)
class PackInfo:
    """A fact pack in the store: one fandom."""

    key: str
    title: str
    description: str | None
    digest: str
    imported_at: datetime
    id: int = 0
    location: str | None = None  # the file it was imported from
    characters: int = 0
    series: int = 0
    releases: int = 0


@dataclass(frozen=True, slots=True)
class StoreCounts:
    characters: int
    series: int
    releases: int
    sources: int


@dataclass(frozen=True, slots=True)
class ShipName:
    name: str
    source_id: int


@dataclass(frozen=True, slots=True)
class Ship:
    """A pair with names fans give it ("Jancy"), as the pack lists the pair."""

    id: int
    first_id: int
    first_name: str
    second_id: int
    second_name: str
    names: tuple[ShipName, ...]
    source_id: int
    since: EpisodeMark | None = None
    first_since: EpisodeMark | None = None  # each character's own: a ship is known once both are
    second_since: EpisodeMark | None = None

    @property
    def marks(self) -> tuple[EpisodeMark | None, ...]:
        return (self.since, self.first_since, self.second_since)


@dataclass(frozen=True, slots=True)
class ShipSummary:
    """Enough to index a ship by its names."""

    id: int
    pack_id: int
    names: tuple[str, ...]
    marks: tuple[EpisodeMark, ...] = ()  # the ship's own and its characters': known once all are watched
