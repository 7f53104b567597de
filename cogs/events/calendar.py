"""/calendar — the upcoming releases and episodes as an .ics file (RFC 5545) to import or subscribe to.

Written with the icalendar library: CRLF lines, VERSION 2.0, a PRODID, and per event a UID made of
what the event is (the series and the occasion's key, the same key a Discord event has), never of its
date, so a moved release is the same event in a calendar app. Times are UTC. An .ics has no spoiler
bars, so an episode title past the reader's position is left out. Its fixed words (the calendar's name,
an event's description) are in the language of the member who asked; the file's name stays ASCII.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import _, ngettext
from bot.spoilers.positions import EVERYTHING, Position
from bot.spoilers.stored import progress_from_store
from bot.spoilers.viewer import public_position
from bot.wire.payloads import NO_PINGS, SpecFile
from cogs.events.occasions import Occasion, occasions, upcoming
from db.facts.models import Release

if TYPE_CHECKING:
    from bot.client import FandexBot

PRODID = "-//fandex//calendar 1//EN"
UID_DOMAIN = "fandex.calendar"
MOST = 500  # events in one file: a calendar app reads it in one go


def uid(occasion: Occasion) -> str:
    """What the event is — its series and its key — at a fixed domain; never its date."""
    return f"{occasion.series_id if occasion.series_id is not None else 'own'}-{occasion.key}@{UID_DOMAIN}"


def calendar_file(entries: Iterable[tuple[Occasion, Position]], stamp: datetime) -> bytes:
    """The .ics of `entries` (each with the position its title follows), stamped `stamp`."""
    # Imported here, not at the top: icalendar and its timezone tables (~3 MiB, 90 modules) are
    # needed only when someone asks for a calendar, not in every running bot.
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", _("fandex releases"))
    for occasion, position in entries:
        event = icalendar.Event()
        event.add("uid", uid(occasion))
        event.add("dtstamp", stamp)
        event.add("dtstart", occasion.starts_at)
        event.add("dtend", occasion.ends_at)
        event.add("summary", occasion.title(position))
        if occasion.release.platform:
            event.add("location", occasion.release.platform)
        event.add("description", _("Premiere") if occasion.premiere else _("Episode"))
        cal.add_component(event)
    return cal.to_ical()


def _entries(
    by_series: dict[int | None, list[Release]], positions: dict[int | None, Position], now: datetime,
) -> list[tuple[Occasion, Position]]:
    found: list[Occasion] = []
    for releases in by_series.values():
        found += occasions(releases)
    ahead = upcoming(found, now, limit=MOST)
    return [(o, positions[o.series_id]) for o in ahead]


class CalendarCog(commands.Cog):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store

    @app_commands.command(name="calendar", description="The upcoming releases and episodes as a calendar file (.ics).")
    async def calendar(self, interaction: discord.Interaction) -> None:
        """In a server: what it follows, titles as far as this channel's spoiler setting reaches. In a DM:
        the series you set with /progress, as far as your progress reaches."""
        now = discord.utils.utcnow()
        await interaction.response.defer(ephemeral=interaction.guild_id is None, thinking=True)
        server = interaction.guild_id is not None
        if interaction.guild_id is not None:
            entries = await self._server(interaction.guild_id, interaction.channel_id, now)
        else:
            entries = await self._own(interaction.user.id, now)
        if not entries:
            await interaction.followup.send(
                _("Nothing with an exact date is coming in what this server follows.") if server else
                _("Nothing with an exact date is coming in what you follow with `/progress`. Set your progress in a "
                  "series with `/progress` and its releases come here."),
                allowed_mentions=NO_PINGS,
            )
            return
        data = calendar_file(entries, now)
        if server:
            text = ngettext("📅 {count} upcoming release(s) and episode(s) in what this server follows. Open the file in "
                            "your calendar app; episode titles are left out past the spoiler position.",
                            "📅 {count} upcoming release(s) and episode(s) in what this server follows. Open the file in "
                            "your calendar app; episode titles are left out past the spoiler position.", len(entries))
        else:
            text = ngettext("📅 {count} upcoming release(s) and episode(s) in what you follow with `/progress`. Open the "
                            "file in your calendar app; episode titles are left out past the spoiler position.",
                            "📅 {count} upcoming release(s) and episode(s) in what you follow with `/progress`. Open the "
                            "file in your calendar app; episode titles are left out past the spoiler position.", len(entries))
        await interaction.followup.send(
            text,
            file=SpecFile(fp=io.BytesIO(data), filename="fandex.ics"), allowed_mentions=NO_PINGS,
        )

    async def _server(self, guild_id: int, channel_id: int | None, now: datetime) -> list[tuple[Occasion, Position]]:
        by_series: dict[int | None, list[Release]] = {}
        for release in await self.store.releases.visible(guild_id):
            by_series.setdefault(release.series_id, []).append(release)
        positions: dict[int | None, Position] = {}
        for series_id, releases in by_series.items():
            positions[series_id] = (await public_position(self.store, guild_id, channel_id, series_id, releases, now)
                                    if series_id is not None else EVERYTHING)  # a lone release has no episodes
        return _entries(by_series, positions, now)

    async def _own(self, user_id: int, now: datetime) -> list[tuple[Occasion, Position]]:
        by_series: dict[int | None, list[Release]] = {}
        positions: dict[int | None, Position] = {}
        for stored in await self.store.viewer_progress.of_user(user_id):
            by_series[stored.series_id] = await self.store.releases.for_series(stored.series_id, None)
            positions[stored.series_id] = progress_from_store(stored)
        return _entries(by_series, positions, now)

