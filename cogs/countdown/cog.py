"""/countdown, /releases and /remindme — what members use."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import home_guild, public_reader, user_installable
from bot.embeds import Card
from bot.errors import UserFacingError
from bot.formatting import approximate, date_words, describe_date, discord_timestamp, literal, quote_typed, truncate
from bot.i18n import ENGLISH, N_, _, current_locale, ngettext
from bot.i18n.formats import listing
from bot.input.options import TextOption
from bot.spoilers.shown import barred_title
from cogs.countdown.catalog import ReleaseCatalog, is_own
from cogs.countdown.guild_releases import GuildReleases
from cogs.countdown.reminder_planner import ReminderPlanner
from cogs.countdown.timeline import build_timeline, countdown_line, per_series, shown_label, starts_at
from db.facts.dates import PartialDate
from db.facts.models import Release
from db.repos.packs.changes import FactsChange

if TYPE_CHECKING:
    from bot.client import FandexBot

ReleaseTitle = app_commands.Transform[str, TextOption(N_("release title"), 1, 100)]


def _current(release: Release) -> PartialDate:
    """The release's current date (the timeline puts only dated releases where this is asked)."""
    assert release.current is not None
    return release.current.date


def _stamps(release: Release) -> str:
    moment = starts_at(release)
    assert moment is not None
    return f"{discord_timestamp(moment, 'F')} ({discord_timestamp(moment, 'R')})"


def release_label(release: Release, *, barred: bool = False) -> str:
    """A release's name in /releases; `barred` (an episode past the channel's position): its code plain,
    its own title only inside spoiler bars."""
    own = " " + _("*(set in this server)*") if is_own(release) else ""
    if barred and release.episode_title:
        titled = barred_title(release.episode_title, LABEL)
        return f"**{literal(truncate(release.title, LABEL))}** — {titled}{own}"
    return f"**{literal(truncate(release.label, LABEL))}**{own}"


def _more(count: int, which: str) -> str:
    """' (+3 later episodes)' after a series' one episode line; `which`: later, more or earlier."""
    if not count:
        return ""
    if which == "later":
        return " " + ngettext("*(+{count} later episode)*", "*(+{count} later episodes)*", count)
    if which == "earlier":
        return " " + ngettext("*(+{count} earlier episode)*", "*(+{count} earlier episodes)*", count)
    return " " + ngettext("*(+{count} more episode)*", "*(+{count} more episodes)*", count)


def _alternatives(names: list[str]) -> str:
    """'A, B, C' in English as the bot always wrote it; 'A, B oder C' in the other languages."""
    return ", ".join(names) if current_locale() == ENGLISH else listing(names, style="or")


LABEL = 120  # a release's label in a list, cut so a field holds several
EPISODES_HINT = N_("-# One line per series for episodes (its next, or its latest); `/episodes` lists a season's, `/countdown` finds any.")


async def find_release(catalog: ReleaseCatalog, interaction: discord.Interaction, typed: str) -> Release:
    """The release typed, found as the member may find it (never by the title of an episode they have not
    watched); otherwise a refusal with close titles that name no such episode."""
    reader = (interaction.channel_id, interaction.user.id)
    release, close = await catalog.resolve(home_guild(interaction), typed, reader=reader)
    if release is None:
        if close:
            raise UserFacingError(_(
                "No release matches “{typed}”. Did you mean {names}?",
                typed=quote_typed(typed), names=_alternatives([f"**{literal(c)}**" for c in close]),
            ))
        raise UserFacingError(_("No release matches “{typed}”. Pick one from the list as you type.", typed=quote_typed(typed)))
    return release


