"""Embeds for characters, series and the bot itself. Every fact carries its citation; every text from
a pack is shown literally; every card fits Discord's limits (see bot/embeds.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import discord

from bot.citations import Citations, citation_text
from bot.embeds import Card
from bot.formatting import CHANNEL_WATCHED, describe_date, discord_timestamp, held_back_line, literal, release_status, season_span, truncate
from bot.i18n import ENGLISH, N_, _, current_locale, ngettext, pgettext
from bot.i18n.formats import listing, number
from bot.outside_links import character_image
from bot.spoilers.airing import watched_releases
from bot.spoilers.positions import Position
from bot.spoilers.shown import barred_title
from bot.tvmaze.pack import LICENCE as TVMAZE_LICENCE_NAME
from bot.tvmaze.pack import LICENCE_URL as TVMAZE_LICENCE_URL
from bot.wikidata.grafting import LICENCE as WIKIDATA_LICENCE_NAME
from db.facts.dates import PartialDate
from db.facts.models import (
    Appearance,
    Billing,
    CastEntry,
    Character,
    CharacterEvent,
    FactStatus,
    NameKind,
    PackInfo,
    ProductionKind,
    RelationshipKind,
    Release,
    ReleaseKind,
    Season,
    Series,
    Source,
    StoreCounts,
)

_PRODUCTION_LABEL = {
    ProductionKind.SHOWRUNNER: N_("Showrunner"),
    ProductionKind.DIRECTOR: N_("Directing"),
    ProductionKind.FILMING: N_("Filming"),
    ProductionKind.WORKING_TITLE: N_("Working title"),
    ProductionKind.RENEWAL: N_("Renewal"),
    ProductionKind.NOTE: N_("Note"),
}
LINE = 300  # a relationship or production line longer than this is cut, so a field holds several
NOTE = 150  # an appearance's or release's note, cut so a field holds several


def _relationship_kind(kind: RelationshipKind) -> str:
    """The bot's own word for a kind of relationship, in the reader's language."""
    words = {
        RelationshipKind.ROMANCE: pgettext("relationship", "romance"),
        RelationshipKind.FRIENDSHIP: pgettext("relationship", "friendship"),
        RelationshipKind.ALLIANCE: pgettext("relationship", "alliance"),
        RelationshipKind.RIVALRY: pgettext("relationship", "rivalry"),
        RelationshipKind.FAMILY: pgettext("relationship", "family"),
        RelationshipKind.OTHER: pgettext("relationship", "other"),
    }
    return words.get(kind, str(kind))


def _billing(billing: str) -> str:
    """How an appearance is billed (main, recurring, guest), in the reader's language."""
    words: dict[str, str] = {
        Billing.MAIN: pgettext("billing", "main"),
        Billing.RECURRING: pgettext("billing", "recurring"),
        Billing.GUEST: pgettext("billing", "guest"),
    }
    return words.get(billing, str(billing))


def _count(value: int) -> str:
    """A count as English always wrote it (digits only), else grouped for the language ('20.000')."""
    return str(value) if current_locale() == ENGLISH else number(value)


def character_card(character: Character, *, held: int = 0, watched: str = CHANNEL_WATCHED) -> discord.Embed:
    """The card of a character as a sight shows them (cogs/lookup/held_back.py); `held` facts it left
    out are counted in the footer, so a reader knows there is more once they have watched further."""
    cite = Citations(character.sources)
    description = []
    if character.status is FactStatus.RUMOURED:
        description.append(_("*Rumoured — not confirmed.* {source}", source=cite.cite(character.source_id)))
    if character.description:
        description.append(f"{literal(character.description)} {cite.cite(character.source_id)}")
    if character.name_source_id is not None and character.name_source_id != character.source_id:
        description.append(_("-# Full name {source}", source=cite.cite(character.name_source_id)))
    if character.fandom:
        description.append(f"-# {literal(character.fandom)}")
    card = Card(character.name, thumbnail_url=character_image(character)).describe(*description)
    card.add(_("Played by"), _credits(character, cite), inline=True, sep=" · ")
    known_as = [
        f"{literal(n.name)}{f' ({literal(n.label)})' if n.label else ''} {cite.cite(n.source_id)}"
        for n in character.names
        if n.kind != NameKind.ACTOR
    ]
    card.add(_("Also known as"), known_as, inline=True, sep=" · ")
    affiliations = [f"{literal(a.name)} {cite.cite(a.source_id)}" for a in character.affiliations]
    card.add(_("Affiliations"), affiliations, inline=True, sep=" · ")
    card.add(_("Appears in"), _appearances(character, cite))
    card.add(_("Events"), [_event_line(e, cite) for e in character.events])
    lines = []
    for rel in character.relationships:
        __, other = rel.other(character.id)
        status = f" ({literal(rel.status)})" if rel.status else ""
        head = f"**{literal(other)}** · {_relationship_kind(rel.kind)} · {literal(rel.canon_label)}{status} — "
        lines.append(head + literal(truncate(rel.note, max(40, LINE - len(head)))) + f" {cite.cite(rel.source_id)}")
    card.add(_("Relationships"), lines)
    if held:
        card.footer([held_back_line(held, watched)])
    return card.add(_("Sources"), cite.entries()).build()


