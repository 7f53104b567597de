"""/help: an ephemeral list of the commands the member can use where they ask, and where the docs are."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import home_guild, user_installable
from bot.embeds import COLOUR
from bot.i18n import N_, _
from bot.wire.payloads import NO_PINGS
from cogs.guide.listing import Place, fitting_sections, lines

if TYPE_CHECKING:
    from bot.client import FandexBot

HELP_TITLE = N_("fandex commands")
HELP_IN_SERVER = N_("What you can use in this server. Commands marked with a permission are for moderators who have it.")
HELP_IN_BOT_DM = N_(
    "What you can use in direct messages with fandex, over every fandom it holds. "
    "Community commands (fandoms, polls, reminders, events) are offered in the servers that invited it."
)
HELP_ELSEWHERE = N_(
    "What you can use here with fandex installed to your account. "
    "It covers every fandom fandex holds; a server that adds fandex gets its server commands too."
)
DOCS_LINK = N_("Docs: {url}")
DOCS_SHIPPED = N_("Docs: `docs/commands.md` in fandex's source.")
EMBEDS_PER_MESSAGE = 10


def place_of(interaction: discord.Interaction) -> Place:
    if home_guild(interaction) is not None:
        return Place.SERVER
    if interaction.guild_id is None and interaction.context.dm_channel:
        return Place.BOT_DM
    return Place.ELSEWHERE


def help_embeds(fields: list[tuple[str, str]], intro: str) -> list[discord.Embed]:
    """The list as embeds of at most 25 fields each (Discord's limit); the first carries the title and intro."""
    embeds = [discord.Embed(title=_(HELP_TITLE), description=intro, colour=COLOUR)]
    for name, value in fields:
        if len(embeds[-1].fields) == 25:
            embeds.append(discord.Embed(colour=COLOUR))
        embeds[-1].add_field(name=name, value=value, inline=False)
    return embeds[:EMBEDS_PER_MESSAGE]


class GuideCog(commands.Cog):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot

    @user_installable
    @app_commands.command(name="help", description="The commands you can use here, one line each, and where the docs are.")
    async def help(self, interaction: discord.Interaction) -> None:
        """Private: only the member asking sees it."""
        place = place_of(interaction)
        intro = {Place.SERVER: HELP_IN_SERVER, Place.BOT_DM: HELP_IN_BOT_DM, Place.ELSEWHERE: HELP_ELSEWHERE}[place]
        docs = _(DOCS_LINK, url=self.bot.settings.docs_url) if self.bot.settings.docs_url else _(DOCS_SHIPPED)
        intro = f"{_(intro)}\n{docs}"
        fields = fitting_sections(lines(self.bot.tree, place), _(HELP_TITLE), intro)
        await interaction.response.send_message(embeds=help_embeds(fields, intro), ephemeral=True, allowed_mentions=NO_PINGS)
