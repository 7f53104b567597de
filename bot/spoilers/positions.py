"""A viewer's position in a series: the last episode counted as watched, `none` or `all`.

Episodes are named by their numbered code (`S02E05`); a member may also type `s2e5` or `2x05`. Digits
are read in ASCII only (the grammar in db/facts/episode_refs.py), so `S٢E٥` is refused rather than guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import N_, _
from db.facts.episode_refs import EpisodeRefError, parse_episode
from db.facts.quoting import inline_code

EPISODE_FORMS = N_("an episode code like `S02E05` (also `s2e5` or `2x05`)")
POSITION_FORMS = N_("{episode_forms}, or `none` (not started)")  # translated with `_(POSITION_FORMS, episode_forms=…)`
EMPTY_VALUE = N_("An empty value")  # what a refusal calls a value left empty, at the start of its sentence


class PositionError(ValueError):
    """Text that is not an episode or position; the message names the accepted forms."""


@dataclass(frozen=True, slots=True, order=True)
class EpisodeCode:
    """A numbered episode; ordered by season, then number."""

    season: int
    number: int

    def __str__(self) -> str:
        return f"S{self.season:02d}E{self.number:02d}"


class Reach(StrEnum):
    NONE = "none"  # not started: nothing after the start is shown
    EPISODE = "episode"  # up to and including one episode
    ALL = "all"  # everything


@dataclass(frozen=True, slots=True)
class Position:
    """How far a viewer has watched one series. `episode` is set exactly when `reach` is EPISODE."""

    reach: Reach
    episode: EpisodeCode | None = None

    def __str__(self) -> str:
        return str(self.episode) if self.episode is not None else self.reach.value


NOT_STARTED = Position(Reach.NONE)
EVERYTHING = Position(Reach.ALL)


def at(season: int, number: int) -> Position:
    return Position(Reach.EPISODE, EpisodeCode(season, number))


def parse_episode_code(text: str) -> EpisodeCode:
    """`S02E05`, `s2e5` or `2x05` → EpisodeCode(2, 5), by the one episode grammar (db/facts/episode_refs.py,
    which packs' `since:` is read with too); a PositionError naming the forms otherwise."""
    raw = " ".join(text.split())
    try:
        season, number = parse_episode(raw)
    except EpisodeRefError:
        shown = inline_code(raw[:40]) if raw else _(EMPTY_VALUE)
        raise PositionError(_("{value} is not an episode. Give {forms}.", value=shown, forms=_(EPISODE_FORMS))) from None
    return EpisodeCode(season, number)


def parse_position(text: str) -> Position:
    """What a member types for their own progress: an episode code, or `none`."""
    raw = text.strip().lower()
    if raw == "none":
        return NOT_STARTED
    try:
        return Position(Reach.EPISODE, parse_episode_code(text))
    except PositionError:
        shown = inline_code(text.strip()[:40]) if text.strip() else _(EMPTY_VALUE)
        forms = _(POSITION_FORMS, episode_forms=_(EPISODE_FORMS))
        raise PositionError(_("{value} is not a position. Give {forms}.", value=shown, forms=forms)) from None


def is_visible(since: EpisodeCode | None, position: Position) -> bool:
    """Whether a fact revealed by `since` (None: known from the start) may be shown at `position`."""
    if since is None or position.reach is Reach.ALL:
        return True
    if position.episode is None:
        return False
    return since <= position.episode
