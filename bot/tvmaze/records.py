"""TVmaze's JSON read into frozen records, by plain functions the client and tests share.

The field names and nulls follow https://www.tvmaze.com/api: a show's `network` or `webChannel` may be
null, an episode's `number` is null for specials, `airdate` is "" when unknown and `airstamp` null,
and its `rating.average` is null until it is rated.
Anything that does not have TVmaze's shape raises `TvmazeError`, so a caller never sees a KeyError.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypeVar

from db.facts.wording import N_

TvmazeFailure = Literal["unreachable", "not_found", "rate_limited", "malformed", "too_large", "dropped"]
T = TypeVar("T")


UNREADABLE = N_("TVmaze sent an answer fandex could not read ({what}).")  # `what`: a technical detail, as it is


class TvmazeError(Exception):
    """TVmaze could not give what was asked; `str()` is a sentence a user may read, `kind` says why. The
    sentence is `message` (an N_-marked template) filled with `values`: bot/input/db_errors.py `worded`
    shows it in the reader's language."""

    def __init__(self, kind: TvmazeFailure, message: str, /, **values: object) -> None:
        super().__init__(message.format(**values) if values else message)
        self.kind: TvmazeFailure = kind
        self.template = message
        self.values = values


@dataclass(frozen=True)
class Channel:
    """Where a show airs: a TV network (with a country) or a web channel (often worldwide, no country)."""

    id: int
    name: str
    web: bool
    country_code: str | None
    timezone: str | None


@dataclass(frozen=True)
class Episode:
    """One episode; `aired_at` is the exact instant when TVmaze knows it, `air_date` the day when only that is known."""

    id: int
    url: str
    name: str
    season: int
    number: int | None  # None for a special
    type: str  # "regular", "significant_special", "insignificant_special"
    aired_at: datetime | None  # aware
    air_date: date | None
    runtime: int | None
    summary: str | None
    image_url: str | None
    rating: float | None = None  # TVmaze's `rating.average`, 0–10; None while no one has rated it

    @property
    def is_special(self) -> bool:
        return self.number is None or self.type != "regular"


@dataclass(frozen=True)
class CastMember:
    """A billed role: the actor and the character, in TVmaze's billing order."""

    person_id: int
    person_name: str
    person_url: str
    person_image_url: str | None
    character_id: int
    character_name: str
    character_url: str
    character_image_url: str | None
    as_self: bool
    voice: bool


@dataclass(frozen=True)
class CrewMember:
    """A crew credit such as "Creator" or "Executive Producer"."""

    type: str
    person_id: int
    person_name: str
    person_url: str


@dataclass(frozen=True)
class Show:
    """A show; `episodes`, `cast` and `crew` are filled only when they were embedded in the answer."""

    id: int
    url: str
    name: str
    type: str | None
    language: str | None
    genres: tuple[str, ...]
    status: str | None
    runtime: int | None
    average_runtime: int | None
    premiered: date | None
    ended: date | None
    official_site: str | None
    network: Channel | None
    web_channel: Channel | None
    image_url: str | None
    summary: str | None
    updated: int | None
    episodes: tuple[Episode, ...] = ()
    cast: tuple[CastMember, ...] = ()
    crew: tuple[CrewMember, ...] = ()

    @property
    def channel(self) -> Channel | None:
        return self.network or self.web_channel


@dataclass(frozen=True)
class SearchHit:
    score: float
    show: Show


def _malformed(what: str) -> TvmazeError:
    return TvmazeError("malformed", UNREADABLE, what=what)


def _field(obj: Any, key: str, kind: type[T], *, nullable: bool = False) -> T:
    if not isinstance(obj, dict):
        raise _malformed(f"expected an object holding {key!r}")
    value = obj.get(key)
    if value is None and nullable:
        return value  # type: ignore[return-value]  # only _optional asks for nullable, and its T is `... | None`
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _malformed(f"{key!r} is {type(value).__name__}, not {kind.__name__}")
    return value


def _optional(obj: Any, key: str, kind: type[T]) -> T | None:
    return _field(obj, key, kind, nullable=True)


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _malformed(f"{text!r} is not a date") from None


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise _malformed(f"{text!r} is not a time") from None
    if parsed.tzinfo is None:
        raise _malformed(f"{text!r} has no UTC offset")
    return parsed


def _image(obj: Any) -> str | None:
    image = _optional(obj, "image", dict)
    if image is None:
        return None
    return _optional(image, "original", str) or _optional(image, "medium", str)


