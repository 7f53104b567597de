"""Embeds that always fit Discord's limits, trimmed honestly ("… and N more") when the facts don't.

A `Card` collects the parts of an embed as lists of items; `build()` fits each part to its own
limit, then — if the sum is still over Discord's 6,000-character total — shares the room among the
long parts, shortening the longest first, so every field keeps its first items and says how many
it left out. Cogs build every embed this way; none is sent that Discord would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from bot import limits
from bot.formatting import join_limited, truncate
from bot.i18n import ngettext

COLOUR = discord.Colour(0xB11313)
MIN_PART = 40  # room a trimmed part keeps, enough for its first item or "… and N more"


@dataclass
class _Part:
    """A list of items rendered within a limit; `limit` shrinks when the whole embed is too long."""

    items: list[str]
    sep: str
    limit: int
    prefix: str = ""

    def render(self) -> str:
        if not self.items:
            return ""
        room = max(1, self.limit - len(self.prefix))
        return self.prefix + join_limited(self.items, room, self.sep)


@dataclass
class _Field:
    name: str
    value: _Part
    inline: bool


@dataclass
class Card:
    """An embed under construction. `description`, each field and the footer are lists of items."""

    title: str
    colour: discord.Colour = COLOUR
    url: str | None = None
    image_url: str | None = None
    thumbnail_url: str | None = None
    _description: _Part = field(default_factory=lambda: _Part([], "\n", limits.EMBED_DESCRIPTION))
    _fields: list[_Field] = field(default_factory=list)
    _footer: _Part = field(default_factory=lambda: _Part([], " · ", limits.EMBED_FOOTER))

    def describe(self, *items: str, sep: str = "\n") -> Card:
        self._description = _Part([i for i in items if i], sep, limits.EMBED_DESCRIPTION)
        return self

    def add(self, name: str, items: str | Sequence[str], *, inline: bool = False, sep: str = "\n") -> Card:
        """A field of one text or of several items; an empty one is left out."""
        listed = [items] if isinstance(items, str) else [i for i in items if i]
        if listed and any(i.strip() for i in listed):
            self._fields.append(_Field(name, _Part(listed, sep, limits.EMBED_FIELD_VALUE), inline))
        return self

    def footer(self, items: Sequence[str], *, prefix: str = "", sep: str = " · ") -> Card:
        self._footer = _Part(list(items), sep, limits.EMBED_FOOTER, prefix)
        return self

    def build(self) -> discord.Embed:
        fields = self._fields
        if len(fields) > limits.EMBED_FIELDS:
            dropped = len(fields) - limits.EMBED_FIELDS + 1
            left_out = ngettext("… and {count} more sections", "… and {count} more sections", dropped)
            fields = [*fields[: limits.EMBED_FIELDS - 1], _Field("…", _Part([left_out], "\n", 100), False)]
        title = truncate(self.title, limits.EMBED_TITLE)
        names = [truncate(f.name, limits.EMBED_FIELD_NAME) for f in fields]
        parts = [self._description, self._footer, *(f.value for f in fields)]
        _share(parts, limits.EMBED_TOTAL - len(title) - sum(len(n) for n in names))
        embed = discord.Embed(title=title, description=self._description.render() or None, colour=self.colour, url=self.url)
        for name, f in zip(names, fields, strict=True):
            embed.add_field(name=name, value=f.value.render(), inline=f.inline)
        if footer := self._footer.render():
            embed.set_footer(text=footer)
        if self.image_url:
            embed.set_image(url=self.image_url)
        if self.thumbnail_url:
            embed.set_thumbnail(url=self.thumbnail_url)
        return embed


def _share(parts: list[_Part], budget: int) -> None:
    """Lower the parts' limits until their rendered lengths sum to at most `budget`: the longest parts
    give way first, and each keeps at least MIN_PART (or its own length, if shorter)."""
    for __ in range(8):  # rendering within a limit can only shorten; a few passes always settle
        lengths = [len(p.render()) for p in parts]
        excess = sum(lengths) - budget
        if excess <= 0:
            return
        cap = _water_level(lengths, budget)
        for part, length in zip(parts, lengths, strict=True):
            if length > cap:
                part.limit = max(min(MIN_PART, length), cap)
    # Still over (a budget smaller than every part's minimum): drop the longest parts' items outright.
    for part in sorted(parts, key=lambda p: -len(p.render())):
        if sum(len(p.render()) for p in parts) <= budget:
            return
        part.items = []


def _water_level(lengths: list[int], budget: int) -> int:
    """The largest cap c with sum(min(length, c)) <= budget."""
    ordered = sorted(lengths)
    used = 0
    for i, length in enumerate(ordered):
        rest = len(ordered) - i
        if used + length * rest > budget:
            return max(0, (budget - used) // rest)
        used += length
    return max(ordered, default=0)
