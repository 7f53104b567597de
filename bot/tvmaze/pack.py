"""A TVmaze show as fact-pack data, and its merge with a hand-written pack that syncs from it.

Plain functions over the records of bot/tvmaze/records.py: no I/O. The data is a dict shaped like a
pack file, checked by `db.packs.check.check_pack_data` like any pack. TVmaze's data is CC BY-SA 4.0,
so every fact taken from it cites the `tvmaze` source, which links the show's page and names the licence.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from bot.tvmaze.records import CastMember, Episode, Show

if TYPE_CHECKING:  # only annotated: building a pack's data needs no pydantic model
    from db.packs.format import PackSpec

SOURCE = "tvmaze"
LICENCE = "CC BY-SA 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
MAX_SEASON, MAX_EPISODE = 1000, 10000  # what the pack format numbers (pack_format.Number, EpisodeNumber)
_CREW: dict[str, tuple[str, str | None]] = {  # TVmaze crew type → (production kind, text; None: the name)
    "Showrunner": ("showrunner", None),
    "Creator": ("note", "Created the series"),
    "Developer": ("note", "Developed the series"),
}
Data = dict[str, Any]


def pack_key(show_id: int) -> str:
    """The fandom a show added from Discord becomes."""
    return f"tvmaze-{show_id}"


def slug(text: str, fallback: str) -> str:
    """A pack key from a name ("Mark S." → "mark-s"); `fallback` when the name has no latin letters."""
    words = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:63].strip("-")
    return words or fallback


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Tags that break a line in HTML: a word ends there. Any other tag (b, i, a, span…) sits inside a
# line, so removing it must not add a space: "<i>Daredevil</i>." is "Daredevil.", not "Daredevil .".
_BREAKING_TAG = re.compile(
    r"</?(?:p|br|div|li|ul|ol|dl|dt|dd|h[1-6]|blockquote|pre|hr|table|tr|td|th)\b[^>]*>", re.IGNORECASE
)
_TAG = re.compile(r"<[^>]*>")
_SPACE_BEFORE_STOP = re.compile(r"\s+(?=[.,;:!?)])")


def plain_summary(summary: str | None) -> str | None:
    """TVmaze's HTML summary as one line of text: tags gone, entities decoded, no stray spaces."""
    if not summary:
        return None
    text = html.unescape(_TAG.sub("", _BREAKING_TAG.sub(" ", summary)))
    text = _SPACE_BEFORE_STOP.sub("", " ".join(text.split()))
    return _cut(text, 1000) if text else None


def show_pack(show: Show, episodes: Sequence[Episode] | None = None) -> Data:
    """The pack data of a show: `episodes` (with specials, from /shows/:id/episodes) when given,
    else the episodes embedded in the show."""
    series_key = slug(show.name, f"show-{show.id}")
    series: Data = {"title": _cut(show.name, 200), "source": SOURCE, "seasons": _seasons(show, episodes or show.episodes)}
    if show.channel is not None:
        series["platform"] = _cut(show.channel.name, 80)
    if description := plain_summary(show.summary):
        series["description"] = description
    if production := _production(show):
        series["production"] = production
    return {
        "format": 1,
        "pack": {"id": pack_key(show.id), "title": _cut(show.name, 200)},
        "sync": {"tvmaze": show.id},
        "sources": {SOURCE: tvmaze_source(show)},
        "series": {series_key: series},
        "characters": _characters(show.cast, series_key),
    }


def tvmaze_source(show: Show) -> Data:
    return {
        "title": _cut(f"{show.name} on TVmaze", 200),
        "outlet": "TVmaze",
        "url": show.url,
        "note": f"Show, episode and cast data from TVmaze (tvmaze.com), licensed {LICENCE} ({LICENCE_URL}).",
    }


