"""/settings — per-server settings (Manage Server)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import FandexBot
from bot.command_contexts import server_only, slash
from bot.i18n import N_, _
from bot.input.options import TextOption
from bot.input.zones import resolve_zone, zone_choices, zoned_time

ZoneName = app_commands.Transform[str, TextOption(N_("time zone"), 1, 64)]


@server_only
@app_commands.default_permissions(manage_guild=True)
class SettingsCog(commands.GroupCog, group_name="settings", group_description="This server's fandex settings (Manage Server)."):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot

    @app_commands.command(name="timezone", description="This server's time zone: for dates typed without one, and times shown as text.")
    @app_commands.describe(zone="An IANA zone such as Europe/Berlin or America/New_York")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def timezone(self, interaction: discord.Interaction, zone: ZoneName) -> None:
        """Set the zone `/release set` uses when no timezone is given, and autocomplete shows times in."""
        assert interaction.guild_id is not None
        found = resolve_zone(zone)
        await self.bot.store.guild_settings.set_timezone(interaction.guild_id, found, discord.utils.utcnow())
        now = discord.utils.utcnow()
        await interaction.response.send_message(
            _(
                "This server's time zone is now `{zone}` (it's {time} there). `{release_set}` uses it for dates typed "
                "without a zone, and times shown as text (in autocomplete) are in it, with the zone named.",
                zone=found, time=zoned_time(now, ZoneInfo(found), now), release_set=slash("release set"),
            ),
            ephemeral=True,
        )

    @timezone.autocomplete("zone")
    async def zone_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return zone_choices(current)


async def setup(bot: FandexBot) -> None:
    await bot.add_cog(SettingsCog(bot))
