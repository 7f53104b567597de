"""Embeds for characters, series and the bot itself. Every fact carries its citation."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import discord

from bot.citations import Citations
from bot.embeds import COLOUR, FIELD_LIMIT
from bot.formatting import describe_date, join_limited, release_status, season_span, truncate
from db.models import Character, FactStatus, PackInfo, ProductionKind, Series, Source, StoreCounts

_PRODUCTION_LABEL = {
    ProductionKind.SHOWRUNNER: "Showrunner",
    ProductionKind.DIRECTOR: "Directing",
    ProductionKind.FILMING: "Filming",
    ProductionKind.WORKING_TITLE: "Working title",
    ProductionKind.RENEWAL: "Renewal",
    ProductionKind.NOTE: "Note",
}


def character_card(character: Character) -> discord.Embed:
    cite = Citations(character.sources)
    description = []
    if character.status is FactStatus.RUMOURED:
        description.append(f"*Rumoured — not confirmed.* {cite.cite(character.source_id)}")
    if character.description:
        description.append(f"{character.description} {cite.cite(character.source_id)}")
    if character.name_source_id is not None and character.name_source_id != character.source_id:
        description.append(f"-# Full name {cite.cite(character.name_source_id)}")
    embed = discord.Embed(title=character.name, description="\n".join(description) or None, colour=COLOUR)
    if character.actor:
        credits = [f"{character.actor} {cite.cite(character.source_id)}"]
        credits += [f"also credited as {n.name} {cite.cite(n.source_id)}" for n in character.names if n.kind == "actor"]
        embed.add_field(name="Played by", value=truncate(" · ".join(credits), FIELD_LIMIT), inline=True)
    known_as = [f"{n.name} (hero name) {cite.cite(n.source_id)}" for n in character.names if n.kind == "hero"]
    known_as += [f"{n.name} {cite.cite(n.source_id)}" for n in character.names if n.kind == "alias"]
    if known_as:
        embed.add_field(name="Also known as", value=truncate(" · ".join(known_as), FIELD_LIMIT), inline=True)
    if character.affiliations:
        value = " · ".join(f"{a.name} {cite.cite(a.source_id)}" for a in character.affiliations)
        embed.add_field(name="Affiliations", value=truncate(value, FIELD_LIMIT), inline=True)
    if character.appearances:
        embed.add_field(name="Appears in", value=_appearances(character, cite), inline=False)
    if character.relationships:
        lines = []
        for rel in character.relationships:
            _, other = rel.other(character.id)
            status = f" ({rel.status})" if rel.status else ""
            lines.append(
                truncate(f"**{other}** · {rel.kind} · {rel.canon.label}{status} — {rel.note}", 300)
                + f" {cite.cite(rel.source_id)}"
            )
        embed.add_field(name="Relationships", value=join_limited(lines, FIELD_LIMIT), inline=False)
    embed.set_footer(text=cite.footer())
    return embed


def _appearances(character: Character, cite: Citations) -> str:
    by_series: dict[tuple[str, FactStatus], list[tuple[int | None, int]]] = defaultdict(list)
    for a in character.appearances:
        by_series[(a.series_title, a.status)].append((a.season_number, a.source_id))
    lines = []
    for (title, status), seasons in by_series.items():
        numbers = [n for n, _ in seasons if n is not None]
        where = f"{title} — {season_span(numbers)}" if numbers else title
        rumour = " (rumoured)" if status is FactStatus.RUMOURED else ""
        sources = "".join(dict.fromkeys(cite.cite(s) for _, s in seasons))
        lines.append(f"{where}{rumour} {sources}")
    return join_limited(lines, FIELD_LIMIT)


def series_card(series: Series, now: datetime) -> discord.Embed:
    cite = Citations(series.sources)
    kind = "Miniseries" if series.kind == "miniseries" else "Series"
    header = " · ".join(p for p in (kind, series.platform) if p)
    description = f"{series.description} {cite.cite(series.source_id)}\n{header}" if series.description else header
    embed = discord.Embed(title=series.title, description=description, colour=COLOUR)
    if series.aliases:
        embed.add_field(name="Also called", value=truncate(" · ".join(series.aliases), FIELD_LIMIT), inline=False)
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
    if season_lines:
        embed.add_field(name="Seasons", value=join_limited(season_lines, FIELD_LIMIT), inline=False)
    cast = []
    for entry in series.cast:
        who = entry.character_name + (f" ({', '.join(entry.hero_names)})" if entry.hero_names else "")
        line = f"{entry.actor} as {who}" if entry.actor else who
        if entry.seasons:
            line += f" — {season_span(list(entry.seasons))}"
        if entry.status is FactStatus.RUMOURED:
            line += " *(rumoured)*"
        cast.append(line)
    if cast:
        embed.add_field(name="Cast", value=join_limited(cast, FIELD_LIMIT), inline=False)
    production = []
    for fact in series.production:
        label = _PRODUCTION_LABEL[fact.kind] + (f", season {fact.season_number}" if fact.season_number else "")
        who = f"{fact.person}: " if fact.person and fact.person not in fact.text else ""
        production.append(truncate(f"**{label}** — {who}{fact.text}", 300) + f" {cite.cite(fact.source_id)}")
    if production:
        embed.add_field(name="Behind the scenes", value=join_limited(production, FIELD_LIMIT), inline=False)
    embed.set_footer(text=cite.footer())
    return embed


def about_card(version: str, counts: StoreCounts, packs: list[PackInfo], sources: list[Source]) -> discord.Embed:
    embed = discord.Embed(
        title=f"fandex {version}",
        description="Character lookup, premiere countdowns and ship polls for TV fandoms.",
        colour=COLOUR,
    )
    embed.add_field(
        name="In the store",
        value=f"{counts.characters} characters · {counts.series} series · {counts.releases} releases",
        inline=False,
    )
    if packs:
        embed.add_field(
            name="Fact packs",
            value=join_limited(
                [f"{p.title} (`{p.key}`), imported {discord.utils.format_dt(p.imported_at, 'D')}" for p in packs],
                FIELD_LIMIT,
            ),
            inline=False,
        )
    articles = [s for s in sources if s.from_articles]
    lines = [f"{i}. {truncate(s.citation(), 150)}" for i, s in enumerate(articles, start=1)]
    others = len(sources) - len(articles)
    if others:
        lines.append(f"…plus {others} note{'s' if others != 1 else ''} of common knowledge, marked as such")
    if lines:
        embed.add_field(name="Data sources", value=join_limited(lines, FIELD_LIMIT), inline=False)
    return embed
