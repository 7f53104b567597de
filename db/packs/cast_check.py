"""What the checker asks of a pack's cast beyond its schema: character images, recast actors, ship names.

Called at the end of `pack_check._reference_problems`; each problem is a (path, message) pair that
says what is wrong and what is accepted.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from db.packs.format import PackSpec, name_of, source_of

MAX_IMAGE_ADDRESS = 2048  # Discord's limit for an embed thumbnail's url
# What RFC 3986 lets an address hold; anything else must be percent-encoded.
_URI_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")
PathKey = tuple[str | int, ...]
SourceCheck = Callable[[PathKey, str | None], Iterator[tuple[PathKey, str]]]


def pair_problems(spec: PackSpec, path: PathKey, between: tuple[str, str], what: str) -> Iterator[tuple[PathKey, str]]:
    """A pair of characters (a relationship, a ship): both known, and two of them."""
    for j, who in enumerate(between):
        if who not in spec.characters:
            yield (*path, "between", j), f"unknown character `{who}`"
    if between[0] == between[1]:
        yield (*path, "between"), f"{what} needs two different characters"


def cast_problems(spec: PackSpec, source: SourceCheck) -> Iterator[tuple[PathKey, str]]:
    """`source(path, key)` reports an unknown source key, as the rest of the checker does."""
    yield from _character_problems(spec, source)
    yield from _ship_problems(spec, source)


def _character_problems(spec: PackSpec, source: SourceCheck) -> Iterator[tuple[PathKey, str]]:
    """A character's image address, and the actor of a recast appearance."""
    for ckey, char in spec.characters.items():
        base: PathKey = ("characters", ckey)
        if char.image is not None:
            yield from _image_problem((*base, "image"), char.image)
        for i, app in enumerate(char.appearances):
            apath = (*base, "appearances", i)
            if app.actor_source is not None and app.actor is None:
                yield (*apath, "actor_source"), "`actor_source` names the source of `actor`, and this appearance has no `actor`"
            yield from source((*apath, "actor_source"), app.actor_source)
            if app.actor is not None and char.actor is not None and app.actor.casefold() == char.actor.casefold():
                yield (*apath, "actor"), (
                    f"`{app.actor}` is already the character's actor; an appearance's `actor` is for a role "
                    "recast in that series or those seasons"
                )


def _image_problem(path: PathKey, address: str) -> Iterator[tuple[PathKey, str]]:
    shown = address if len(address) <= 60 else address[:57] + "…"
    if bad := next((ch for ch in address if ch not in _URI_CHARACTERS), None):
        what = "a space" if bad == " " else "a non-ASCII character" if not bad.isascii() else repr(bad)
        yield path, (
            f"`{shown}` holds {what}, which a web address cannot; write the address percent-encoded, "
            "as a browser's address bar copies it (a space is %20)"
        )
    elif not _is_web_address(address):
        yield path, f"`{shown}` is not a web address; `image` takes an http:// or https:// URL with a host name"
    elif len(address) > MAX_IMAGE_ADDRESS:
        yield path, f"the address is {len(address)} characters long; Discord shows images from addresses of at most {MAX_IMAGE_ADDRESS}"


def _is_web_address(address: str) -> bool:
    try:
        parts = urlsplit(address)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1" and the like
        return False


def _ship_problems(spec: PackSpec, source: SourceCheck) -> Iterator[tuple[PathKey, str]]:
    """Each ship is a pair of the pack's characters, listed once, with names no other ship uses."""
    pairs: dict[frozenset[str], int] = {}
    names: dict[str, str] = {}
    for i, ship in enumerate(spec.ships):
        path: PathKey = ("ships", i)
        yield from source((*path, "source"), ship.source)
        first, second = ship.between
        yield from pair_problems(spec, path, ship.between, "a ship")
        pair = frozenset(ship.between)
        if pair in pairs:
            yield (*path, "between"), (
                f"the pair {first} × {second} is listed twice (also ships.{pairs[pair]}); give all its names in one entry"
            )
        pairs.setdefault(pair, i)
        shown = f"{first} × {second}"
        for j, item in enumerate(ship.names):
            yield from source((*path, "names", j), source_of(item, ship.source))
            folded = " ".join(name_of(item).casefold().split())
            if folded in names:
                other = names[folded]
                taken = "is listed twice" if other == shown else f"is already the name of the ship {other}"
                yield (*path, "names", j), f"`{name_of(item)}` {taken}; a ship name must point to one pair"
            names.setdefault(folded, shown)