def _event_line(event: CharacterEvent, cite: Citations) -> str:
    """`S01E09 · text` with its source; the store hands events out oldest first."""
    head = f"{event.since.label} · " if event.since else ""
    return head + literal(truncate(event.text, max(40, LINE - len(head)))) + f" {cite.cite(event.source_id)}"


def _credits(character: Character, cite: Citations) -> list[str]:
    """The actor; where the role was recast, each actor with where they played it: 'A (season 1) · B (season 2)'."""
    recast = [a for a in character.appearances if a.actor]
    credits = []
    if character.actor:
        own = [a for a in character.appearances if not a.actor]
        where = f" ({_places(own, character)})" if recast and own else ""
        credits.append(f"{literal(character.actor)}{where} {cite.cite(character.source_id)}")
    by_actor: dict[str, list[Appearance]] = defaultdict(list)
    for a in recast:
        by_actor[a.actor or ""].append(a)
    for actor, played in by_actor.items():
        sources = "".join(dict.fromkeys(cite.cite(a.actor_source_id or a.source_id) for a in played))
        credits.append(f"{literal(actor)} ({_places(played, character)}) {sources}")
    if character.actor:
        credits += [
            _("also credited as {name} {source}", name=literal(n.name), source=cite.cite(n.source_id))
            for n in character.names if n.kind == "actor"
        ]
    return credits


def _places(appearances: list[Appearance], character: Character) -> str:
    """'season 1' when the character is in one series, else 'Title season 1; Other title'."""
    by_series: dict[str, list[int | None]] = defaultdict(list)
    for a in appearances:
        by_series[a.series_title].append(a.season_number)
    one_series = len({a.series_id for a in character.appearances}) == 1
    parts = []
    for title, numbers in by_series.items():
        span = "" if None in numbers else season_span([n for n in numbers if n is not None])
        parts.append(span if one_series and span else f"{literal(title)} {span}".strip())
    return "; ".join(parts)


def _appearances(character: Character, cite: Citations) -> list[str]:
    by_series: dict[tuple[str, FactStatus, str | None], list[tuple[int | None, int, str | None]]] = defaultdict(list)
    for a in character.appearances:
        by_series[(a.series_title, a.status, a.billing)].append((a.season_number, a.source_id, a.note))
    lines = []
    for (title, status, billing), seasons in by_series.items():
        numbers = [n for n, _source, _note in seasons if n is not None]
        where = f"{literal(title)} — {season_span(numbers)}" if numbers else literal(title)
        where += f" ({_billing(billing)})" if billing else ""
        if status is FactStatus.RUMOURED:
            where = _("{appearance} (rumoured)", appearance=where)
        sources = "".join(dict.fromkeys(cite.cite(s) for _number, s, _note in seasons))
        notes = "; ".join(dict.fromkeys(literal(truncate(n, NOTE)) for _number, _source, n in seasons if n))
        lines.append(f"{where} {sources}" + (f" — {notes}" if notes else ""))
    return lines


