"""Embeds for characters, series and the bot itself. Every fact carries its citation; every text from
a pack is shown literally; every card fits Discord's limits (see bot/embeds.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import discord

from bot.citations import Citations
from bot.embeds import Card
from bot.formatting import describe_date, literal, release_status, season_span, truncate
from db.models import Character, FactStatus, PackInfo, ProductionKind, Series, Source, StoreCounts

_PRODUCTION_LABEL = {
    ProductionKind.SHOWRUNNER: "Showrunner",
    ProductionKind.DIRECTOR: "Directing",
    ProductionKind.FILMING: "Filming",
    ProductionKind.WORKING_TITLE: "Working title",
    ProductionKind.RENEWAL: "Renewal",
    ProductionKind.NOTE: "Note",
}
LINE = 300  # a relationship or production line longer than this is cut, so a field holds several


def character_card(character: Character) -> discord.Embed:
    cite = Citations(character.sources)
    description = []
    if character.status is FactStatus.RUMOURED:
        description.append(f"*Rumoured — not confirmed.* {cite.cite(character.source_id)}")
    if character.description:
        description.append(f"{literal(character.description)} {cite.cite(character.source_id)}")
    if character.name_source_id is not None and character.name_source_id != character.source_id:
        description.append(f"-# Full name {cite.cite(character.name_source_id)}")
    card = Card(character.name).describe(*description)
    if character.actor:
        credits = [f"{literal(character.actor)} {cite.cite(character.source_id)}"]
        credits += [f"also credited as {literal(n.name)} {cite.cite(n.source_id)}" for n in character.names if n.kind == "actor"]
        card.add("Played by", credits, inline=True, sep=" · ")
    known_as = [f"{literal(n.name)} (hero name) {cite.cite(n.source_id)}" for n in character.names if n.kind == "hero"]
    known_as += [f"{literal(n.name)} {cite.cite(n.source_id)}" for n in character.names if n.kind == "alias"]
    card.add("Also known as", known_as, inline=True, sep=" · ")
    card.add("Affiliations", [f"{literal(a.name)} {cite.cite(a.source_id)}" for a in character.affiliations], inline=True, sep=" · ")
    card.add("Appears in", _appearances(character, cite))
    lines = []
    for rel in character.relationships:
        _, other = rel.other(character.id)
        status = f" ({literal(rel.status)})" if rel.status else ""
        head = f"**{literal(other)}** · {rel.kind} · {rel.canon.label}{status} — "
        lines.append(head + literal(truncate(rel.note, max(40, LINE - len(head)))) + f" {cite.cite(rel.source_id)}")
    card.add("Relationships", lines)
    return card.footer(cite.entries(), prefix="Sources: ").build()


def _appearances(character: Character, cite: Citations) -> list[str]:
    by_series: dict[tuple[str, FactStatus], list[tuple[int | None, int]]] = defaultdict(list)
    for a in character.appearances:
        by_series[(a.series_title, a.status)].append((a.season_number, a.source_id))
    lines = []
    for (title, status), seasons in by_series.items():
        numbers = [n for n, _ in seasons if n is not None]
        where = f"{literal(title)} — {season_span(numbers)}" if numbers else literal(title)
        rumour = " (rumoured)" if status is FactStatus.RUMOURED else ""
        sources = "".join(dict.fromkeys(cite.cite(s) for _, s in seasons))
        lines.append(f"{where}{rumour} {sources}")
    return lines


def series_card(series: Series, now: datetime) -> discord.Embed:
    cite = Citations(series.sources)
    kind = "Miniseries" if series.kind == "miniseries" else "Series"
    header = " · ".join(p for p in (kind, literal(series.platform) if series.platform else None) if p)
    description = f"{literal(series.description)} {cite.cite(series.source_id)}" if series.description else ""
    card = Card(series.title).describe(description, header)
    card.add("Also called", [literal(a) for a in series.aliases], sep=" · ")
    season_lines = []
    for season in series.seasons:
        parts = [f"**Season {season.number}**"]
        if season.episodes:
            parts.append(f"{season.episodes} episodes {cite.cite(season.source_id)}")
        release = season.release
        history = ""
        if release is not None and release.current is not None:
            parts.append(f"{release_status(release.current.date, now)} {cite.cite(release.current.source_id)}")
            if len(release.history) > 1:
                steps = " → ".join(f"{describe_date(a.date)} {cite.cite(a.source_id)}" for a in release.history)
                history = f"\n  announced as: {steps}"
        season_lines.append(" · ".join(parts) + history)
    card.add("Seasons", season_lines)
    cast = []
    for entry in series.cast:
        who = literal(entry.character_name) + (f" ({', '.join(literal(h) for h in entry.hero_names)})" if entry.hero_names else "")
        line = f"{literal(entry.actor)} as {who}" if entry.actor else who
        if entry.seasons:
            line += f" — {season_span(list(entry.seasons))}"
        if entry.status is FactStatus.RUMOURED:
            line += " *(rumoured)*"
        cast.append(line)
    card.add("Cast", cast)
    production = []
    for fact in series.production:
        label = _PRODUCTION_LABEL[fact.kind] + (f", season {fact.season_number}" if fact.season_number else "")
        who = f"{literal(fact.person)}: " if fact.person and fact.person not in fact.text else ""
        head = f"**{label}** — {who}"
        production.append(head + literal(truncate(fact.text, max(40, LINE - len(head)))) + f" {cite.cite(fact.source_id)}")
    card.add("Behind the scenes", production)
    return card.footer(cite.entries(), prefix="Sources: ").build()


def about_card(version: str, counts: StoreCounts, packs: list[PackInfo], sources: list[Source]) -> discord.Embed:
    card = Card(f"fandex {version}").describe("Character lookup, premiere countdowns and ship polls for TV fandoms.")
    card.add("In the store", f"{counts.characters} characters · {counts.series} series · {counts.releases} releases")
    card.add(
        "Fact packs",
        [f"{literal(p.title)} (`{p.key}`), imported {discord.utils.format_dt(p.imported_at, 'D')}" for p in packs],
    )
    articles = [s for s in sources if s.from_articles]
    lines = [f"{i}. {literal(truncate(s.citation(), 150))}" for i, s in enumerate(articles, start=1)]
    others = len(sources) - len(articles)
    if others:
        lines.append(f"…plus {others} note{'s' if others != 1 else ''} of common knowledge, marked as such")
    card.add("Data sources", lines)
    return card.build()
