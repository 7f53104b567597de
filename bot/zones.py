"""IANA time zones: autocomplete, and close names when someone types one that doesn't exist."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from discord import app_commands
from rapidfuzz import fuzz, process

from bot.autocomplete import choice, offered
from bot.errors import UserFacingError
from db.dates import DateParseError, zone_or_error

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
        close = close_zones(typed)
        hint = f" Did you mean {', '.join(f'`{z}`' for z in close)}?" if close else ""
        raise UserFacingError(f"{exc}{hint}") from None


def zone_choices(typed: str) -> list[app_commands.Choice[str]]:
    return offered(choice(z, z) for z in complete_zone(typed))
