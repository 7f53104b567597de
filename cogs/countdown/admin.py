"""/release set and /release remove — moderators keep this server's dates current."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import server_only
from bot.errors import UserFacingError
from bot.formatting import describe_date, discord_timestamp, literal, quote_typed
from bot.i18n import N_, _, ngettext
from bot.input.autocomplete import referenced
from bot.input.db_errors import worded
from bot.input.options import TextOption
from bot.input.zones import resolve_zone, zone_choices
from cogs.countdown.catalog import RELEASE, ReleaseCatalog
from cogs.countdown.delivery import Delivery
from cogs.countdown.reminder_planner import ReminderPlanner
from db.facts.dates import DEFAULT_ZONE, DateParseError, PartialDate, parse_partial_date
from db.repos.releases import ReleaseRemoval

if TYPE_CHECKING:
    from bot.client import FandexBot

Title = app_commands.Transform[str, TextOption(N_("release title"), 1, 100)]
DateText = app_commands.Transform[str, TextOption(N_("date"), 1, 40)]
ZoneName = app_commands.Transform[str, TextOption(N_("time zone"), 1, 64)]


async def zone_for(bot: FandexBot, guild_id: int, typed: str | None) -> str:
    """The zone typed, else the server's, else Pacific; a typo gets the close names."""
    return resolve_zone(typed or await bot.store.guild_settings.timezone(guild_id) or DEFAULT_ZONE)


def same_date(a: PartialDate, b: PartialDate) -> bool:
    return (a.precision, a.value, a.starts_at) == (b.precision, b.value, b.starts_at)


def date_with_relative(date: PartialDate) -> str:
    """The date in words, an exact one followed by its live relative time."""
    when = describe_date(date)
    if date.starts_at is not None:
        when += f" ({discord_timestamp(date.starts_at, 'R')})"
    return when


@server_only
@app_commands.default_permissions(manage_guild=True)
class ReleaseAdmin(commands.GroupCog, group_name="release", group_description="Add or move releases for this server (Manage Server)."):
    def __init__(self, bot: FandexBot, catalog: ReleaseCatalog, planner: ReminderPlanner, delivery: Delivery) -> None:
        self.bot = bot
        self.store = bot.store
        self.catalog = catalog
        self.planner = planner
        self.delivery = delivery

    @app_commands.command(name="set", description="Add a release for this server, or move one to a new date.")
    @app_commands.describe(
        title="An existing release to move, or a new title to add",
        date="2026-05-01, 2026-05-01 21:00, an ISO time with offset, or 2026, 2026-05, Q3 2026, summer 2026",
        timezone="IANA zone for a date without an offset (default: this server's, else America/Los_Angeles)",
    )
    @app_commands.checks.has_permissions(manage_guild=True)
    async def set_date(self, interaction: discord.Interaction, title: Title, date: DateText, timezone: ZoneName | None = None) -> None:
        """Create or move a release for this server only; its reminders follow the new date."""
        assert interaction.guild_id is not None
        zone = await zone_for(self.bot, interaction.guild_id, timezone)
        try:
            parsed = parse_partial_date(date, zone)
        except DateParseError as exc:
            raise UserFacingError(worded(exc)) from None
        existing = await self.catalog.exact(interaction.guild_id, title)
        if existing is None and referenced(RELEASE, title) is not None:  # picked from a list that is out of date
            raise UserFacingError(_("That release is no longer listed here. Pick one from the list again, or type a new title."))
        before = existing.current.date if existing and existing.current else None
        now = discord.utils.utcnow()
        name = existing.title if existing else title
        __, plan = await self.planner.apply(
            interaction.guild_id,
            partial(self.store.release_writer.set_date,
                    interaction.guild_id, name, parsed, interaction.user.id, now, existing.id if existing else None),
        )
        await self._replan_watchalongs(interaction.guild_id)
        shown = literal(name)
        when = date_with_relative(parsed)
        if existing:
            done = _("Moved **{title}** for this server: {when}.", title=shown, when=when)
        else:
            done = _("Added **{title}** for this server: {when}.", title=shown, when=when)
        if plan.added:  # English keeps its "reminder(s)" in both forms; the other languages say it by number
            done += " " + ngettext("{count} reminder(s) scheduled.", "{count} reminder(s) scheduled.", plan.added)
        await interaction.response.send_message(done, ephemeral=True)
        if existing and before is not None and not same_date(before, parsed):
            was = before
            await self.delivery.announce(  # composed by Delivery in the server's language
                interaction.guild_id,
                lambda: _("📅 **{title}** has a new date in this server: {when} (was {before}).",
                          title=shown, when=date_with_relative(parsed), before=describe_date(was)),
            )

    async def _replan_watchalongs(self, guild_id: int) -> None:
        """This server's own date moved an episode (or removed one): its watch-along thread moves with it."""
        watchalongs = self.bot.services.watchalong_replanning.current
        if watchalongs is not None:
            await watchalongs.replan(guild_id)
        events = self.bot.services.events_replanning.current
        if events is not None:  # and its Discord events
            await events.replan(guild_id)

    @set_date.autocomplete("title")
    async def title_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.catalog.choices(interaction.guild_id, current, reader=(interaction.channel_id, interaction.user.id))

    @set_date.autocomplete("timezone")
    async def timezone_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return zone_choices(current)

    @app_commands.command(name="remove", description="Remove a release added in this server, or undo this server's date.")
    @app_commands.describe(title="A release added or moved in this server")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def remove(self, interaction: discord.Interaction, title: Title) -> None:
        """Remove this server's own release (its pending reminders go too), or revert a moved one."""
        assert interaction.guild_id is not None
        release = await self.catalog.exact(interaction.guild_id, title)
        if release is None:
            raise UserFacingError(_("No release in this server is titled “{title}”. Pick one from the list.", title=quote_typed(title)))
        outcome, plan = await self.planner.apply(
            interaction.guild_id, partial(self.store.release_writer.remove, interaction.guild_id, release.id)
        )
        await self._replan_watchalongs(interaction.guild_id)
        shown = literal(release.title)
        if outcome is None:
            raise UserFacingError(_(
                "**{title}** comes from the fact pack and has no date set in this server, so there is nothing to remove. "
                "Use `/release set` to give it this server's own date.",
                title=shown,
            ))
        if outcome is ReleaseRemoval.REMOVED:
            await interaction.response.send_message(
                ngettext(
                    "Removed **{title}** from this server; {count} pending reminder(s) went with it.",
                    "Removed **{title}** from this server; {count} pending reminder(s) went with it.",
                    plan.cancelled, title=shown,
                ),
                ephemeral=True,
            )
            return
        restored = await self.store.releases.get(release.id, interaction.guild_id)
        restored_date = restored.current.date if restored and restored.current else None

        def date_of() -> str:
            return describe_date(restored_date) if restored_date is not None else _("no date")

        await interaction.response.send_message(
            _("**{title}** is back on the fact pack's date here: {date}.", title=shown, date=date_of()), ephemeral=True
        )
        await self.delivery.announce(  # composed by Delivery in the server's language
            interaction.guild_id,
            lambda: _("📅 **{title}** is back on its announced date in this server: {date}.", title=shown, date=date_of()),
        )

    @remove.autocomplete("title")
    async def own_title_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.catalog.choices(
            interaction.guild_id, current, reader=(interaction.channel_id, interaction.user.id), own_only=True
        )
