"""/events — Discord Scheduled Events for a series' premieres or every episode: set, stop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.command_contexts import server_only
from bot.errors import UserFacingError, permission_label
from bot.formatting import literal
from bot.i18n import N_, _, ngettext, pgettext
from bot.i18n.formats import listing
from bot.input.options import TextOption
from bot.search.finding import choices
from bot.search.series import find_series
from bot.wire.payloads import NO_PINGS
from cogs.events.keeping import PER_SERIES, EventKeeper, SyncResult
from db.repos.events.settings import EventSeries
from db.repos.packs.changes import FactsChange

if TYPE_CHECKING:
    from bot.client import FandexBot

SeriesTitle = app_commands.Transform[str, TextOption(N_("series title"), 1, 100)]
# What the bot needs to keep events, by the name Discord shows for each permission.
SLIDE_MINUTES = 30
EVENT_NEEDS = ("create_events", "manage_events")


def missing_permissions(have: discord.Permissions) -> list[str]:
    """What the bot lacks to keep events, by Discord's names (in the reader's language)."""
    return [permission_label(flag) for flag in EVENT_NEEDS if not getattr(have, flag)]


def outcome(result: SyncResult) -> str:
    if result.refused is not None:
        return _("Discord refused an event ({reason}): I need **{create}** and **{manage}**, and a server holds at most "
                 "100 events. The others are kept; run the command again once that is fixed.",
                 reason=literal(result.refused), create=permission_label("create_events"),
                 manage=permission_label("manage_events"))
    return ngettext("{count} event(s) created, {moved} moved, {deleted} deleted.",
                    "{count} event(s) created, {moved} moved, {deleted} deleted.", result.created,
                    moved=result.moved, deleted=result.deleted)


@server_only
class EventsCog(
    commands.GroupCog, group_name="events",
    group_description="Discord events for a series' premieres or episodes (Manage Server).",
):
    """Every subcommand changes the server's Events tab: Manage Server, checked here too."""

    def __init__(self, bot: FandexBot, keeper: EventKeeper) -> None:
        self.bot = bot
        self.store = bot.store
        self.keeper = keeper
        self._pending: set[asyncio.Task[object]] = set()

    async def cog_load(self) -> None:
        self.store.facts.subscribe(self._facts_changed)
        self._later(self.keeper.sync_changed())  # dates moved while this process was away
        self.slide.start()

    async def cog_unload(self) -> None:
        self.store.facts.unsubscribe(self._facts_changed)
        self.slide.cancel()
        for task in list(self._pending):
            task.cancel()

    def _later(self, work: Coroutine[Any, Any, object]) -> None:
        """Run a sync in the background (it talks to Discord; no interaction waits on it)."""
        task = asyncio.create_task(work)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    @tasks.loop(minutes=SLIDE_MINUTES)
    async def slide(self) -> None:
        """Events that started make room for the next ones (at most PER_SERIES ahead per series); every
        process runs this, and each server's sync is one at a time and changes nothing when in step."""
        if self.slide.current_loop:  # not at start: cog_load's sync covers that
            await self.keeper.sync_all()

    async def _facts_changed(self, change: FactsChange) -> None:
        """Dates moved, appeared or went (here or in another process): the events follow."""
        self._later(self.keeper.sync_changed())

    async def replan(self, guild_id: int) -> None:
        """A server's own date changed (/release set, /release remove) or what it follows: its events follow."""
        self._later(self.keeper.sync(guild_id))

    def _check_bot(self, interaction: discord.Interaction) -> None:
        if missing := missing_permissions(interaction.app_permissions):
            raise UserFacingError(_(
                "I can't keep events here: I'm missing {permissions}. Grant it in Server Settings → Roles and try again. "
                "Nothing was changed.", permissions=listing([f"**{name}**" for name in missing])
            ))

    @app_commands.command(name="set", description="Keep Discord events for a series' premieres or episodes (Manage Server).")
    @app_commands.describe(series="The series", scope="Premieres only (season and series premieres), or every episode")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def set_(
        self, interaction: discord.Interaction, series: SeriesTitle, scope: Literal["premieres", "episodes"],
    ) -> None:
        """Keep (or re-scope) this server's events for a series; running it again changes nothing."""
        assert interaction.guild_id is not None
        self._check_bot(interaction)
        found = await find_series(self.bot.directory, self.store, series, interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        setting = EventSeries(interaction.guild_id, found.id, scope, interaction.user.id, discord.utils.utcnow())
        await self.store.event_series.set(setting)
        result = await self.keeper.sync(interaction.guild_id)
        which = pgettext("choice", "premieres") if scope == "premieres" else pgettext("choice", "episodes")
        await interaction.followup.send(
            _("Events for **{series}** ({scope}, the next {most} at most) are kept in this server's Events tab. {outcome}",
              series=literal(found.title), scope=which, most=PER_SERIES, outcome=outcome(result)),
            ephemeral=True, allowed_mentions=NO_PINGS,
        )

    @app_commands.command(name="stop", description="Delete a series' Discord events and make no more (Manage Server).")
    @app_commands.describe(series="The series")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def stop(self, interaction: discord.Interaction, series: SeriesTitle) -> None:
        """Stop keeping events for a series here; its events not yet started are deleted."""
        assert interaction.guild_id is not None
        found = await find_series(self.bot.directory, self.store, series, interaction.guild_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        if not await self.store.event_series.stop(interaction.guild_id, found.id):
            raise UserFacingError(_("This server keeps no events for **{series}**. Nothing was changed.",
                                    series=literal(found.title)))
        result = await self.keeper.sync(interaction.guild_id)
        await interaction.followup.send(
            _("No more events for **{series}**. {outcome}", series=literal(found.title), outcome=outcome(result)),
            ephemeral=True, allowed_mentions=NO_PINGS,
        )

    @set_.autocomplete("series")
    @stop.autocomplete("series")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.bot.directory.series(interaction.guild_id)
        return choices(index, index.complete(current[:100]))