def _seasons(show: Show, episodes: Iterable[Episode]) -> list[Data]:
    zone = show.channel.timezone if show.channel is not None else None
    numbered: dict[int, list[Data]] = {}
    specials: dict[int, list[Data]] = {}
    for ep in episodes:
        if not 1 <= ep.season <= MAX_SEASON:
            continue  # a season TVmaze numbers by year past the format's range, or season 0: not a season here
        item: Data = {"key": f"e{ep.id}", "date": _date(ep, zone)}
        if ep.name.strip():
            item["title"] = _cut(ep.name, 200)
        if ep.runtime is not None and 1 <= ep.runtime <= 1440:
            item["runtime"] = ep.runtime
        if ep.rating is not None:
            item["rating"] = round(ep.rating, 1)  # the format's one decimal, TVmaze's own precision
        if ep.aired_at is None and ep.air_date is not None and zone:
            item["timezone"] = zone
        if ep.is_special or ep.number is None or not 1 <= ep.number <= MAX_EPISODE:
            specials.setdefault(ep.season, []).append(item)
            numbered.setdefault(ep.season, [])
        else:
            taken = {e["number"] for e in numbered.get(ep.season, [])}
            if ep.number in taken:  # TVmaze lists a number twice: the later one is kept as a special
                specials.setdefault(ep.season, []).append(item)
                continue
            numbered.setdefault(ep.season, []).append({"number": ep.number, **item})
    seasons = []
    for number in sorted(numbered):
        season: Data = {"number": number, "source": SOURCE}
        if numbered[number]:
            season["episodes"] = sorted(numbered[number], key=lambda e: e["number"])
        if number in specials:
            season["specials"] = specials[number]
        seasons.append(season)
    return seasons


def _date(ep: Episode, zone: str | None) -> str:
    """The exact instant with its offset when TVmaze has it, else the day, else unknown."""
    if ep.aired_at is not None:
        return ep.aired_at.isoformat()
    if ep.air_date is not None:
        return ep.air_date.isoformat()
    return "unknown"


def _production(show: Show) -> list[Data]:
    facts, seen = [], set()
    for member in show.crew:
        if member.type not in _CREW or (member.type, member.person_id) in seen:
            continue
        seen.add((member.type, member.person_id))
        kind, text = _CREW[member.type]
        person = _cut(member.person_name, 80)
        facts.append({"kind": kind, "person": person, "text": text or person, "source": SOURCE})
    return facts


# A billed-main character's weight as the store derives it (db/repos/characters.py: billing × 10,000):
# TVmaze's cast is its main cast, in billing order, with no episode counts — the order is the prominence.
MAIN_CAST_WEIGHT = 30_000


def _characters(cast: Sequence[CastMember], series_key: str) -> Data:
    """One character per TVmaze character, keyed by the slug of its name; when two share a slug the
    lowest TVmaze id keeps it and the others add theirs, so keys stay put as billing changes. Each is
    as prominent as its place in TVmaze's billing: the lead first (`prominence:`, above the
    MAIN_CAST_WEIGHT every main character has)."""
    members: dict[int, CastMember] = {}
    for member in cast:
        members.setdefault(member.character_id, member)  # a role two actors share is listed twice
    by_slug: dict[str, list[int]] = {}
    for cid in sorted(members):
        by_slug.setdefault(slug(members[cid].character_name, f"c{cid}"), []).append(cid)
    keys = {cid: base if i == 0 else f"{base[:50]}-{cid}" for base, ids in by_slug.items() for i, cid in enumerate(ids)}
    names: set[str] = set()
    characters: Data = {}
    for member in cast:  # billing order
        cid = member.character_id
        if keys[cid] in characters:
            continue
        name = _cut(member.character_name, 80)
        if name.casefold() in names:  # two characters of one name: the actor tells them apart
            name = _cut(f"{member.character_name} ({member.person_name})", 80)
        names.add(name.casefold())
        char: Data = {
            "name": name, "actor": _cut(member.person_name, 80), "source": SOURCE,
            "appearances": [{"series": series_key, "billing": "main"}],
            "prominence": MAIN_CAST_WEIGHT + len(members) - len(characters),
        }
        if image := _web_image(member.character_image_url or member.person_image_url):
            char["image"] = image
        characters[keys[cid]] = char
    return characters


def _web_image(address: str | None) -> str | None:
    if address and address.startswith(("https://", "http://")) and address.isascii() and " " not in address:
        return address if len(address) <= 2048 else None
    return None


# --- merging with a hand-written pack ---------------------------------------------------------