def series_card(series: Series, now: datetime, *, position: Position) -> discord.Embed:
    """The series card as a public reply shows it at `position`: a latest or next episode past it keeps its
    code and air time, its title only inside spoiler bars."""
    cite = Citations(series.sources)
    kind = _("Miniseries") if series.kind == "miniseries" else _("Series")
    header = " · ".join(p for p in (kind, literal(series.platform) if series.platform else None) if p)
    description = f"{literal(series.description)} {cite.cite(series.source_id)}" if series.description else ""
    card = Card(series.title).describe(description, header)
    card.add(_("Also called"), [literal(a) for a in series.aliases], sep=" · ")
    season_lines = [_season_line(season, cite, now) for season in series.seasons]
    timed = [(moment, e) for season in series.seasons for e in season.episode_list if (moment := _aired_at(e)) is not None]
    aired = [pair for pair in timed if pair[0] <= now]
    ahead = [pair for pair in timed if pair[0] > now]
    watched = watched_releases((e for season in series.seasons for e in season.episode_list), position)
    if aired:
        latest = max(aired, key=lambda pair: pair[0])[1]
        card.add(_("Latest episode"), _episode_line(latest, cite, hidden=latest.id not in watched))
    if ahead:
        upcoming = min(ahead, key=lambda pair: pair[0])[1]
        card.add(_("Next episode"), _episode_line(upcoming, cite, hidden=upcoming.id not in watched))
    card.add(_("Seasons"), season_lines)
    cast = []
    for entry in series.cast:
        who = literal(entry.character_name) + (f" ({listing([literal(h) for h in entry.known_as])})" if entry.known_as else "")
        actors = _cast_actors(entry)
        line = _("{actors} as {character}", actors=actors, character=who) if actors else who
        if entry.seasons:
            line += f" — {season_span(list(entry.seasons))}"
        if entry.status is FactStatus.RUMOURED:
            line = _("{cast_line} *(rumoured)*", cast_line=line)
        cast.append(line)
    card.add(_("Cast"), cast)
    production = []
    for fact in series.production:
        label = _(_PRODUCTION_LABEL[fact.kind])
        if fact.season_number:
            label = _("{label}, season {number}", label=label, number=fact.season_number)
        who = f"{literal(fact.person)}: " if fact.person and fact.person not in fact.text else ""
        head = f"**{label}** — {who}"
        production.append(head + literal(truncate(fact.text, max(40, LINE - len(head)))) + f" {cite.cite(fact.source_id)}")
    card.add(_("Behind the scenes"), production)
    return card.add(_("Sources"), cite.entries()).build()


def _season_line(season: Season, cite: Citations, now: datetime) -> str:
    """'**Season 2** · 10 episodes · premiere: … · finale: …', with the dates' sources and any history."""
    parts = [_("**Season {number}**", number=season.number)]
    if season.episodes:
        episodes = ngettext("{count} episode", "{count} episodes", season.episodes)
        parts.append(f"{episodes} {cite.cite(season.source_id)}")
    specials = sum(1 for e in season.episode_list if e.kind is ReleaseKind.SPECIAL)
    if specials:  # counted apart, as /episodes counts them
        parts.append(ngettext("{count} special", "{count} specials", specials))
    premiere, finale = season.premiere, season.finale
    history = ""
    if premiere is not None and premiere.current is not None:
        date = premiere.current.date
        status = release_status(date, now) if premiere is season.release else _("premiere {date}", date=_when(date, now))
        parts.append(f"{status} {cite.cite(premiere.current.source_id)}")
        if premiere.current.note:
            parts.append(literal(truncate(premiere.current.note, NOTE)))
        if len(premiere.history) > 1:
            steps = " → ".join(f"{describe_date(a.date)} {cite.cite(a.source_id)}" for a in premiere.history)
            history = "\n  " + _("announced as: {dates}", dates=steps)
    if finale is not None and finale is not season.premiere and finale.current is not None:
        parts.append(_("finale {date}", date=_when(finale.current.date, now)))
    return " · ".join(parts) + history


def _when(date: PartialDate, now: datetime) -> str:
    """A date at its precision, with a live countdown when it is an instant ahead."""
    ahead = f" · {discord_timestamp(date.starts_at, 'R')}" if date.starts_at is not None and date.starts_at > now else ""
    return describe_date(date) + ahead


def _aired_at(release: Release) -> datetime | None:
    return release.current.date.starts_at if release.current is not None else None


