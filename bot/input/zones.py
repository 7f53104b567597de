"""IANA time zones: autocomplete, close names when someone types one that doesn't exist, and times
shown as text in a server's zone with the zone named.

A Discord timestamp (`<t:…:F>`) shows every reader their own zone, but an autocomplete choice is plain
text: there a time is given in the server's zone (`/settings timezone`, else the bot's default,
America/Los_Angeles), whatever zone the release was set in, and always says which (`Fri 14 Mar 21:00 CET`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from discord import app_commands
from rapidfuzz import fuzz, process

from bot.errors import UserFacingError
from bot.i18n import ENGLISH, _, current_locale
from bot.i18n.formats import listing
from bot.input.autocomplete import choice, offered
from bot.input.db_errors import worded
from db import Store
from db.facts.dates import DEFAULT_ZONE, DateParseError, zone_or_error

COMMON_ZONES = (
    "America/Los_Angeles", "America/New_York", "America/Chicago", "America/Denver", "America/Sao_Paulo",
    "America/Toronto", "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Istanbul",
    "Asia/Kolkata", "Asia/Tokyo", "Asia/Seoul", "Asia/Manila", "Asia/Singapore", "Australia/Sydney",
    "Pacific/Auckland", "Africa/Lagos", "UTC",
)


@cache
def all_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))


def complete_zone(typed: str, limit: int = 25) -> list[str]:
    """Zones for autocomplete: common ones for nothing typed, then substring, then fuzzy matches."""
    text = typed.strip().replace(" ", "_").lower()
    if not text:
        return list(COMMON_ZONES[:limit])
    zones = all_zones()
    found = [z for z in zones if z.lower().startswith(text)]
    found += [z for z in zones if text in z.lower() and z not in found]
    if len(found) < limit and len(text) >= 3:
        found += [z for z in close_zones(text, limit) if z not in found]
    return found[:limit]


def close_zones(typed: str, limit: int = 3) -> list[str]:
    """Zone names close to what was typed (`Europe/Berln` → Europe/Berlin)."""
    text = typed.strip().replace(" ", "_")[:64]
    if not text:
        return []
    matches = process.extract(text, all_zones(), scorer=fuzz.WRatio, limit=limit, score_cutoff=60)
    return [m[0] for m in matches]


def resolve_zone(typed: str) -> str:
    """The IANA zone typed, or a refusal that names the closest real ones."""
    try:
        return zone_or_error(typed).key
    except DateParseError as exc:
        close = [f"`{z}`" for z in close_zones(typed)]
        if not close:
            raise UserFacingError(worded(exc)) from None
        # English has always listed them with commas alone; the other languages say "a, b or c".
        zones = ", ".join(close) if current_locale() == ENGLISH else listing(close, style="or")
        raise UserFacingError(_("{error} Did you mean {zones}?", error=worded(exc), zones=zones)) from None


def zone_choices(typed: str) -> list[app_commands.Choice[str]]:
    return offered(choice(z, z) for z in complete_zone(typed))


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


async def shown_zone(store: Store, guild_id: int | None) -> ZoneInfo:
    """The zone a server's times are shown in as text: its own, else the bot's default (also in DMs)."""
    name = await store.guild_settings.timezone(guild_id) if guild_id is not None else None
    try:
        return zone_or_error(name or DEFAULT_ZONE)
    except DateParseError:  # a zone the tz database no longer has: still a time, still labelled
        return zone_or_error(DEFAULT_ZONE)


def zone_label(local: datetime) -> str:
    """`CET`, `PDT`, `IST` — or `UTC+3`, `UTC+5:45` for a zone whose only abbreviation is its offset."""
    name = local.tzname() or ""
    if name and name[0] not in "+-" and not name[0].isdigit():
        return name
    offset = local.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, rest = divmod(minutes, 60)
    return "UTC" if not minutes else f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zoned_time(moment: datetime, zone: ZoneInfo, now: datetime | None = None) -> str:
    """`Fri 14 Mar 21:00 CET` in `zone` (the year too when it is not `now`'s): a time as plain text."""
    local = moment.astimezone(zone)
    same_year = now is not None and now.astimezone(zone).year == local.year
    if current_locale() != ENGLISH:  # the reader's own short day and month ("Sa., 14. März 21:00 CET")
        from babel.dates import format_skeleton

        day = format_skeleton("MMMEd" if same_year else "yMMMEd", local, locale=current_locale())
        return f"{day} {format_skeleton('Hm', local, locale=current_locale())} {zone_label(local)}"
    year = "" if same_year else f" {local.year}"
    return f"{_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]}{year} {local:%H:%M} {zone_label(local)}"
