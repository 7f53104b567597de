"""The fact-pack format (YAML), as pydantic models: the one definition of what a pack may say.

Unknown keys are errors, so a typo ("acter:") is reported instead of silently dropped.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, NonNegativeInt, StringConstraints

from db.facts.dates import DEFAULT_ZONE
from db.facts.models import Billing, EventKind, FactStatus, ProductionKind, RelationshipKind

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Prose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]  # descriptions, notes, quotes
Number = Annotated[int, Field(ge=1, le=1000)]
Term = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]  # a kind of canon or of name
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
WebAddress = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]  # scheme and length: pack_check

# Kinds of canon a relationship may be told in, with the words cards use, in the order cards list
# them. A pack may relabel these or add its own (`pack.canon`); `rumour` always comes last.
DEFAULT_CANON: dict[str, str] = {
    "on_screen": "on screen",
    "comics": "in the comics",
    "books": "in the books",
    "games": "in the games",
    "rumour": "rumoured",
}
# Kinds of other names a character goes by. `alias` is shown without a label; a pack names its own
# kinds (`pack.name_kinds`), e.g. `codename: codename`. `hero_names:` is the `hero` kind.
DEFAULT_NAME_KINDS: dict[str, str] = {"alias": "", "nickname": "nickname", "title": "title", "hero": "other name"}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourcedName(_Spec):
    """A name whose source differs from its owner's, e.g. a civil name known but not in the articles."""

    name: Name
    source: Key


class SinceSpec(_Spec):
    """The episode that reveals a fact, in a pack with more than one series."""

    series: Key
    episode: Name  # S02E05, s2e5 or 2x05: checked by pack_check, which reports the file's line


# The episode that reveals a fact: `S02E05` (a pack with one series) or `{series: KEY, episode: S02E05}`.
# None: known from the start.
Since = Name | SinceSpec


class RevealedName(_Spec):
    """Another name a character goes by, with the episode that reveals it or its own source."""

    name: Name
    source: Key | None = None  # default: the character's
    since: Since | None = None


NameItem = Name | SourcedName
RevealedNameItem = Name | RevealedName


class PackMeta(_Spec):
    id: Key
    title: Title
    description: Prose | None = None
    canon: dict[Term, Label] = Field(default_factory=dict, description="kinds of canon: key → words cards use")
    name_kinds: dict[Term, Label] = Field(default_factory=dict, description="kinds of other names: key → label")


class SourceSpec(_Spec):
    title: Title
    outlet: Name | None = None
    published: Name | None = None  # a date in any accepted form, at the precision known
    file: Title | None = None
    url: Title | None = None
    from_articles: bool = True
    note: Prose | None = None


class AnnouncementSpec(_Spec):
    date: Name  # "2017-08-18", "summer 2017", "2018", "unknown"…
    timezone: Name = DEFAULT_ZONE
    announced: Name | None = None
    note: Prose | None = None
    source: Key


EpisodeNumber = Annotated[int, Field(ge=1, le=10000)]  # a daily soap numbers hundreds of episodes a season
Minutes = Annotated[int, Field(ge=1, le=1440)]


def _tvmaze_rating(value: float) -> float:
    """TVmaze's scale: 0 to 10 with one decimal. Told in plain words, since pydantic's own bound
    message would call NaN "more than 10"."""
    if not math.isfinite(value) or not 0 <= value <= 10:
        shown = {math.inf: ".inf", -math.inf: "-.inf"}.get(value, ".nan" if math.isnan(value) else f"{value:g}")
        raise ValueError(f"is {shown}; a rating is a number from 0 to 10 (TVmaze's scale), like 7.5")
    if round(value, 1) != value:
        raise ValueError(f"is {value!r}; a rating has at most one decimal (TVmaze's scale), like {round(value, 1)}")
    return value


# TVmaze's average rating of an episode. Strict: `true` or "7.5" is not quietly taken for a number.
Rating = Annotated[float, Field(strict=True), AfterValidator(_tvmaze_rating)]


class EpisodeSpec(_Spec):
    """One episode (or special): a release of its own, dated at the precision known."""

    number: EpisodeNumber | None = None  # required under `episodes:`, absent under `specials:`
    title: Title | None = None
    date: Name = "unknown"  # any accepted date form; TVmaze's airstamp is an exact instant with its offset
    timezone: Name = DEFAULT_ZONE
    runtime: Minutes | None = None
    rating: Rating | None = None  # TVmaze's average, 0–10; kept in step by sync
    key: Key | None = None  # stable across renumbering (TVmaze's episode id: `e1234`); default `e<number>`
    source: Key | None = None  # default: the season's


class SeasonSpec(_Spec):
    number: Number
    episodes: Number | list[EpisodeSpec] | None = None  # how many, or the episodes themselves
    specials: list[EpisodeSpec] = Field(default_factory=list, description="episodes outside the numbering")
    source: Key
    release: list[AnnouncementSpec] = Field(default_factory=list, description="oldest announcement first")

    @property
    def episode_list(self) -> list[EpisodeSpec]:
        return self.episodes if isinstance(self.episodes, list) else []

    @property
    def episode_count(self) -> int | None:
        return len(self.episodes) if isinstance(self.episodes, list) else self.episodes


