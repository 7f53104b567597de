"""Positions and rules as the store keeps them (db/repos/viewers/) and back, in one place."""

from __future__ import annotations

from datetime import timedelta

from bot.spoilers.positions import NOT_STARTED, EpisodeCode, Position, Reach
from bot.spoilers.rules import RuleKind, SpoilerRule
from db.repos.viewers.progress import StoredProgress
from db.repos.viewers.reach import StoredReach


def progress_to_store(series_id: int, position: Position) -> StoredProgress:
    """A member's own progress: an episode or `none` (there is no `all` to set for oneself)."""
    if position.episode is None:
        return StoredProgress(series_id, None, None)
    return StoredProgress(series_id, position.episode.season, position.episode.number)


def progress_from_store(stored: StoredProgress) -> Position:
    if stored.season is None or stored.episode is None:
        return NOT_STARTED
    return Position(Reach.EPISODE, EpisodeCode(stored.season, stored.episode))


def rule_to_store(series_id: int, channel_id: int | None, rule: SpoilerRule) -> StoredReach:
    episode = rule.episode
    return StoredReach(
        series_id, channel_id, rule.kind.value, int(rule.delay.total_seconds()),
        episode.season if episode else None, episode.number if episode else None,
    )


def rule_from_store(stored: StoredReach) -> SpoilerRule:
    episode = EpisodeCode(stored.season, stored.episode) if stored.season is not None and stored.episode is not None else None
    return SpoilerRule(RuleKind(stored.kind), timedelta(seconds=stored.delay_seconds), episode)
