"""Variants of a character rank below the original for the original's name: an imposter, a clone, an
alternate version ("Tony Stark 2.0", "Max Eisenhardt (Joseph)", a shapeshifter posing as the hero) is
looked up by the original's name far less often than the original, however many pages it has.

A variant is known two ways, both within one pack, worked out once when its index is built:
- its name is another character's name plus a qualifier: in parentheses ("Peter Parker (Ben Reilly)")
  or a version number ("Tony Stark 2.0", "Ultron 5", "Vision v2"). A generational suffix ("Warren
  Worthington III", "Jr.") is not one: that is a namesake, a person of their own;
- a relationship between the two declares it: `between: [variant, original]` with a `status` of
  `VARIANT_STATUSES` ("imposter of", "variant of", "alternate version of", "impersonates", …).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from bot.search.name_forms import fold

VARIANT_STATUSES = frozenset((
    "imposter", "imposter of", "impostor", "impostor of", "impersonates", "impersonator of", "poses as",
    "variant", "variant of", "alternate", "alternate of", "alternate version", "alternate version of",
    "clone", "clone of", "copy of", "double of", "doppelganger of", "shapeshifter posing as",
))
_QUALIFIED = re.compile(r"^(?P<base>.+?)\s*(?:\([^()]*\)|v?\d+(?:\.\d+)*)$")
M = TypeVar("M")


def variant_status(status: str | None) -> bool:
    """Whether a relationship's status declares its first character a variant of its second."""
    return status is not None and fold(status, keep_article=True) in VARIANT_STATUSES


def variants_of(
    labels: dict[int, str], weights: dict[int, int], declared: Iterable[tuple[int, int]] = ()
) -> dict[int, int]:
    """variant → original, for the characters of one pack (`labels`: id → name; `declared`: (variant,
    original) pairs from relationships). Of several originals with the base name, the most prominent."""
    by_label: dict[str, int] = {}
    for target, label in sorted(labels.items(), key=lambda tl: -weights.get(tl[0], 0)):
        by_label.setdefault(fold(label), target)
    found: dict[int, int] = {}
    for target, label in labels.items():
        if not label or not (label[-1] == ")" or label[-1].isdigit()):
            continue
        qualified = _QUALIFIED.match(label)
        if qualified and (original := by_label.get(fold(qualified.group("base")))) is not None and original != target:
            found[target] = original
    for variant, original in declared:
        if variant != original and variant in labels and original in labels:
            found[variant] = original
    return found


def below_originals(
    found: Sequence[M], target: Callable[[M], int], score: Callable[[M], float], original_of: Callable[[int], int | None], tie: float
) -> list[M]:
    """`found` (best first) with each variant moved just after its original, when the original is among
    them and fits about as well (within `tie`): typing the original's name names the original first."""
    place = {target(m): n for n, m in enumerate(found)}
    keys = []
    for n, m in enumerate(found):
        original = original_of(target(m))
        at = place.get(original) if original is not None else None
        moved = at is not None and at > n and score(found[at]) >= score(m) - tie
        keys.append((at if moved else n, moved, n))
    order = sorted(range(len(found)), key=keys.__getitem__)
    return [found[n] for n in order]
