"""Instants as the store keeps them: UTC, fixed-width ISO 8601 text, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_text(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def text_or_none(moment: datetime | None) -> str | None:
    """`to_text`, or None: what a stored row holds, so an unchanged date compares equal on both backends."""
    return None if moment is None else to_text(moment)
