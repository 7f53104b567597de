"""How far a place may go in a series — a server's setting or a channel's override — and which
position a reply uses.

`upto` is `aired` (with a delay, default `7d`), `none`, `all`, or an episode. Public replies use the
channel's override, else the server's setting, else `aired` with `7d`; ephemeral replies use the
reader's own progress when they set one, else the channel's position.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.i18n import N_, _, pgettext
from bot.input.durations import DURATION_FORMS, DurationError, format_duration, parse_duration
from bot.spoilers.airing import ListedEpisode, aired_position
from bot.spoilers.positions import (
    EMPTY_VALUE,
    EPISODE_FORMS,
    EVERYTHING,
    NOT_STARTED,
    EpisodeCode,
    Position,
    PositionError,
    Reach,
    parse_episode_code,
)
from db.facts.quoting import inline_code

DEFAULT_DELAY = timedelta(days=7)
MAX_DELAY = timedelta(days=366)
# `aired`, `none` and `all` are what a moderator types: they stay as they are in every language.
UPTO_FORMS = N_("`aired` (episodes count once they have aired, plus the delay), `none`, `all`, or {episode_forms}")


class RuleKind(StrEnum):
    AIRED = "aired"
    NONE = "none"
    ALL = "all"
    EPISODE = "episode"


@dataclass(frozen=True, slots=True)
class SpoilerRule:
    """A place's reach in one series. `delay` matters only for `aired`; `episode` only for `episode`."""

    kind: RuleKind
    delay: timedelta = DEFAULT_DELAY
    episode: EpisodeCode | None = None

    def describe(self) -> str:
        """How it reads in `/spoilers show`: `aired + 7d`, `up to S02E05`, `none`, `all`."""
        if self.kind is RuleKind.AIRED:
            return _("aired + {delay}", delay=format_duration(int(self.delay.total_seconds())))
        if self.kind is RuleKind.EPISODE:
            return _("up to {episode}", episode=self.episode)
        if self.kind is RuleKind.NONE:
            return pgettext("spoiler reach", "none")
        return pgettext("spoiler reach", "all")


DEFAULT_RULE = SpoilerRule(RuleKind.AIRED, DEFAULT_DELAY)


def parse_rule(upto: str, delay: str | None = None) -> SpoilerRule:
    """What a moderator typed as `upto` (and `delay`, for `aired` only) → a rule, or a PositionError."""
    raw = upto.strip().lower()
    if delay is not None and delay.strip() and raw != RuleKind.AIRED:
        raise PositionError(_("`delay` goes with `upto: aired` only; leave it out for {upto}.", upto=inline_code(upto.strip()[:40])))
    if raw == RuleKind.AIRED:
        return SpoilerRule(RuleKind.AIRED, _delay(delay))
    if raw in (RuleKind.NONE, RuleKind.ALL):
        return SpoilerRule(RuleKind(raw))
    try:
        return SpoilerRule(RuleKind.EPISODE, episode=parse_episode_code(upto))
    except PositionError:
        shown = inline_code(upto.strip()[:40]) if upto.strip() else _(EMPTY_VALUE)
        forms = _(UPTO_FORMS, episode_forms=_(EPISODE_FORMS))
        raise PositionError(_("{value} is not a reach. Give {forms}.", value=shown, forms=forms)) from None


def _delay(text: str | None) -> timedelta:
    if text is None or not text.strip():
        return DEFAULT_DELAY
    if text.strip() == "0":
        return timedelta(0)
    try:
        value = parse_duration(text)
    except DurationError:
        # DURATION_FORMS is bot/input/durations.py's; `_` finds it once that module marks it for the catalogs.
        shown = inline_code(text.strip()[:40])
        raise PositionError(_("{value} is not a delay. Give {forms}, or `0`.", value=shown, forms=_(DURATION_FORMS))) from None
    if value > MAX_DELAY:
        raise PositionError(_("{value} is more than a year; delays go up to 366d.", value=inline_code(text.strip()[:40])))
    return value


def position_for(episodes: Iterable[ListedEpisode], rule: SpoilerRule, now: datetime) -> Position:
    """The position a rule gives in a series whose episodes (with their dates) are `episodes`, at `now`."""
    if rule.kind is RuleKind.ALL:
        return EVERYTHING
    if rule.kind is RuleKind.NONE:
        return NOT_STARTED
    if rule.kind is RuleKind.EPISODE:
        return Position(Reach.EPISODE, rule.episode)
    return aired_position(episodes, rule.delay, now)


def public_rule(channel_override: SpoilerRule | None, server_setting: SpoilerRule | None) -> SpoilerRule:
    """The rule a public reply in a channel follows: its override, else its server's, else the default."""
    return channel_override or server_setting or DEFAULT_RULE


def reader_position(own_progress: Position | None, channel_position: Position) -> Position:
    """The position an ephemeral reply follows: the reader's own progress when set, else the channel's."""
    return own_progress if own_progress is not None else channel_position
