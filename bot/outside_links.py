"""Web addresses that come from outside services (TVmaze, Wikidata), as Discord shows them.

A fact pack is written by the bot's operator, who answers for its addresses (the pack check allows
http and https). An outside service's addresses are data anyone may have edited there: a `javascript:`
show page, a page on another host, or text shaped to close a link and open a masked one. Such an
address is shown — linked, as a card's address or as its picture — only when it is a plain `https://`
address (of the service's own host, for the service's own page); anything else is left out entirely,
neither linked nor shown as text. Every place that shows an outside address asks `outside_url`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.tvmaze.pack import SOURCE as TVMAZE_SOURCE
from bot.wikidata.grafting import SOURCE as WIKIDATA_SOURCE
from db.facts.models import Character, Source

TVMAZE_HOSTS = ("tvmaze.com",)  # and its subdomains: www., static.
WIKIDATA_HOSTS = ("wikidata.org",)  # an item's page: www.wikidata.org/wiki/Q…
# The pack source each outside service's facts cite → the hosts that service's own pages are on.
OUTSIDE_SOURCES: dict[str, tuple[str, ...]] = {TVMAZE_SOURCE: TVMAZE_HOSTS, WIKIDATA_SOURCE: WIKIDATA_HOSTS}
LONGEST = 2048  # Discord's limit for an embed's url, thumbnail or image
# RFC 3986's characters but "[" and "]" (IPv6 literals; in Markdown they make links): no space, no "<",
# ">", quote, backslash or backtick, nothing that could end a link early or be read as Markdown.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&'*+,;=%()]+")


def outside_url(address: object, *, hosts: Sequence[str] = ()) -> str | None:
    """`address` fit to show, or None: https, a named host (one of `hosts` or under it, when given), no
    user name before the host (`https://tvmaze.com@evil.example`), nothing but URL characters."""
    if not isinstance(address, str) or len(address) > LONGEST or not _URL_CHARACTERS.fullmatch(address):
        return None
    if address[:8].lower() != "https://":
        return None
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if "." not in host or "@" in parts.netloc:
        return None
    if hosts and not any(host == h or host.endswith(f".{h}") for h in hosts):
        return None
    return address.replace("(", "%28").replace(")", "%29")  # a masked link's target ends at ")"


def from_outside(source: Source | None) -> bool:
    """Whether the source is an outside service's (its facts, pictures and page came from there)."""
    return source is not None and source.key in OUTSIDE_SOURCES


def source_page(source: Source) -> str | None:
    """An outside source's own page, on that service's host, or None."""
    return outside_url(source.location, hosts=OUTSIDE_SOURCES.get(source.key, ()))


def character_image(character: Character) -> str | None:
    """The character's picture: the pack's own as written (checked at import), an outside service's
    only by `outside_url`."""
    if from_outside(character.sources.get(character.source_id)):
        return outside_url(character.image_url)
    return character.image_url