def _episode_line(release: Release, cite: Citations, *, hidden: bool) -> str:
    """`**Show S2E05 — “Title”** — <t:…:F> (<t:…:R>)` with its source; `hidden` (past the position):
    `**Show S2E05** — ||“Title”|| — …`, the title only inside spoiler bars."""
    moment = _aired_at(release)
    assert moment is not None
    source = cite.cite(release.current.source_id) if release.current else ""
    stamps = f"{discord_timestamp(moment, 'F')} ({discord_timestamp(moment, 'R')})"
    if hidden and release.episode_title:
        barred = barred_title(release.episode_title, LINE)
        return f"**{literal(truncate(release.title, LINE))}** — {barred} — {stamps} {source}".rstrip()
    return f"**{literal(truncate(release.label, LINE))}** — {stamps} {source}".rstrip()


def _cast_actors(entry: CastEntry) -> str:
    """'A' — or, for a role recast in this series, 'A (season 1), B (seasons 2–3)'."""
    if len(entry.actors) <= 1:
        return literal(entry.actors[0][0]) if entry.actors else literal(entry.actor or "")
    return listing([f"{literal(actor)} ({season_span(list(seasons))})" if seasons else literal(actor) for actor, seasons in entry.actors])


REPORT_PROBLEMS = N_("Report a problem or ask for help: {url}")
TVMAZE_LICENCE = N_("TVmaze ([{licence}](<{url}>)) — show, episode and cast facts.")
WIKIDATA_LICENCE = N_("Wikidata ({licence}, public domain) — series and character aliases.")
PACKS_LICENCE = N_("Fact packs: every fact cites its source (below); each source's text stays its author's.")


def about_licences(*, wikidata: bool) -> list[str]:
    """The licences of the data the bot shows: TVmaze's, Wikidata's when its aliases are on, and the packs'."""
    found = [_(TVMAZE_LICENCE, licence=TVMAZE_LICENCE_NAME, url=TVMAZE_LICENCE_URL)]
    if wikidata:
        found.append(_(WIKIDATA_LICENCE, licence=WIKIDATA_LICENCE_NAME))
    return [*found, _(PACKS_LICENCE)]


def about_card(
    version: str, counts: StoreCounts, followed: list[PackInfo], every: list[PackInfo], sources: list[Source], *, in_server: bool,
    licences: list[str], support_url: str = "",
) -> discord.Embed:
    """This server's fandoms (outside a server: every fandom) and what they hold first, then the
    bot's totals, then the sources."""
    card = Card(f"fandex {version}").describe(_("Character lookup, premiere countdowns and ship polls for TV fandoms."))
    mine = _("This server's fandoms") if in_server else _("Fandoms outside a server")
    if followed:
        card.add(mine, [
            _(
                "**{title}** (`{key}`) — {size}, imported {date}",
                title=literal(p.title), key=p.key, size=_size(p), date=discord.utils.format_dt(p.imported_at, "D"),
            )
            for p in followed
        ])
        card.add(_("Here"), " · ".join((_characters(counts.characters), _series(counts.series), _releases(counts.releases))))
    else:
        card.add(mine, _("None yet — a moderator can add one with `/fandom follow`.") if in_server
                 else _("None — this bot holds no fandom yet."))
    totals = " · ".join((
        ngettext("{number} fandom", "{number} fandoms", len(every), number=_count(len(every))),
        _characters(sum(p.characters for p in every)),
        _series(sum(p.series for p in every)),
        _releases(sum(p.releases for p in every)),
    ))
    card.add(_("On this bot"), _("{totals} — see `/fandom list`", totals=totals))
    card.add(_("Licences"), licences)
    card.add(_("Data sources"), [f"{i}. {citation_text(s)}" for i, s in enumerate(sources, start=1)])
    if support_url:
        card.add(_("Problems?"), _(REPORT_PROBLEMS, url=support_url))
    return card.build()


def _size(pack: PackInfo) -> str:
    return f"{_characters(pack.characters)}, {_series(pack.series)}"


# English always said "characters", "series" and "releases", whatever the count; the other languages take their forms.
def _characters(count: int) -> str:
    return ngettext("{number} characters", "{number} characters", count, number=_count(count))


def _series(count: int) -> str:
    return ngettext("{number} series", "{number} series", count, number=_count(count))


def _releases(count: int) -> str:
    return ngettext("{number} releases", "{number} releases", count, number=_count(count))
