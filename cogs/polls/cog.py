"""/poll ship|pairing|create|results|close and /ship info|leaderboard."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.command_contexts import server_only
from bot.embeds import Card
from bot.errors import UserFacingError
from bot.formatting import discord_timestamp, literal, quote_typed
from bot.i18n.formats import listing, number
from bot.i18n.locales import catalog_code
from bot.i18n.speech import N_, _, ngettext, pgettext, speaking
from bot.input.autocomplete import choice, offered
from bot.input.durations import DURATION_FORMS, DurationError, parse_duration
from bot.input.options import TextOption
from bot.search.finding import CHARACTER_HINT, NotFound, choices, find, not_found
from bot.search.name_forms import fold
from bot.spoilers.sight import marked_series
from bot.wire.payloads import SpecFile
from cogs.polls.ballots.buttons import ShipPollButton
from cogs.polls.cards import leaderboard_card, pair_card, voters_lines
from cogs.polls.chart import render_chart
from cogs.polls.export import ballots_csv
from cogs.polls.options import (
    MAX_OPTIONS,
    PollInputError,
    ballot_picks,
    parse_opening,
    parse_options,
    parse_poll_ref,
    parse_question,
)
from cogs.polls.pair_facts import public_pair_facts
from cogs.polls.pairs import first_choices, seen, ship_by_name, ship_name_hint
from cogs.polls.ranking import rank_ships
from cogs.polls.service import DEFAULT_DURATION, SHIP_OPTIONS, PollService, ship_question
from cogs.polls.tally import option_line, result_sentence, runoff_lines
from db.facts.dates import DEFAULT_ZONE
from db.facts.models import Character, RelationshipKind
from db.repos.polls import VOTERS_HIDDEN, VOTERS_SHOWN, Poll, PollOption

if TYPE_CHECKING:
    from bot.client import FandexBot

CharacterName = app_commands.Transform[str, TextOption(N_("character name"), 1, 100)]
DurationText = app_commands.Transform[str, TextOption(N_("duration"), 1, 20)]
QuestionText = app_commands.Transform[str, TextOption(N_("question"), 1, 300)]
OptionsText = app_commands.Transform[str, TextOption(N_("options"), 3, 2100)]  # 25 options of 80 characters
PollRef = app_commands.Transform[str, TextOption(N_("poll"), 1, 100)]
OpensText = app_commands.Transform[str, TextOption(N_("opening time"), 1, 40)]

MIN_DURATION, MAX_DURATION = timedelta(minutes=1), timedelta(days=30)
DURATION_HELP = "How long it runs: 30m, 2h, 3d, 1w, 1d12h (default 24h)"
HIDE_RESULTS_HELP = "Hide the tally until the poll closes"
RECENT = timedelta(days=7)
FIRST_HELP = "A character — or a ship name (like Jancy), with second left empty"
SECOND_HELP = "Another character (leave empty when first is a ship name)"


def poll_duration(text: str | None) -> timedelta:
    """The `duration` option: default 24 h, from 1 minute to 30 days."""
    if text is None:
        return DEFAULT_DURATION
    try:
        value = parse_duration(text)
    except DurationError as exc:
        raise UserFacingError(str(exc)) from None
    if not MIN_DURATION <= value <= MAX_DURATION:
        raise UserFacingError(_("A poll runs from 1 minute to 30 days (`1m` to `30d`); use {forms}.", forms=_(DURATION_FORMS)))
    return value


def _poll_state(is_open: bool, waiting: bool) -> str:
    """How a poll stands, after its question in autocomplete."""
    if waiting and is_open:
        return _("(not posted yet)")
    return _("(open)") if is_open else _("(closed)")


class PollCommands(commands.Cog):
    def __init__(self, bot: FandexBot, service: PollService) -> None:
        self.bot = bot
        self.store = bot.store
        self.service = service

    poll = server_only(app_commands.Group(name="poll", description="Polls with buttons: ships, pairings, anything."))
    ship = server_only(app_commands.Group(name="ship", description="What the canon says about a pair, and how this server ships them."))

    # --- shared -------------------------------------------------------------------------------

    async def character(self, interaction: discord.Interaction, typed: str) -> Character:
        """The character meant; when several fit as well, a moderator must be precise — a poll about
        the wrong one can't be taken back."""
        index = await seen(self.bot, interaction, "characters")
        try:
            hint = _("{hint} Or pick one from the list.", hint=_(CHARACTER_HINT))
            found = find(index, typed, "character", hint, guild_id=interaction.guild_id)
        except NotFound as missing:  # private: nothing the member has not watched either
            raise missing.again(await seen(self.bot, interaction, "characters", private=True)) from None
        if found.others:
            names = listing([f"**{literal(n)}**" for n in (index.display(found.target), *found.others)])
            raise UserFacingError(
                _("“{typed}” fits several characters: {names}. Pick one from the list.", typed=quote_typed(typed), names=names)
            )
        character = await self.store.characters.get(found.target, interaction.guild_id)
        if character is None:
            raise not_found("character", typed, index, _(CHARACTER_HINT))
        return character

    async def pair(self, interaction: discord.Interaction, first: str, second: str | None) -> tuple[Character, Character]:
        """Two characters, or — with `second` left empty — the pair `first` names as a ship."""
        if second is None:
            ship = await ship_by_name(self.bot, interaction, first)
            a = await self.store.characters.get(ship.first_id, interaction.guild_id)
            b = await self.store.characters.get(ship.second_id, interaction.guild_id)
            if a is None or b is None:
                raise UserFacingError(_("One of this ship's characters is no longer in the fandom's pack."))
            return a, b
        try:
            a = await self.character(interaction, first)
        except UserFacingError:
            hint = await ship_name_hint(self.bot, interaction, first)
            if hint is None:
                raise
            raise UserFacingError(hint) from None
        b = await self.character(interaction, second)
        if a.id == b.id:
            raise UserFacingError(_("Both names point to {name}; a ship needs two different characters.", name=literal(a.name)))
        return a, b

    async def character_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        index = await seen(self.bot, interaction, "characters")
        return choices(index, index.complete(current[:100]))

    async def first_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await first_choices(self.bot, interaction, current)

    async def find_poll(self, interaction: discord.Interaction, typed: str) -> Poll:
        """The poll named by autocomplete (its id) or by typed words of its question — this guild's only."""
        assert interaction.guild_id is not None
        poll_id = parse_poll_ref(typed)
        poll = await self.store.polls.get(poll_id, interaction.guild_id) if poll_id is not None else None
        if poll is None:
            recent = await self.store.polls.recent(interaction.guild_id, discord.utils.utcnow() - RECENT)
            hits = [pid for pid, question, *__ in recent if fold(typed) and fold(typed) in fold(question)]
            poll = await self.store.polls.get(hits[0], interaction.guild_id) if len(hits) == 1 else None
        if poll is None:
            raise UserFacingError(_("No poll in this server matches “{typed}”. Pick one from the list.", typed=quote_typed(typed)))
        return poll

    async def poll_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        recent = await self.store.polls.recent(interaction.guild_id, discord.utils.utcnow() - RECENT)
        wanted = fold(current)
        return offered(
            choice(f"#{poll_id} {question}", str(poll_id), detail=" " + _poll_state(is_open, waiting))
            for poll_id, question, is_open, __, waiting in recent
            if not wanted or wanted in fold(question) or str(poll_id).startswith(wanted.lstrip("#"))
        )

    # --- /poll --------------------------------------------------------------------------------

    @poll.command(name="ship", description="Will these two end up together? Yes / No / It's complicated.")
    @app_commands.describe(
        first=FIRST_HELP,
        second=SECOND_HELP,
        duration=DURATION_HELP,
        hide_results=HIDE_RESULTS_HELP,
    )
    async def poll_ship(
        self,
        interaction: discord.Interaction,
        first: CharacterName,
        second: CharacterName | None = None,
        duration: DurationText | None = None,
        hide_results: bool = False,
    ) -> None:
        """Post a ship poll for the pair, with what the canon says of them."""
        length = poll_duration(duration)
        a, b = await self.pair(interaction, first, second)
        # The question is stored and shown on the poll card, which speaks the server's language (re-rendered
        # by the bot on its own), so it is written in it, not in the member's. The options stay stored in
        # English: the card shows a ship poll's Yes/No in the reader's language (tally.option_labels).
        with speaking(catalog_code(interaction.guild_locale)):
            question = ship_question(a.name, b.name)
        await self.service.start(
            interaction,
            kind="ship",
            question=question,
            options=[PollOption(i, label) for i, label in enumerate(SHIP_OPTIONS)],
            duration=length,
            hide_results=hide_results,
            first_id=a.id,
            second_id=b.id,
        )

    @poll.command(name="pairing", description="Who should this character end up with? One button per love interest.")
    @app_commands.describe(
        character="The character",
        duration=DURATION_HELP,
        hide_results=HIDE_RESULTS_HELP,
    )
    async def poll_pairing(
        self, interaction: discord.Interaction, character: CharacterName, duration: DurationText | None = None, hide_results: bool = False
    ) -> None:
        """Post "Who should A end up with?" with everyone the store links to A romantically."""
        length = poll_duration(duration)
        subject = await self.character(interaction, character)
        partners: dict[int, str] = {}
        # The poll is public: a partner the channel has not reached yet is no option (nor a hint).
        marks = [m for rel in subject.relationships for m in rel.marks]
        sight = await self.bot.sights.public(
            interaction.guild_id, interaction.channel_id, marked_series(marks), discord.utils.utcnow()
        )
        for rel in subject.relationships:
            if rel.kind is RelationshipKind.ROMANCE and sight.sees_all(rel.marks):
                other_id, other_name = rel.other(subject.id)
                partners.setdefault(other_id, other_name)
        if len(partners) < 2:
            if partners:
                refusal = _(
                    "A pairing poll needs at least two love interests, and only {partner} is linked romantically to "
                    "{name} in anything the fandom's pack records. Try `/poll ship` instead.",
                    partner=literal(next(iter(partners.values()))), name=literal(subject.name),
                )
            else:
                refusal = _(
                    "A pairing poll needs at least two love interests, and nobody is linked romantically to "
                    "{name} in anything the fandom's pack records. Try `/poll ship` instead.",
                    name=literal(subject.name),
                )
            raise UserFacingError(refusal)
        options = [PollOption(i, name[:80], cid) for i, (cid, name) in enumerate(list(partners.items())[:10])]
        # Stored and shown on the poll card: in the server's language (see /poll ship).
        with speaking(catalog_code(interaction.guild_locale)):
            question = _("Who should {name} end up with?", name=subject.name)
        await self.service.start(
            interaction,
            kind="pairing",
            question=question,
            options=options,
            duration=length,
            hide_results=hide_results,
            first_id=subject.id,
        )

    @poll.command(name="create", description="A poll on anything: a question and 2–25 options separated by ;")
    @app_commands.describe(
        question="The question (up to 300 characters)",
        options="2 to 25 options separated by ; — e.g. Yes; No; Maybe",
        duration=DURATION_HELP,
        hide_results=HIDE_RESULTS_HELP,
        picks="How many options a voter may choose (default 1)",
        ranked="Voters rank up to 4 options; instant run-off decides",
        role="Only members with this role may vote",
        voters="hidden (default): nobody sees who voted what; shown: voters listed in /poll results after the close",
        opens="Post it later: 2026-05-01 21:00 (this server's zone) or 2026-05-01T21:00+02:00",
    )
    async def poll_create(
        self,
        interaction: discord.Interaction,
        question: QuestionText,
        options: OptionsText,
        duration: DurationText | None = None,
        hide_results: bool = False,
        picks: app_commands.Range[int, 1, MAX_OPTIONS] | None = None,
        ranked: bool = False,
        role: discord.Role | None = None,
        voters: Literal["hidden", "shown"] = "hidden",  # db.repos.polls VOTERS_HIDDEN, VOTERS_SHOWN
        opens: OpensText | None = None,
    ) -> None:
        """Post a poll with your own question and options."""
        length = poll_duration(duration)
        assert interaction.guild_id is not None
        zone = await self.store.guild_settings.timezone(interaction.guild_id) or DEFAULT_ZONE
        try:
            text, labels = parse_question(question), parse_options(options)
            per_ballot = ballot_picks(len(labels), picks, ranked)
            opens_at = parse_opening(opens, zone, discord.utils.utcnow()) if opens is not None else None
        except PollInputError as exc:
            raise UserFacingError(str(exc)) from None
        if voters not in (VOTERS_HIDDEN, VOTERS_SHOWN):
            raise UserFacingError(
                _("`voters` is `{hidden}` or `{shown}`.", hidden=pgettext("choice", VOTERS_HIDDEN), shown=pgettext("choice", VOTERS_SHOWN))
            )
        await self.service.start(
            interaction,
            kind="custom",
            question=text,
            options=[PollOption(i, label) for i, label in enumerate(labels)],
            duration=length,
            hide_results=hide_results,
            picks=per_ballot,
            ranked=ranked,
            role_id=None if role is None or role.is_default() else role.id,
            voters=voters,
            opens_at=opens_at,
        )

    @poll.command(name="results", description="A poll's tally with a bar chart.")
    @app_commands.describe(poll="A poll of this server, open or recently closed")
    async def poll_results(self, interaction: discord.Interaction, poll: PollRef) -> None:
        """The count and share per option, total voters, and a PNG chart."""
        found = await self.find_poll(interaction, poll)
        if found.opens_at is not None and found.open:
            raise UserFacingError(_(
                "Poll #{id} is not posted yet: it opens {when}, and its tally starts then.",
                id=found.id, when=discord_timestamp(found.opens_at, "R"),
            ))
        if found.hide_results and found.open:
            raise UserFacingError(
                _("This poll's results are hidden until it closes {when}.", when=discord_timestamp(found.closes_at, "R"))
            )
        await interaction.response.defer(thinking=True)
        result = await self.service.result(found)
        png = await asyncio.to_thread(render_chart, found.question, result)
        title = _("Poll #{id} — open", id=found.id) if found.open else _("Poll #{id} — closed", id=found.id)
        card = Card(title, image_url=f"attachment://poll-{found.id}.png")
        card.describe(f"**{literal(found.question)}**")
        # English has always said "1 voters": both English forms are the plural, the other languages' are their own.
        voters = ngettext("{voters} voters", "{voters} voters", result.voters, voters=number(result.voters))
        tally_lines = [option_line(o) for o in result.options] + [voters]
        card.add(_("Tally — first choices") if found.ranked else _("Tally"), tally_lines)
        if result.runoff is not None:
            card.add(_("Run-off"), runoff_lines(result, result.runoff))
        if not found.open:
            card.add(_("Result"), result_sentence(result))
        if not found.open and found.voters == VOTERS_SHOWN:  # hidden: who voted what is said nowhere, to nobody
            card.add(_("Voters"), voters_lines(found, await self.store.polls.ballots(found.id)))
        await interaction.followup.send(embed=card.build(), file=SpecFile(fp=io.BytesIO(png), filename=f"poll-{found.id}.png"))

    @poll.command(name="close", description="Close a poll now (its creator, or Manage Messages).")
    @app_commands.describe(poll="An open poll of this server")
    async def poll_close(self, interaction: discord.Interaction, poll: PollRef) -> None:
        """Close early: the final tally replaces the buttons and the result is posted."""
        found = await self.find_poll(interaction, poll)
        if found.creator_id != interaction.user.id and not interaction.permissions.manage_messages:
            raise UserFacingError(_("Only the poll's creator or a member with **Manage Messages** can close it."))
        if not found.open:
            raise UserFacingError(_("That poll has already closed."))
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(await self.service.close(found, interaction.user.id), ephemeral=True)

    @poll.command(name="extend", description="Close a poll later (its creator, or Manage Server).")
    @app_commands.describe(poll="An open poll of this server", duration="How much later: 30m, 2h, 3d, 1w, 1d12h")
    async def poll_extend(self, interaction: discord.Interaction, poll: PollRef, duration: DurationText) -> None:
        """Move the close later by `duration`; the automatic close follows."""
        found = await self.find_poll(interaction, poll)
        if found.creator_id != interaction.user.id and not interaction.permissions.manage_guild:
            raise UserFacingError(_("Only the poll's creator or a member with **Manage Server** can extend it."))
        by = poll_duration(duration)
        if not found.open:
            raise UserFacingError(_("That poll has already closed; a closed poll cannot be extended."))
        if found.closes_at + by - discord.utils.utcnow() > MAX_DURATION:
            latest = discord_timestamp(discord.utils.utcnow() + MAX_DURATION, "F")
            raise UserFacingError(_("A poll closes at most 30 days from now ({latest}); extend it by less.", latest=latest))
        extended = await self.service.extend(found, by)
        if extended is None:
            raise UserFacingError(_("That poll is closing right now and can no longer be extended."))
        closes = extended.closes_at
        await interaction.response.send_message(
            _(
                "Poll #{id} now closes {when} ({relative}).",
                id=found.id, when=discord_timestamp(closes, "F"), relative=discord_timestamp(closes, "R"),
            ),
            ephemeral=True,
        )

    @poll.command(name="export", description="A poll's ballots as a CSV file (its creator, or Manage Server).")
    @app_commands.describe(poll="A poll of this server")
    async def poll_export(self, interaction: discord.Interaction, poll: PollRef) -> None:
        """One row per ballot: ballot, voter (an opaque per-poll code unless voters are shown), choices, changed_at."""
        found = await self.find_poll(interaction, poll)
        if found.creator_id != interaction.user.id and not interaction.permissions.manage_guild:
            raise UserFacingError(_("Only the poll's creator or a member with **Manage Server** can export its ballots."))
        if found.hide_results and found.open:
            closes = discord_timestamp(found.closes_at, "R")
            raise UserFacingError(_("This poll's results are hidden until it closes {when}; export it then.", when=closes))
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = ballots_csv(found, await self.store.polls.ballots(found.id), await self.store.polls.voter_secret())
        await interaction.followup.send(
            _("Poll #{id}: {question}", id=found.id, question=literal(found.question)), ephemeral=True,
            file=SpecFile(fp=io.BytesIO(text.encode()), filename=f"poll-{found.id}-ballots.csv"),
        )

    poll_ship.autocomplete("first")(first_autocomplete)
    poll_ship.autocomplete("second")(character_autocomplete)
    poll_pairing.autocomplete("character")(character_autocomplete)
    poll_results.autocomplete("poll")(poll_autocomplete)
    poll_close.autocomplete("poll")(poll_autocomplete)
    poll_export.autocomplete("poll")(poll_autocomplete)
    poll_extend.autocomplete("poll")(poll_autocomplete)

    # --- /ship --------------------------------------------------------------------------------

    @ship.command(name="info", description="What is known of a pair, in each kind of canon the fandom records, and this server's polls.")
    @app_commands.describe(first=FIRST_HELP, second=SECOND_HELP)
    async def ship_info(self, interaction: discord.Interaction, first: CharacterName, second: CharacterName | None = None) -> None:
        """The pair's relationships by canon, each with its source, its ship names, and this server's poll record."""
        assert interaction.guild_id is not None
        a, b = await self.pair(interaction, first, second)
        # Public: relationship lines and ship names only as far as this channel has watched.
        facts = await public_pair_facts(self.bot, interaction.guild_id, interaction.channel_id, a.id, b.id, discord.utils.utcnow())
        relationships, names = list(facts.relationships), facts.names
        sources = await self.store.sources.by_ids([*(r.source_id for r in relationships), *(n.source_id for n in names)])
        record = await self.record_line(interaction.guild_id, a.id, b.id)
        embed = pair_card(a.name, b.name, relationships, sources, record, names, held=facts.held)
        if relationships:
            await interaction.response.send_message(embed=embed)
            return
        view = discord.ui.View(timeout=None)
        view.add_item(ShipPollButton(a.id, b.id))
        await interaction.response.send_message(embed=embed, view=view)

    async def record_line(self, guild_id: int, a: int, b: int) -> str:
        polls = await self.store.polls.pair_polls(guild_id, a, b)
        if not polls:
            return _("None yet — start one with `/poll ship`.")
        latest = polls[0]
        if latest.hide_results and latest.open:
            outcome = _("results hidden until it closes")
        else:
            outcome = result_sentence(await self.service.result(latest))
        if latest.open:
            return ngettext(
                "{count} poll; latest (#{id}, open until {when}): {outcome}",
                "{count} polls; latest (#{id}, open until {when}): {outcome}",
                len(polls), id=latest.id, when=discord_timestamp(latest.closes_at, "R"), outcome=outcome,
            )
        return ngettext(
            "{count} poll; latest (#{id}, closed {when}): {outcome}",
            "{count} polls; latest (#{id}, closed {when}): {outcome}",
            len(polls), id=latest.id, when=discord_timestamp(latest.closed_at or latest.closes_at, "R"), outcome=outcome,
        )

    @ship.command(name="leaderboard", description="This server's ships, ranked by how many want them together.")
    async def ship_leaderboard(self, interaction: discord.Interaction) -> None:
        """Ships polled with /poll ship, ranked by share of Yes — with small samples kept in their place."""
        assert interaction.guild_id is not None
        ranked = rank_ships(await self.store.polls.pair_records(interaction.guild_id))
        card = Card(_("💞 Ship leaderboard"))
        if not ranked:
            card.describe(_("No ship polls in this server yet. Start one with `/poll ship`."))
            await interaction.response.send_message(embed=card.build())
            return
        # Ships of fandoms this server no longer follows stay in the store, out of sight.
        names = {c.id: c.name for c in await self.store.characters.summaries(interaction.guild_id)}
        ranked = [s for s in ranked if s.record.first_character_id in names and s.record.second_character_id in names]
        if not ranked:
            card.describe(_("No ship polls about this server's fandoms yet. Start one with `/poll ship`."))
            await interaction.response.send_message(embed=card.build())
            return
        await interaction.response.send_message(embed=leaderboard_card(card, ranked, names))

    ship_info.autocomplete("first")(first_autocomplete)
    ship_info.autocomplete("second")(character_autocomplete)
