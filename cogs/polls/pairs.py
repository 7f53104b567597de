"""A pair typed as a ship name: `/ship info first:Jancy` and `/poll ship first:Jancy`, with `second` left empty.

Ship names come from the fandoms a server follows, matched like character names (case, accents and
typos forgiven). The answers for what cannot be used say what to type instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.formatting import literal, quote_typed
from bot.i18n.formats import listing
from bot.i18n.locales import ENGLISH
from bot.i18n.speech import _, current_locale
from bot.input.autocomplete import choice, offered
from bot.search.finding import name_choice, no_fandom
from bot.search.name_forms import fold
from bot.search.scoped_index import ScopedIndex
from bot.search.seen import seen_by_both, seen_index
from db.facts.models import Ship

if TYPE_CHECKING:
    from bot.client import FandexBot

SHIP_CHOICES = 5  # ship names offered among a first option's autocomplete choices


def alternatives(items: list[str]) -> str:
    """Names offered as "did you mean …": a plain comma list in English, as the bot always wrote it; the
    reader's own "a, b or c" in the other languages."""
    return ", ".join(items) if current_locale() == ENGLISH else listing(items, style="or")


async def seen(bot: FandexBot, interaction: discord.Interaction, what: str, *, private: bool = False) -> ScopedIndex:
    """The index as this interaction's reader may see it: autocomplete is seen by the member typing alone;
    a command answers in public, as far as the channel has watched; its `private` refusals name nothing
    the member has not watched either (nor what the command could not use here)."""
    now = discord.utils.utcnow()
    if private:
        return await seen_by_both(
            bot.directory, bot.sights, what, interaction.guild_id, interaction.channel_id, interaction.user.id, now
        )
    user_id = interaction.user.id if interaction.type is discord.InteractionType.autocomplete else None
    return await seen_index(bot.directory, bot.sights, what, interaction.guild_id, interaction.channel_id, user_id, now)


async def ship_by_name(bot: FandexBot, interaction: discord.Interaction, typed: str) -> Ship:
    """The ship a server's fandoms know by `typed` as far as the channel has watched (a poll and /ship info
    are public), or a UserFacingError saying what to type instead."""
    guild_id = interaction.guild_id
    characters = await seen(bot, interaction, "characters")
    if not len(characters):
        raise UserFacingError(no_fandom(interaction.guild_id))
    ships = await seen(bot, interaction, "ships")
    found = ships.resolve(typed) if len(ships) else []
    if not found:
        raise UserFacingError(await _no_ship(bot, interaction, typed))
    others = [m.target for m in found[1:] if m.target != found[0].target]
    if others:
        names = listing([f"**{literal(ships.display(t))}**" for t in dict.fromkeys([found[0].target, *others])])
        raise UserFacingError(
            _(
                "“{typed}” fits several ships: {names}. Type the whole name, or pick one from the list.",
                typed=quote_typed(typed), names=names,
            )
        )
    ship = await bot.store.ships.get(found[0].target, guild_id)
    if ship is None:
        raise UserFacingError(await _no_ship(bot, interaction, typed))
    return ship


async def _no_ship(bot: FandexBot, interaction: discord.Interaction, typed: str) -> str:
    characters = await seen(bot, interaction, "characters", private=True)
    if characters.exact(typed) is not None:
        shown = characters.display(characters.resolve(typed)[0].target)
        return _("“{typed}” is {name}, a character: name the other one in `second`.", typed=quote_typed(typed), name=literal(shown))
    ships = await seen(bot, interaction, "ships", private=True)
    if not len(ships):
        return _(
            "No ship name matches “{typed}”. Give two characters, `first` and `second`; the fandoms this server follows name no ships.",
            typed=quote_typed(typed),
        )
    suggestions = [f"**{literal(ships.display(m.target))}**" for m in ships.suggest(typed)]
    if suggestions:
        return _(
            "No ship name matches “{typed}”. Did you mean {names}? Or: give two characters, `first` and `second`.",
            typed=quote_typed(typed), names=alternatives(suggestions),
        )
    offered = ships.complete("", 1)  # none when every ship is past what this channel has watched
    if not offered:
        return _("No ship name matches “{typed}”. Give two characters, `first` and `second`.", typed=quote_typed(typed))
    example = literal(ships.display(offered[0].target))
    return _(
        "No ship name matches “{typed}”. Give two characters, `first` and `second`, or a ship name such as **{example}** in `first` alone.",
        typed=quote_typed(typed), example=example,
    )


async def ship_name_hint(bot: FandexBot, interaction: discord.Interaction, typed: str) -> str | None:
    """When `first` was read as a character and none fits, but it is a ship name: how to use it."""
    ships = await seen(bot, interaction, "ships", private=True)
    if not len(ships) or ships.exact(typed) is None:
        return None
    return _(
        "“{typed}” is a ship name: leave `second` empty to use it, or give a character in `first`.", typed=quote_typed(typed)
    )


async def first_choices(bot: FandexBot, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    """A first option's autocomplete: characters, and ship names that fit what was typed, best first, as far
    as the member typing has watched."""
    characters = await seen(bot, interaction, "characters")
    people = characters.complete(current[:100])
    ranked: list[tuple[float, int, int, app_commands.Choice[str] | None]] = [
        (-m.score, 0, i, name_choice(characters, m)) for i, m in enumerate(people)
    ]
    if fold(current):
        ships = await seen(bot, interaction, "ships")
        for i, m in enumerate(ships.complete(current[:100], SHIP_CHOICES) if len(ships) else []):
            shown = ships.display(m.target)
            # "(ship)", or "(ship, Jancy)" when the name typed is another name of the ship
            detail = _("(ship, {name})", name=m.entry.text) if fold(m.entry.text) != fold(m.entry.label) else _("(ship)")
            ranked.append((-m.score, 1, i, choice(shown, shown, detail=" " + detail, ref=ships.reference(m.target))))
    ranked.sort(key=lambda r: r[:3])
    return offered(made for *__, made in ranked)
