"""References to the episode that reveals a fact (`since:` in a pack), and the order they compare in.

A position is stored as one integer per series (`order`), so "is this fact after the reader's
position" is a comparison a query can index, not a parse per request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from db.facts.wording import N_, Worded

EPISODES_PER_SEASON = 10_000  # episode numbers go up to 10,000 (a daily soap): order = season × this + episode
ACCEPTED = "S02E05, s2e5, 2x05 or {series: KEY, episode: S02E05}"
NOT_AN_EPISODE = N_("{value} is not an episode; write {forms}")

# ASCII digits only: `\d` would take Arabic-Indic or full-width digits as well.
# Spaces between the parts are forgiven (`S02 E05`, `2 x 05`), as members type them. The one grammar of
# an episode code: packs' `since:`, members' progress and moderators' reach all read it here.
_FORMS = (
    re.compile(r"[Ss]\s*([0-9]{1,4})\s*[Ee]\s*([0-9]{1,5})"),
    re.compile(r"([0-9]{1,4})\s*[xX]\s*([0-9]{1,5})"),
)


class EpisodeRefError(Worded, ValueError):
    """A `since` that names no episode; the message says what is accepted (a `template` and its `values`,
    db/facts/wording.py)."""


@dataclass(frozen=True, slots=True)
class EpisodeRef:
    """An episode as a pack names it; `series` is None for the bare form (a pack with one series)."""

    season: int
    number: int
    series: str | None = None

    @property
    def order(self) -> int:
        return episode_order(self.season, self.number)

    @property
    def label(self) -> str:
        return episode_label(self.season, self.number)


def episode_order(season: int, number: int) -> int:
    """One integer that sorts episodes of a series by season, then number."""
    return season * EPISODES_PER_SEASON + number


def episode_of_order(order: int) -> tuple[int, int]:
    """(season, number) back from `episode_order`."""
    return divmod(order, EPISODES_PER_SEASON)


def episode_label(season: int, number: int) -> str:
    return f"S{season:02d}E{number:02d}"


def parse_episode(text: str) -> tuple[int, int]:
    """(season, number) of `S02E05`, `s2e5` or `2x05`."""
    stripped = text.strip()
    for form in _FORMS:
        if (match := form.fullmatch(stripped)) is not None:
            season, number = int(match[1]), int(match[2])
            if season < 1 or number < 1:
                raise EpisodeRefError(N_("{value}: seasons and episodes count from 1"), value=f"`{text}`")
            if number > EPISODES_PER_SEASON:
                raise EpisodeRefError(N_("{value}: at most {most} episodes a season"), value=f"`{text}`", most=EPISODES_PER_SEASON)
            return season, number
    raise EpisodeRefError(NOT_AN_EPISODE, value=f"`{text}`", forms=ACCEPTED)


def parse_since(value: Any) -> EpisodeRef:
    """A `since:` value: the bare text form, or a mapping naming its series."""
    if isinstance(value, str):
        return EpisodeRef(*parse_episode(value))
    if isinstance(value, dict) and set(value) == {"series", "episode"} and isinstance(value["episode"], str):
        return EpisodeRef(*parse_episode(value["episode"]), series=str(value["series"]))
    raise EpisodeRefError(NOT_AN_EPISODE, value=f"`{value}`", forms=ACCEPTED)
