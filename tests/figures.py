"""Figures measured by the tests (latencies, rates), printed at the end of the run for the issue notes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from statistics import median

FIGURES: dict[str, list[float]] = defaultdict(list)
_TAGS: list[str] = []


def record(name: str, *values: float) -> None:
    FIGURES[name + "".join(_TAGS)].extend(values)


@contextmanager
def tagged(tag: str) -> Iterator[None]:
    """Figures recorded meanwhile are kept apart under `name + tag` (e.g. the same test on PostgreSQL)."""
    _TAGS.append(tag)
    try:
        yield
    finally:
        _TAGS.remove(tag)


def export() -> dict[str, list[float]]:
    """What this process measured, for a parallel run's workers to hand to the controller."""
    return {name: list(values) for name, values in FIGURES.items() if values}


def merge(measured: dict[str, list[float]]) -> None:
    for name, values in measured.items():
        FIGURES[name].extend(values)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary() -> list[str]:
    lines = []
    for name, values in sorted(FIGURES.items()):
        if values:
            if len(values) == 1:
                lines.append(f"{name}: {values[0]:g}")
            else:
                lines.append(
                    f"{name}: n={len(values)} total={sum(values):g} p50={median(values):.1f} "
                    f"p99={percentile(values, 99):.1f} min={min(values):.1f} max={max(values):.1f}"
                )
    return lines
