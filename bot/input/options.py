"""Option transformers that check on the bot's side what Discord's client is only asked to enforce."""

from __future__ import annotations

import unicodedata

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.i18n import _, ngettext

# Zero-width and bidi controls: invisible, so never part of a meaningful name or question.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def clean_text(value: str, *, keep_newlines: bool = False) -> str:
    """Drop control and invisible characters and squeeze whitespace; what's left is what people see."""
    kept = []
    for ch in value.translate(_INVISIBLE):
        if ch == "\n" and keep_newlines:
            kept.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            kept.append(" ")
        else:
            kept.append(ch)
    text = "".join(kept)
    if keep_newlines:
        return "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
    return " ".join(text.split())


class TextOption(app_commands.Transformer):
    """A string option of `min_length`–`max_length` visible characters, checked here as well. `label`
    names it in the refusal: mark it with `N_` where the option is declared (it is translated here)."""

    def __init__(self, label: str, min_length: int = 1, max_length: int = 100) -> None:
        self.label = label
        self.min_length = min_length
        self.max_length = max_length

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return self.min_length

    @property
    def max_value(self) -> int:
        return self.max_length

    async def transform(self, interaction: discord.Interaction, value: str) -> str:
        return self.check(value)

    def check(self, value: str) -> str:
        # Discord measures the raw text; we check it raw, then what remains once cleaned.
        cleaned = clean_text(value)
        if len(value) > self.max_length or not self.min_length <= len(cleaned) <= self.max_length:
            label, low, high = _(self.label), self.min_length, self.max_length
            if not cleaned:
                said = _("The {label} must be {low}–{high} visible characters; yours was empty.", label=label, low=low, high=high)
            else:
                said = ngettext(
                    "The {label} must be {low}–{high} visible characters; yours was {count} character.",
                    "The {label} must be {low}–{high} visible characters; yours was {count} characters.",
                    len(value), label=label, low=low, high=high,
                )
            raise UserFacingError(said)
        return cleaned
