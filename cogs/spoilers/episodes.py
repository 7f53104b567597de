"""A series' episodes as /progress and /spoilers offer and check them."""

from __future__ import annotations

from discord import app_commands

from bot.errors import UserFacingError
from bot.formatting import literal
from bot.i18n import N_, _
from bot.i18n.formats import listing
from bot.input.autocomplete import choice, offered
from bot.spoilers.positions import EpisodeCode, Position, is_visible
from db.facts.models import ReleaseKind, Series

NOT_STARTED_CHOICE = N_("none — not started")  # `none` is what the command reads: it stays as it is
NOTHING_CHANGED = N_("{error} Nothing was changed.")  # after a refusal of what was typed


def numbered(series: Series) -> list[tuple[EpisodeCode, str | None]]:
    """Every numbered episode in order with its title: listed ones, and 1…n of a season given as a count."""
    out: list[tuple[EpisodeCode, str | None]] = []
    for season in series.seasons:
        listed_here = [e for e in season.episode_list if e.kind is ReleaseKind.EPISODE and e.episode is not None]
        if listed_here:
            out += [(EpisodeCode(season.number, e.episode), e.episode_title) for e in listed_here if e.episode]
        elif season.episodes:
            out += [(EpisodeCode(season.number, n), None) for n in range(1, season.episodes + 1)]
    return out


def accepted_episodes(series: Series) -> str:
    """`S01E01–S01E13, S02E01–S02E10`: what the series has, for a refusal."""
    spans: dict[int, list[int]] = {}
    for code, __ in numbered(series):
        spans.setdefault(code.season, []).append(code.number)
    parts = [f"{EpisodeCode(s, min(n))}–{EpisodeCode(s, max(n))}" for s, n in spans.items()]
    return listing(parts) if parts else _("no numbered episodes yet")


def check_episode(series: Series, code: EpisodeCode) -> EpisodeCode:
    if code not in {c for c, _ in numbered(series)}:
        raise UserFacingError(_(
            "**{series}** has no episode {episode}. It has {episodes}; give one of those as `S02E05` or `2x05`, or `none`.",
            series=literal(series.title), episode=code, episodes=accepted_episodes(series),
        ))
    return code


def episode_choices(series: Series, typed: str, position: Position, *, offer_none: bool) -> list[app_commands.Choice[str]]:
    """Episodes whose code (or, up to `position`, title) fits what is typed: a later episode shows its
    code only, so autocomplete never names what the reader has not watched."""
    wanted = typed.strip().casefold()
    picks: list[app_commands.Choice[str] | None] = []
    if offer_none and (not wanted or "none".startswith(wanted)):
        picks.append(choice(_(NOT_STARTED_CHOICE), "none"))
    every = numbered(series)
    if not wanted and position.episode is not None:  # start a little before where the reader is
        at = next((i for i, (code, _) in enumerate(every) if code >= position.episode), len(every))
        every = every[max(0, at - 2):]
    for code, title in every:
        shown_title = title if title and is_visible(code, position) else None
        forms = (str(code).casefold(), f"{code.season}x{code.number:02d}", f"{code.season}x{code.number}", f"s{code.season}e{code.number}")
        if wanted and not any(wanted in f for f in forms) and not (shown_title and wanted in shown_title.casefold()):
            continue
        picks.append(choice(str(code), str(code), detail=f" · {shown_title}" if shown_title else ""))
    return offered(picks)