class CountdownCog(commands.Cog):
    def __init__(self, bot: FandexBot, catalog: ReleaseCatalog, planner: ReminderPlanner) -> None:
        self.bot = bot
        self.store = bot.store
        self.catalog = catalog
        self.planner = planner

    async def cog_load(self) -> None:
        self.store.facts.subscribe(self._facts_changed)
        self._warming = asyncio.create_task(self._warm())

    async def cog_unload(self) -> None:
        self.store.facts.unsubscribe(self._facts_changed)
        self._warming.cancel()

    async def _warm(self) -> None:
        """Index the releases seen outside a server (every fandom; with `DEFAULT_FANDOMS=all` and no fandom
        added from TVmaze, also what most servers see) once connected, so the first keystroke is not the
        one that pays for a long show's episodes."""
        await self.bot.wait_until_ready()
        await self.catalog.view(None)

    async def _facts_changed(self, change: FactsChange) -> None:
        """Packs were imported, refreshed or removed (here or in another process): reminders follow the
        releases as they are now."""
        await self.planner.replan_changed()

    async def barred(
        self, interaction: discord.Interaction, view: GuildReleases, shown: Iterable[Release], now: datetime
    ) -> set[int]:
        """The ids among `shown` of the episodes past the channel's position in their series: a public
        reply names them by code and time, their titles only inside spoiler bars. One position per
        series shown, not per line (the same rule as reminders posted in a channel)."""
        reader = (interaction.channel_id, public_reader(interaction))  # outside a server: the caller's progress
        return await self.catalog.unwatched(home_guild(interaction), reader, list(shown), now, view=view)

    async def release_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await self.catalog.choices(home_guild(interaction), current, reader=(interaction.channel_id, interaction.user.id))

    @user_installable
    @app_commands.command(name="countdown", description="How long until (or since) a release or episode, live in your own time zone.")
    @app_commands.describe(release="A release or episode (\"show s2e5\"); leave empty for the next one coming up")
    async def countdown(self, interaction: discord.Interaction, release: ReleaseTitle | None = None) -> None:
        """Time to or since a release or episode; without one, the next thing airing in this server's fandoms."""
        now = discord.utils.utcnow()
        view = await self.catalog.view(home_guild(interaction))
        if release is not None:
            found = await find_release(self.catalog, interaction, release)
            barred = await self.barred(interaction, view, [found], now)
            await interaction.response.send_message(countdown_line(found, now, view.role(found), barred=found.id in barred))
            return
        upcoming = view.next_up(now)
        if upcoming is not None:
            barred = await self.barred(interaction, view, [upcoming], now)
            await interaction.response.send_message(countdown_line(upcoming, now, view.role(upcoming), barred=upcoming.id in barred))
            return
        latest = view.latest(now)
        barred = await self.barred(interaction, view, [latest] if latest else [], now)
        recent = (
            "\n" + _("The most recent: {line}", line=countdown_line(latest, now, view.role(latest), barred=latest.id in barred))
            if latest else ""
        )
        await interaction.response.send_message(_("Nothing is scheduled with an exact date right now.") + recent)

    countdown.autocomplete("release")(release_autocomplete)

    @user_installable
    @app_commands.command(name="releases", description="Upcoming releases first, then recent ones; approximate dates apart.")
    async def releases(self, interaction: discord.Interaction) -> None:
        """Every release this server can see, in time order, at the precision that is known; a series'
        episodes as one line (its next one, or its latest), with how to see the rest."""
        now = discord.utils.utcnow()
        view = await self.catalog.view(home_guild(interaction))
        timeline = build_timeline(view.releases, now)
        card = Card(_("Releases"))
        upcoming = per_series(timeline.upcoming)
        approximate_rows, recent, undated = per_series(timeline.approximate), per_series(timeline.recent), per_series(timeline.undated)
        barred = await self.barred(interaction, view, (r for rows in (upcoming, approximate_rows, recent, undated) for r, __ in rows), now)

        def label(release: Release) -> str:
            return release_label(release, barred=release.id in barred)

        folded = any(r.is_episode for r in timeline.upcoming + timeline.recent + timeline.approximate + timeline.undated)
        card.describe(
            "" if upcoming else _("Nothing is scheduled with an exact date right now."),
            _(EPISODES_HINT) if folded else "",
        )
        card.add(_("Coming up"), [f"{label(r)} — {_stamps(r)}{_more(n, 'later')}" for r, n in upcoming])
        card.add(
            _("Approximate dates"),
            [f"{label(r)} — {approximate(_current(r))}{_more(n, 'more')}" for r, n in approximate_rows],
        )
        card.add(
            _("Recently released"),
            [f"{label(r)} — {describe_date(_current(r))} ({discord_timestamp(_current(r).starts_at or now, 'R')})"
             f"{_more(n, 'earlier')}" for r, n in recent],
        )
        card.add(_("No date yet"), [f"{label(r)}{_more(n, 'more')}" for r, n in undated])
        await interaction.response.send_message(embed=card.build())

    @app_commands.command(name="remindme", description="Get a direct message when a release starts.")
    @app_commands.describe(release="The release to be reminded of")
    async def remindme(self, interaction: discord.Interaction, release: ReleaseTitle) -> None:
        """A DM to you when the release starts (it needs an exact date still ahead)."""
        found = await find_release(self.catalog, interaction, release)
        now = discord.utils.utcnow()
        moment = starts_at(found)
        unwatched = await self.catalog.unwatched(home_guild(interaction), (interaction.channel_id, interaction.user.id), [found], now)
        title = shown_label(found, barred=found.id in unwatched)  # only they see it: at their own position
        if moment is None:
            current = found.current
            if current and current.date.value:
                raise UserFacingError(_(
                    "{title} is only known as {date}, so there is no moment to remind you of. Try again once it has an exact date.",
                    title=title, date=date_words(current.date),
                ))
            raise UserFacingError(_(
                "{title} is not dated yet, so there is no moment to remind you of. Try again once it has an exact date.", title=title
            ))
        if moment <= now:
            if found.is_episode:
                raise UserFacingError(_("{title} already aired {when}.", title=title, when=discord_timestamp(moment, "R")))
            raise UserFacingError(_("{title} already premiered {when}.", title=title, when=discord_timestamp(moment, "R")))
        (__, created), ___ = await self.planner.apply(
            home_guild(interaction), partial(self.store.personal_reminders.add, home_guild(interaction), interaction.user.id, found.id, now)
        )
        if not created:
            await interaction.response.send_message(
                _("You're already set: I'll DM you when {title} starts, {when}.", title=title, when=discord_timestamp(moment, "R")),
                ephemeral=True,
            )
            return
        keep_open = " " + _("Keep direct messages from this server's members open so I can reach you.") if home_guild(interaction) else ""
        await interaction.response.send_message(
            _(
                "I'll DM you when {title} starts: {date} ({when}).",
                title=title, date=discord_timestamp(moment, "F"), when=discord_timestamp(moment, "R"),
            ) + keep_open,
            ephemeral=True,
        )

    remindme.autocomplete("release")(release_autocomplete)