def parse_channel(data: Any, *, web: bool) -> Channel:
    country = _optional(data, "country", dict)
    return Channel(
        id=_field(data, "id", int),
        name=_field(data, "name", str),
        web=web,
        country_code=_optional(country, "code", str) if country else None,
        timezone=_optional(country, "timezone", str) if country else None,
    )


def _rating(data: Any) -> float | None:
    """`rating.average`, or None: a rating is a garnish, so one in a shape TVmaze does not document
    (text, out of 0–10, not finite) is left out rather than failing the whole show."""
    rating = data.get("rating") if isinstance(data, dict) else None
    average = rating.get("average") if isinstance(rating, dict) else None
    if isinstance(average, bool) or not isinstance(average, int | float):
        return None
    return float(average) if math.isfinite(average) and 0 <= average <= 10 else None


def parse_episode(data: Any) -> Episode:
    return Episode(
        id=_field(data, "id", int),
        url=_field(data, "url", str),
        name=_optional(data, "name", str) or "",
        season=_field(data, "season", int),
        number=_optional(data, "number", int),
        type=_optional(data, "type", str) or "regular",
        aired_at=_instant(_optional(data, "airstamp", str)),
        air_date=_day(_optional(data, "airdate", str)),
        runtime=_optional(data, "runtime", int),
        summary=_optional(data, "summary", str),
        image_url=_image(data),
        rating=_rating(data),
    )


def parse_cast_member(data: Any) -> CastMember:
    person, character = _field(data, "person", dict), _field(data, "character", dict)
    return CastMember(
        person_id=_field(person, "id", int),
        person_name=_field(person, "name", str),
        person_url=_field(person, "url", str),
        person_image_url=_image(person),
        character_id=_field(character, "id", int),
        character_name=_field(character, "name", str),
        character_url=_field(character, "url", str),
        character_image_url=_image(character),
        as_self=bool(_optional(data, "self", bool)),
        voice=bool(_optional(data, "voice", bool)),
    )


def parse_crew_member(data: Any) -> CrewMember:
    person = _field(data, "person", dict)
    return CrewMember(
        type=_field(data, "type", str),
        person_id=_field(person, "id", int),
        person_name=_field(person, "name", str),
        person_url=_field(person, "url", str),
    )


def _list(data: Any, parse: Callable[[Any], T]) -> tuple[T, ...]:
    if not isinstance(data, list):
        raise _malformed("expected a list")
    return tuple(parse(item) for item in data)


def parse_show(data: Any) -> Show:
    """Reads a show, with whatever `_embedded` holds (episodes, cast, crew)."""
    network = _optional(data, "network", dict)
    web_channel = _optional(data, "webChannel", dict)
    embedded = _optional(data, "_embedded", dict) or {}
    genres = _optional(data, "genres", list) or []
    return Show(
        id=_field(data, "id", int),
        url=_field(data, "url", str),
        name=_field(data, "name", str),
        type=_optional(data, "type", str),
        language=_optional(data, "language", str),
        genres=tuple(g for g in genres if isinstance(g, str)),
        status=_optional(data, "status", str),
        runtime=_optional(data, "runtime", int),
        average_runtime=_optional(data, "averageRuntime", int),
        premiered=_day(_optional(data, "premiered", str)),
        ended=_day(_optional(data, "ended", str)),
        official_site=_optional(data, "officialSite", str),
        network=parse_channel(network, web=False) if network else None,
        web_channel=parse_channel(web_channel, web=True) if web_channel else None,
        image_url=_image(data),
        summary=_optional(data, "summary", str),
        updated=_optional(data, "updated", int),
        episodes=_list(embedded.get("episodes", []), parse_episode),
        cast=_list(embedded.get("cast", []), parse_cast_member),
        crew=_list(embedded.get("crew", []), parse_crew_member),
    )


def parse_search(data: Any) -> tuple[SearchHit, ...]:
    """Reads `/search/shows`: a list of {score, show}, best first."""
    return _list(data, lambda hit: SearchHit(score=_field(hit, "score", float), show=parse_show(_field(hit, "show", dict))))


def parse_updates(data: Any) -> dict[int, int]:
    """Reads `/updates/shows`: show id (a string key) → unix time of its last change."""
    if not isinstance(data, dict):
        raise _malformed("expected a map of show ids")
    try:
        return {int(key): int(value) for key, value in data.items()}
    except (TypeError, ValueError):
        raise _malformed("an update is not an id and a time") from None
