"""Instants as the store keeps them: UTC, fixed-width ISO 8601 text, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def iso_or_none(moment: datetime | None) -> str | None:
    """ISO 8601 as Python writes it (release dates keep their offset this way), or None."""
    return None if moment is None else moment.isoformat()