class ProductionSpec(_Spec):
    kind: ProductionKind
    season: Number | None = None
    person: Name | None = None
    text: Prose
    source: Key


class SeriesSpec(_Spec):
    title: Title
    aliases: list[NameItem] = Field(default_factory=list)
    kind: Literal["series", "miniseries"] = "series"
    platform: Name | None = None
    description: Prose | None = None
    source: Key
    seasons: list[SeasonSpec] = Field(default_factory=list)
    production: list[ProductionSpec] = Field(default_factory=list)


class AppearanceSpec(_Spec):
    series: Key
    seasons: list[Number] | None = None  # None: the series as a whole
    status: FactStatus = FactStatus.CONFIRMED
    billing: Billing | None = None  # main, recurring or guest; ranks lookups and autocomplete
    actor: Name | None = None  # who plays the character here, when the role was recast
    actor_source: Key | None = None  # default: the appearance's source
    note: Prose | None = None
    source: Key | None = None  # default: the character's source
    since: Since | None = None


class EventSpec(_Spec):
    """Something that happens to a character in an episode; cards list them oldest first."""

    kind: EventKind
    text: Prose
    since: Since | None = None
    source: Key | None = None  # default: the character's source


class CharacterSpec(_Spec):
    name: Name
    name_source: Key | None = None
    since: Since | None = None  # the episode the character first becomes known in
    hero_names: list[RevealedNameItem] = Field(default_factory=list)  # the `hero` kind of name
    aliases: list[RevealedNameItem] = Field(default_factory=list)
    names: dict[Term, list[RevealedNameItem]] = Field(default_factory=dict, description="kind → other names")
    actor: Name | None = None
    actor_aliases: list[NameItem] = Field(default_factory=list)
    image: WebAddress | None = None  # an http(s) address: the card's thumbnail
    # How prominent the character is, ranking lookups and autocomplete: given, it is the weight instead of the
    # one derived from appearances (best billing, then how many); higher is more prominent.
    prominence: NonNegativeInt | None = None
    status: FactStatus = FactStatus.CONFIRMED
    description: Prose | None = None
    affiliations: list[NameItem] = Field(default_factory=list)
    appearances: list[AppearanceSpec] = Field(default_factory=list)
    events: list[EventSpec] = Field(default_factory=list)
    source: Key


class RelationshipSpec(_Spec):
    between: tuple[Key, Key]
    kind: RelationshipKind
    canon: Term
    status: Name | None = None
    note: Prose
    source: Key
    since: Since | None = None  # the whole statement: status and note included


class ShipSpec(_Spec):
    """Names fans give a pair. They belong to the pair, not to any one relationship statement."""

    between: tuple[Key, Key]
    names: list[NameItem] = Field(min_length=1)
    source: Key
    since: Since | None = None


class SyncSpec(_Spec):
    """Where a pack's dates, episodes and cast are kept current from; its hand-written facts stay."""

    tvmaze: Annotated[int, Field(ge=1)]


class PackSpec(_Spec):
    format: Literal[1]
    pack: PackMeta
    sync: SyncSpec | None = None
    sources: dict[Key, SourceSpec] = Field(min_length=1)
    series: dict[Key, SeriesSpec] = Field(default_factory=dict)
    characters: dict[Key, CharacterSpec] = Field(default_factory=dict)
    relationships: list[RelationshipSpec] = Field(default_factory=list)
    ships: list[ShipSpec] = Field(default_factory=list)


def name_of(item: NameItem | RevealedNameItem) -> str:
    return item if isinstance(item, str) else item.name


def source_of(item: NameItem | RevealedNameItem, default: str) -> str:
    return default if isinstance(item, str) else item.source or default


def since_of(item: NameItem | RevealedNameItem) -> Since | None:
    return item.since if isinstance(item, RevealedName) else None


def canon_terms(meta: PackMeta) -> list[tuple[str, str]]:
    """The pack's kinds of canon with their words, in the order cards list them (rumour last)."""
    merged = {**DEFAULT_CANON, **meta.canon}
    rumour = merged.pop("rumour")
    return [*merged.items(), ("rumour", rumour)]


def name_terms(meta: PackMeta) -> list[tuple[str, str]]:
    """The pack's kinds of name with their labels: its own first (cards list names in this order)."""
    return list({**meta.name_kinds, **{k: v for k, v in DEFAULT_NAME_KINDS.items() if k not in meta.name_kinds}}.items())


def other_names(char: CharacterSpec) -> list[tuple[str, list[RevealedNameItem]]]:
    """Every other name of a character by kind: `hero_names`, `aliases`, then each `names:` kind."""
    found: dict[str, list[RevealedNameItem]] = {"hero": list(char.hero_names), "alias": list(char.aliases)}
    for kind, items in char.names.items():
        found.setdefault(kind, []).extend(items)
    return [(kind, items) for kind, items in found.items() if items]


def dump_pack(spec: PackSpec) -> str:
    """YAML text for a pack, leaving out fields at their defaults so it reads like a hand-written one."""
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data = {"format": spec.format, **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