def merge(tvmaze: Data, overlay: PackSpec) -> Data:
    """A hand-written pack declaring `sync: {tvmaze: ID}` with TVmaze's data for that show.

    The overlay keeps its id, title, its sources, its other series, its relationships, ships and
    notes, and each character's hand-written facts (other names, affiliations, description). Dates,
    episodes and the cast (name, actor, image, appearances in the synced series) follow TVmaze. A
    character is matched by key, else by name; an overlay season TVmaze does not list is kept.
    """
    hand = overlay.model_dump(mode="json", exclude_none=True)
    data: Data = {"format": 1, "pack": hand["pack"], "sync": hand.get("sync", tvmaze["sync"])}
    data["sources"] = {**hand["sources"], SOURCE: tvmaze["sources"][SOURCE]}
    (tv_key, tv_series), = tvmaze["series"].items()
    series_key = _synced_series(hand["series"], tv_key, tv_series["title"])
    series = dict(hand["series"])
    series[series_key] = _merged_series(hand["series"].get(series_key), tv_series)
    data["series"] = series
    data["characters"] = _merged_characters(hand, tvmaze["characters"], tv_key, series_key)
    data["relationships"] = hand.get("relationships", [])
    data["ships"] = hand.get("ships", [])
    return data


def _synced_series(hand: Data, tv_key: str, tv_title: str) -> str:
    """The overlay's series that TVmaze keeps current: the same key, else the same title, else its only one."""
    if tv_key in hand:
        return tv_key
    titled = [k for k, s in hand.items() if s["title"].casefold() == tv_title.casefold()]
    if titled:
        return titled[0]
    return next(iter(hand)) if len(hand) == 1 else tv_key


def _merged_series(hand: Data | None, tv: Data) -> Data:
    if hand is None:
        return tv
    merged = {**hand, "seasons": list(tv["seasons"])}
    listed = {s["number"] for s in tv["seasons"]}
    merged["seasons"] += [s for s in hand.get("seasons", []) if s["number"] not in listed]
    merged["seasons"].sort(key=lambda s: s["number"])
    merged["production"] = hand.get("production", []) + tv.get("production", [])
    if "platform" in tv:
        merged["platform"] = tv["platform"]
    if "description" in tv:
        merged.setdefault("description", tv["description"])
    return merged


_HAND_NAMES = ("hero_names", "aliases", "actor_aliases", "affiliations")


def _merged_characters(hand: Data, tv_characters: Data, tv_key: str, series_key: str) -> Data:
    own: Data = dict(hand.get("characters", {}))
    by_name = {c["name"].casefold(): k for k, c in own.items()}
    merged: Data = {}
    for key, tv in tv_characters.items():
        tv = {**tv, "appearances": [{**a, "series": series_key} for a in tv["appearances"]]}
        match = key if key in own else by_name.get(tv["name"].casefold())
        if match is None or match in merged:
            merged[key if key not in own else f"{key[:50]}-tvmaze"] = tv
            continue
        merged[match] = _merged_character(own.pop(match), tv, series_key)
    for key, char in own.items():  # characters TVmaze does not list
        merged.setdefault(key, char)
    return merged


def _merged_character(hand: Data, tv: Data, series_key: str) -> Data:
    """TVmaze's name, actor, image, appearance in the synced series and billing order; the rest as
    written (a hand-written `prominence:` too), each hand-written name still citing the source it cited
    (the character's own source is now TVmaze)."""
    own_source = hand["source"]
    dropped = ("name", "name_source", "actor", "image", "source", "appearances")
    char = {k: v for k, v in hand.items() if k not in dropped}
    for field in _HAND_NAMES:
        if field in char:
            char[field] = [_cited(item, own_source) for item in char[field]]
    if "names" in char:
        char["names"] = {kind: [_cited(item, own_source) for item in items] for kind, items in char["names"].items()}
    others = [a for a in hand.get("appearances", []) if a["series"] != series_key]
    kept = [_cited_appearance(a, own_source) for a in others]
    taken = {k: v for k, v in tv.items() if k != "appearances" and not (k == "prominence" and k in hand)}
    return {**char, **taken, "appearances": tv["appearances"] + kept}


def _cited(item: Any, source: str) -> Any:
    return item if isinstance(item, dict) or source == SOURCE else {"name": item, "source": source}


def _cited_appearance(appearance: Data, source: str) -> Data:
    return appearance if "source" in appearance else {**appearance, "source": source}
