"""What the store hands out: frozen dataclasses, so cogs never see rows or SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from db.dates import PartialDate


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


class Canon(StrEnum):
    """Where a relationship is told: on screen, in the comics, or only rumoured."""

    ON_SCREEN = "on_screen"
    COMICS = "comics"
    RUMOUR = "rumour"

    @property
    def label(self) -> str:
        return {"on_screen": "on screen", "comics": "in the comics", "rumour": "rumoured"}[self.value]


class NameKind(StrEnum):
    HERO = "hero"
    ALIAS = "alias"
    ACTOR = "actor"  # another spelling of the actor's name, e.g. "Carrie-Anne Moss"


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
class CharacterName:
    name: str
    kind: NameKind
    source_id: int


@dataclass(frozen=True, slots=True)
class Appearance:
    series_id: int
    series_title: str
    season_number: int | None
    status: FactStatus
    note: str | None
    source_id: int


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
    canon: Canon
    status: str | None
    note: str
    source_id: int

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

    @property
    def hero_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.names if n.kind is NameKind.HERO)

    @property
    def aliases(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.names if n.kind is NameKind.ALIAS)


@dataclass(frozen=True, slots=True)
class NameEntry:
    """One searchable name of a character: canonical, hero name, alias or actor."""

    character_id: int
    character_name: str
    text: str
    kind: str  # "name", "hero", "alias" or "actor"
    rumoured: bool


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


@dataclass(frozen=True, slots=True)
class Release:
    id: int
    key: str
    title: str
    series_id: int | None
    season_number: int | None
    platform: str | None
    guild_id: int | None
    history: tuple[Announcement, ...]  # oldest first

    @property
    def current(self) -> Announcement | None:
        return self.history[-1] if self.history else None


@dataclass(frozen=True, slots=True)
class Season:
    number: int
    episodes: int | None
    source_id: int
    release: Release | None


@dataclass(frozen=True, slots=True)
class ProductionFact:
    kind: ProductionKind
    season_number: int | None
    person: str | None
    text: str
    source_id: int


@dataclass(frozen=True, slots=True)
class CastEntry:
    character_id: int
    character_name: str
    actor: str | None
    hero_names: tuple[str, ...]
    status: FactStatus
    seasons: tuple[int, ...]


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
    key: str
    title: str
    description: str | None
    digest: str
    imported_at: datetime


@dataclass(frozen=True, slots=True)
class StoreCounts:
    characters: int
    series: int
    releases: int
    sources: int
