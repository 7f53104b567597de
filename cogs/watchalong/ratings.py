"""/ratings — how this server rated a series' episodes, beside TVmaze's own rating, with a chart."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import server_only
from bot.embeds import Card
from bot.errors import UserFacingError
from bot.formatting import literal
from bot.i18n import N_, _, ngettext
from bot.i18n.formats import listing, number
from bot.input.options import TextOption
from bot.search.finding import choices
from bot.search.series import find_series
from bot.spoilers.airing import watched_releases
from bot.spoilers.shown import barred_title
from bot.spoilers.viewer import public_position, releases_of
from bot.wire.payloads import SpecFile
from cogs.watchalong.rating_chart import AXIS, CHART_BARS, render_ratings
from cogs.watchalong.starter import decimal_words, episode_code
from db.facts.models import Release, ReleaseKind
from db.repos.watchalong.ratings import RatingSummary

if TYPE_CHECKING:
    from bot.client import FandexBot

SeriesTitle = app_commands.Transform[str, TextOption(N_("series title"), 1, 100)]
LINES = 40  # episode lines in the reply; the chart and a season choice cover longer runs
TITLE = 60


def rating_line(release: Release, summary: RatingSummary | None, tvmaze: float | None, *, barred: bool) -> str:
    """`**S02E05** “Title” — ⭐ 4.3 (12) · TVmaze 8.1`; a title past the channel's position only inside bars."""
    title = ""
    if release.episode_title:
        title = f" {barred_title(release.episode_title, TITLE)}" if barred else f" “{literal(release.episode_title[:TITLE])}”"
    ours = f"⭐ {decimal_words(summary.average)} ({number(summary.count)})" if summary else _("⭐ not rated here")
    theirs = f" · TVmaze {decimal_words(tvmaze, half_up=False)}" if tvmaze is not None else ""
    return f"**{episode_code(release)}**{title} — {ours}{theirs}"


class RatingsCog(commands.Cog):
    def __init__(self, bot: FandexBot) -> None:
        self.bot = bot
        self.store = bot.store

    @server_only  # ratings are kept per server
    @app_commands.command(name="ratings", description="How this server rated a series' episodes, beside TVmaze's rating.")
    @app_commands.describe(series="The series", season="One season only (all seasons when left out)")
    async def ratings(
        self, interaction: discord.Interaction, series: SeriesTitle, season: app_commands.Range[int, 0, 9999] | None = None
    ) -> None:
        """Average stars to one decimal and how many rated, per episode, with a PNG chart; public, so a
        title past the channel's position shows only inside spoiler bars (and the chart names codes only)."""
        assert interaction.guild_id is not None  # server-only command
        shown = await find_series(self.bot.directory, self.store, series, interaction.guild_id)
        numbers = [s.number for s in shown.seasons]
        if season is not None and season not in numbers:
            listed = listing([str(n) for n in numbers]) or _("none")
            raise UserFacingError(_("**{series}** has no season {season}; its seasons are {seasons}.",
                                    series=literal(shown.title), season=season, seasons=listed))
        await interaction.response.defer(thinking=True)
        now = discord.utils.utcnow()
        every = releases_of(shown)
        episodes = [
            r for r in every
            if r.kind is ReleaseKind.EPISODE and r.episode is not None and (season is None or r.season_number == season)
        ]
        rated = {s.release_id: s for s in await self.store.episode_ratings.per_episode(interaction.guild_id, shown.id, season)}
        tvmaze = {r.id: r.rating for r in episodes if r.rating is not None}  # TVmaze's own average, kept by sync
        position = await public_position(self.store, interaction.guild_id, interaction.channel_id, shown.id, every, now)
        watched = watched_releases(every, position)
        rows = [r for r in episodes if r.id in rated or r.id in tvmaze]
        what = shown.title if season is None else _("{series}, season {season}", series=shown.title, season=season)
        card = Card(_("Ratings — {what}", what=what)[:256])
        if not rows:
            card.describe(_("No episode of **{what}** has been rated in this server yet: a watch-along "
                            "(`/watchalong set`) opens a thread with stars for every episode as it airs.", what=literal(what)))
            await interaction.followup.send(embed=card.build())
            return
        lines = [rating_line(r, rated.get(r.id), tvmaze.get(r.id), barred=r.id not in watched) for r in rows]
        more = len(lines) - LINES
        earlier = [ngettext("-# … and {count} earlier episodes; pick a `season` to see them.",
                            "-# … and {count} earlier episodes; pick a `season` to see them.", more)] if more > 0 else []
        card.describe(*lines[-LINES:], *earlier)
        ours = [(episode_code(r), rated[r.id].average, rated[r.id].count) for r in rows if r.id in rated]
        if not ours:
            await interaction.followup.send(embed=card.build())
            return
        # The chart is drawn in a thread: its words are put in the reader's language here, before.
        values = [f"{decimal_words(average, half_up=False)}\n({number(count)})" for _code, average, count in ours]
        png = await asyncio.to_thread(render_ratings, _("{what} — this server's ratings", what=what), ours,
                                      axis=_(AXIS), values=values)
        name = f"ratings-{shown.id}.png"
        card.image_url = f"attachment://{name}"
        if len(ours) > CHART_BARS:
            card.footer([ngettext("The chart shows the latest {count} rated episodes.",
                                  "The chart shows the latest {count} rated episodes.", CHART_BARS)])
        await interaction.followup.send(embed=card.build(), file=SpecFile(fp=io.BytesIO(png), filename=name))

    @ratings.autocomplete("series")
    async def series_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await self.bot.directory.series(interaction.guild_id)
        return choices(index, index.complete(current[:100]))
