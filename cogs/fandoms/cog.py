"""/fandom list, /fandom follow and /fandom unfollow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import server_only, slash
from bot.embeds import Card
from bot.errors import UserFacingError
from bot.formatting import discord_timestamp, literal, quote_typed
from bot.i18n import ENGLISH, N_, _, current_locale, ngettext
from bot.i18n.formats import listing
from bot.input.autocomplete import choice, offered
from bot.input.db_errors import worded
from bot.input.options import TextOption
from bot.input.whole_numbers import ACCEPTED
from bot.tvmaze.fandoms import FandomChange, TvmazeFandoms
from bot.tvmaze.records import TvmazeError
from cogs.fandoms.choosing import find_fandom, matching_fandoms
from cogs.fandoms.shows import KnownShows, ShowChoices, show_id_of, summary_card
from db.facts.models import PackInfo

if TYPE_CHECKING:
    from bot.client import FandexBot

T = TypeVar("T")
# A choice of a guild's about one pack, as db/repos/fandoms.py records it: (guild, pack key, moderator, when).
Choice = Callable[[int, str, int, datetime], Awaitable[T]]
FandomRef = app_commands.Transform[str, TextOption(N_("fandom"), 1, 100)]
ShowRef = app_commands.Transform[str, TextOption(N_("show"), 1, 100)]


def size(pack: PackInfo) -> str:
    counts = [
        ngettext("{count} character", "{count} characters", pack.characters),
        ngettext("{count} series", "{count} series", pack.series),
        ngettext("{count} release", "{count} releases", pack.releases),
    ]
    return ", ".join(counts)


@server_only
class FandomCog(commands.GroupCog, group_name="fandom", group_description="The fandoms on this bot, and which this server follows."):
    def __init__(self, bot: FandexBot, tvmaze: TvmazeFandoms | None = None, shows: ShowChoices | None = None) -> None:
        self.bot = bot
        self.store = bot.store
        self.known_shows = KnownShows(self.store)  # /fandom add also offers shows on the bot by their aliases
        self.tvmaze = tvmaze  # None when the TVmaze client is not open (no setup_hook: tests of the cog alone)
        self.shows = shows

    async def cog_unload(self) -> None:
        """Fetches of other sources' names still under way stop with the extension."""
        if self.tvmaze is not None and self.tvmaze.names is not None:
            await self.tvmaze.names.close()

    @app_commands.command(name="list", description="The fandoms this bot knows, marking those this server follows.")
    @app_commands.guild_only()
    async def list_fandoms(self, interaction: discord.Interaction) -> None:
        packs = await self.store.packs.all()
        followed = await self.store.fandoms.followed_keys(interaction.guild_id)
        card = Card(_("Fandoms on this bot"))
        if not packs:
            card.describe(_("This bot has no fandoms yet."))
        else:
            lines = [
                f"{'✅' if p.key in followed else '▫️'} **{literal(p.title)}** (`{p.key}`) — {size(p)}"
                for p in sorted(packs, key=lambda p: (p.key not in followed, p.title.casefold()))
            ]
            following = len([p for p in packs if p.key in followed])
            summary = (
                _("This server follows {following} of {total}.", following=following, total=len(packs))
                if following
                else _("This server follows none of them yet, so lookups find nothing.")
            )
            card.describe(summary, _(
                "-# A moderator (Manage Server) adds or drops one with `{follow}` and `{unfollow}`.",
                follow=slash("fandom follow"), unfollow=slash("fandom unfollow"),
            ))
            card.add(_("Fandoms"), lines)
        await interaction.response.send_message(embed=card.build())

    @app_commands.command(name="follow", description="Follow a fandom: its characters, releases and ships show up here (Manage Server).")
    @app_commands.describe(fandom="A fandom on this bot (see /fandom list)")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def follow(self, interaction: discord.Interaction, fandom: FandomRef) -> None:
        assert interaction.guild_id is not None
        pack = await self._pack(fandom)
        if pack.key in await self.store.fandoms.followed_keys(interaction.guild_id):
            await interaction.response.send_message(
                _("This server already follows **{title}** — nothing changed.", title=literal(pack.title)), ephemeral=True
            )
            return
        await self._choose(interaction, self.store.fandoms.follow, pack.key)
        await interaction.response.send_message(
            _(
                "This server now follows **{title}** ({size}). Its characters, series and releases show up in lookups, "
                "countdowns and polls here, and reminder subscriptions cover its releases.",
                title=literal(pack.title), size=size(pack),
            ),
            ephemeral=True,
        )

    @app_commands.command(name="unfollow", description="Stop following a fandom; polls and votes already made stay (Manage Server).")
    @app_commands.describe(fandom="A fandom this server follows")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def unfollow(self, interaction: discord.Interaction, fandom: FandomRef) -> None:
        assert interaction.guild_id is not None
        pack = await self._pack(fandom)
        if pack.key not in await self.store.fandoms.followed_keys(interaction.guild_id):
            await interaction.response.send_message(
                _("This server doesn't follow **{title}** — nothing changed.", title=literal(pack.title)), ephemeral=True
            )
            return
        await self._choose(interaction, self.store.fandoms.unfollow, pack.key)
        remaining = await self.store.fandoms.followed_keys(interaction.guild_id)
        after = (
            _(
                "It now follows no fandom, so lookups find nothing until a moderator adds one with `{follow}`.",
                follow=slash("fandom follow"),
            )
            if not remaining
            else ngettext("It still follows {count} other fandom.", "It still follows {count} other fandoms.", len(remaining))
        )
        await interaction.response.send_message(
            _(
                "This server no longer follows **{title}**; reminders for its releases are cancelled. "
                "Polls already made keep their results. {after}",
                title=literal(pack.title), after=after,
            ),
            ephemeral=True,
        )

    @app_commands.command(name="add", description="Add a show from TVmaze as a fandom this server follows (Manage Server).")
    @app_commands.describe(show="A show on TVmaze: start typing its name")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def add(self, interaction: discord.Interaction, show: ShowRef) -> None:
        """Import a TVmaze show (series, seasons, episodes, cast, crew) as a fandom, and follow it here."""
        assert interaction.guild_id is not None
        if self.bot.settings.tvmaze_imports != "on" or self.tvmaze is None:
            raise UserFacingError(_("Adding fandoms from TVmaze is turned off on this bot (the `TVMAZE_IMPORTS` setting is `off`)."))
        show_id = show_id_of(show)
        if show_id is None:
            raise UserFacingError(_(
                "“{typed}” is not a TVmaze show. Pick one of the shows offered as you type, or give its TVmaze id ({accepted}).",
                typed=quote_typed(show), accepted=_(ACCEPTED),
            ))
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            change = await self.tvmaze.add(show_id)
        except TvmazeError as exc:
            raise UserFacingError(_("Could not add the show: {error} Nothing was changed.", error=worded(exc))) from None
        dropped = await self._choose(interaction, self.store.fandoms.follow_as_choice, change.pack_key)
        await self.after_import(change)
        card = await summary_card(
            self.store, change, interaction.guild_id, (interaction.channel_id, interaction.user.id), discord.utils.utcnow()
        )
        if dropped:
            titles = {p.key: p.title for p in await self.store.packs.all()}
            card.add(_("No longer followed here"), [
                _(
                    "Adding a show is this server's own choice of fandoms, so it stopped following the bot's default "
                    "ones below. A moderator follows one back with `{follow}`.",
                    follow=slash("fandom follow"),
                ),
                *(f"**{literal(title)}** (`{key}`)" for title, key in sorted((titles.get(k, k), k) for k in dropped)),
            ])
        await interaction.followup.send(embed=card.build(), ephemeral=True)

    @app_commands.command(name="refresh", description="Bring a TVmaze fandom up to date now, at most every 10 minutes (Manage Server).")
    @app_commands.describe(fandom="A TVmaze fandom this server follows")
    @app_commands.guild_only()
    @app_commands.checks.has_permissions(manage_guild=True)
    async def refresh(self, interaction: discord.Interaction, fandom: FandomRef) -> None:
        """Re-read one TVmaze fandom's show now; its dates, episodes and cast follow TVmaze."""
        assert interaction.guild_id is not None
        pack = await self._pack(fandom)
        record = await self.store.tvmaze_shows.by_pack(pack.key)
        if record is None or self.tvmaze is None or pack.key not in await self.store.fandoms.followed_keys(interaction.guild_id):
            raise UserFacingError(_(
                "**{title}** is not a TVmaze fandom this server follows; only those can be refreshed.", title=literal(pack.title)
            ))
        now = discord.utils.utcnow()
        next_allowed = await self.store.tvmaze_shows.take_refresh(pack.key, now)
        if next_allowed is not None:
            raise UserFacingError(_(
                "**{title}** was refreshed less than 10 minutes ago; the next refresh is allowed {at} ({relative}).",
                title=literal(pack.title), at=discord_timestamp(next_allowed, "T"), relative=discord_timestamp(next_allowed, "R"),
            ))
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            change = await self.tvmaze.refresh(pack.key)
        except TvmazeError as exc:
            raise UserFacingError(_(
                "Could not refresh **{title}**: {error} It keeps what it had.", title=literal(pack.title), error=worded(exc)
            )) from None
        await self.after_import(change)
        moved = len(change.report.moved)
        title = literal(pack.title)
        if not change.report.changed:
            said = _("**{title}** is refreshed from TVmaze: nothing changed on TVmaze.", title=title)
        elif moved:
            said = ngettext(
                "**{title}** is refreshed from TVmaze: updated; {count} episode date moved.",
                "**{title}** is refreshed from TVmaze: updated; {count} episode dates moved.", moved, title=title,
            )
        else:
            said = _("**{title}** is refreshed from TVmaze: updated.", title=title)
        await interaction.followup.send(said, ephemeral=True)

    async def after_import(self, change: FandomChange) -> None:
        """Moved episodes are announced (the fandom's guilds re-planned when the import committed: the
        reminders subscribe to the store's facts-changed event)."""
        planner = self.bot.services.reminder_replanning.current
        if planner is None or not change.report.changed:
            return
        await planner.announce_moves(change.pack_key, change.report.moved)

    @add.autocomplete("show")
    async def add_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if self.shows is None or self.bot.settings.tvmaze_imports != "on":
            return []  # nothing to pick: the command would refuse it
        return await self.shows.choices(current, interaction.user.id, interaction.created_at, self.known_shows)

    @refresh.autocomplete("fandom")
    async def refresh_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        synced = {s.pack_key for s in await self.store.tvmaze_shows.all()}
        return [c for c in await self._choices(interaction, current, followed=True) if c.value in synced]

    @follow.autocomplete("fandom")
    async def follow_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._choices(interaction, current, followed=False)

    @unfollow.autocomplete("fandom")
    async def unfollow_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self._choices(interaction, current, followed=True)

    async def _choices(self, interaction: discord.Interaction, current: str, *, followed: bool) -> list[app_commands.Choice[str]]:
        """Titles of the fandoms this server does (or doesn't) follow; the value is the pack id."""
        keys = await self.store.fandoms.followed_keys(interaction.guild_id)
        packs = [p for p in matching_fandoms(await self.store.packs.all(), current[:100]) if (p.key in keys) == followed]
        return offered(choice(p.title, p.key) for p in packs)

    async def _pack(self, typed: str) -> PackInfo:
        packs = await self.store.packs.all()
        pack = find_fandom(packs, typed)
        if pack is None:
            ids = [f"`{p.key}`" for p in packs[:20]]
            # English has always listed them with commas alone; the other languages say "a, b or c".
            known = (", ".join(ids) if current_locale() == ENGLISH else listing(ids, style="or")) or _("none yet")
            raise UserFacingError(_(
                "No fandom on this bot is called “{typed}”. Pick one from the list, or type a fandom id: {known}.",
                typed=quote_typed(typed), known=known,
            ))
        return pack

    async def _choose(self, interaction: discord.Interaction, choice: Choice[T], key: str) -> T:
        """Record one choice of the server's about one fandom and re-plan its reminders in the same transaction."""
        assert interaction.guild_id is not None
        guild_id = interaction.guild_id

        async def change() -> T:
            return await choice(guild_id, key, interaction.user.id, discord.utils.utcnow())

        try:
            planner = self.bot.services.reminder_replanning.current
            if planner is not None:
                outcome, __ = await planner.apply(guild_id, change)
            else:
                outcome = await change()
        finally:
            self.store.fandoms.forget(guild_id)
        watchalongs = self.bot.services.watchalong_replanning.current
        if watchalongs is not None:  # a fandom no longer followed: its episodes' threads are no longer wanted
            await watchalongs.replan(guild_id)
        events = self.bot.services.events_replanning.current
        if events is not None:  # nor its Discord events
            await events.replan(guild_id)
        return outcome
