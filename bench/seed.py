"""Stores and packs for the benchmarks, built through the store's own API (on SQLite with fsync off
while seeding: that is set-up, not what is measured). A store is a SQLite file's path or a DATABASE_URL."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cogs.countdown.wanted_timers import channel_reminders
from db import Store, bundled_pack_path
from db.facts.dates import parse_partial_date
from db.repos.polls import NewPoll, PollOption

SYLLABLES = ("ka", "ri", "ma", "to", "ne", "lu", "sa", "vo", "de", "mi", "ra", "ko", "ze", "ti",
             "na", "be", "lo", "fa", "shi", "gu", "ye", "wo", "pa", "re", "jo", "ni", "ha", "qu")


def synthetic_name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}"


def synthetic_pack(path: Path, characters: int, seed: int = 7) -> list[str]:
    """A valid pack of `characters` characters (names, actors, an alias each); returns their names."""
    rng = random.Random(seed)
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < characters:
        name = synthetic_name(rng)
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    lines = ["format: 1", "pack: {id: synthetic, title: Synthetic}", "sources: {s: {title: Generated}}", "characters:"]
    for i, name in enumerate(names):
        lines.append(f'  c{i}: {{name: "{name}", actor: "{synthetic_name(rng)}", aliases: ["{name.split()[0]} {i}"], source: s}}')
    path.write_text("\n".join(lines) + "\n")
    return names


Where = Path | str  # a SQLite file, or a DATABASE_URL (PostgreSQL)


async def _fast(store: Store) -> None:
    if store.dialect == "sqlite":
        await store.fetch_value("PRAGMA synchronous = OFF")


async def seed_pack_only(database: Where) -> None:
    async with Store.open(database) as store:
        await store.migrate()
        await store.packs.import_file(bundled_pack_path())


async def seed_reminders(
    database: Where,
    channels: Sequence[tuple[int, int]],
    per_guild: int,
    due_soon: int,
    soon_from: datetime,
    soon_for: timedelta,
) -> list[datetime]:
    """One subscription per guild (offset 0) and `per_guild` releases each; `due_soon` of them start
    within `soon_for` from `soon_from`, the rest hours later. Returns the soon instants."""
    rng = random.Random(11)
    soon: list[datetime] = []
    total = len(channels) * per_guild
    soon_slots = set(rng.sample(range(total), due_soon))
    async with Store.open(database) as store:
        await store.migrate()
        await store.packs.import_file(bundled_pack_path())
        await _fast(store)
        now = datetime.now(UTC)
        slot = 0
        for guild_id, channel_id in channels:
            async with store.transaction():  # one commit per guild: PostgreSQL keeps fsync on
                await store.subscriptions.upsert(guild_id, channel_id, None, (0,), 1, now)
                for r in range(per_guild):
                    if slot in soon_slots:
                        moment = (soon_from + timedelta(seconds=rng.uniform(0, soon_for.total_seconds()))).replace(microsecond=0)
                        soon.append(moment)
                    else:
                        moment = (now + timedelta(hours=2, minutes=rng.uniform(0, 600))).replace(microsecond=0)
                    date = parse_partial_date(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
                    await store.release_writer.set_date(guild_id, f"Release {guild_id % 10000}-{r}", date, 1, now, None)
                    slot += 1
                releases = await store.releases.visible(guild_id)
                subs = await store.subscriptions.of_guild(guild_id)
                await store.timers.reconcile(guild_id, ("reminder",), channel_reminders(guild_id, subs, releases, now), now)
    return soon


async def seed_many_reminders(
    database: Where, channels: Sequence[tuple[int, int]], offsets: tuple[int, ...], far_per_guild: int
) -> int:
    """Real reminders in bulk: each guild's channel subscribed with `offsets`, and `far_per_guild`
    releases of its own a month or two ahead, a timer per offset each. One transaction per guild,
    planned as the bot plans them, so a re-plan would keep every one. Returns how many are pending."""
    rng = random.Random(13)
    async with Store.open(database) as store:
        await store.migrate()
        await store.packs.import_file(bundled_pack_path())
        await _fast(store)
        now = datetime.now(UTC)
        for index, (guild_id, channel_id) in enumerate(channels):
            async with store.transaction():
                await store.subscriptions.upsert(guild_id, channel_id, None, offsets, 1, now)
                for r in range(far_per_guild):
                    moment = now + timedelta(days=30 + rng.uniform(0, 30))
                    await _dated_release(store, guild_id, f"Episode {index}-{r}", moment, now)
                await _plan(store, guild_id, now)
        counts = await store.timers.counts()
    return counts.get("pending", 0)


async def seed_soon_releases(database: Where, guilds: Sequence[int], moments: Sequence[datetime]) -> None:
    """One release of its own per guild at its moment, with the guild's reminders planned again: of a
    release that close only the offset-0 reminder is still ahead, so each guild gets one timer due then."""
    async with Store.open(database) as store:
        await _fast(store)
        now = datetime.now(UTC)
        for guild_id, moment in zip(guilds, moments, strict=True):
            async with store.transaction():
                await _dated_release(store, guild_id, "Premiere", moment, now)
                await _plan(store, guild_id, now)


async def _dated_release(store: Store, guild_id: int, title: str, moment: datetime, now: datetime) -> None:
    date = parse_partial_date(moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"))
    await store.release_writer.set_date(guild_id, title, date, 1, now, None)


async def _plan(store: Store, guild_id: int, now: datetime) -> None:
    """The guild's reminder timers as the bot's planner would have them."""
    releases = await store.releases.visible(guild_id)
    subs = await store.subscriptions.of_guild(guild_id)
    await store.timers.reconcile(guild_id, ("reminder",), channel_reminders(guild_id, subs, releases, now), now)


async def seed_polls(database: Path, guild_id: int, channel_id: int, polls: int, votes: int) -> None:
    """`polls` open polls (each with its deadline timer) and `votes` votes spread over them, as a bot
    that had posted them and kept their tallies current would leave them: message ids recorded, every
    tally shown (a start then has nothing to refresh, as after a clean stop)."""
    async with Store.open(database) as store:
        await store.migrate()
        await store.packs.import_file(bundled_pack_path())
        await _fast(store)
        now = datetime.now(UTC)
        ids = []
        for i in range(polls):
            poll = await store.polls.create(
                NewPoll(
                    guild_id,
                    channel_id,
                    1,
                    "custom",
                    f"Seeded question {i}?",
                    [PollOption(0, "Yes"), PollOption(1, "No")],
                    now + timedelta(days=7),
                ),
                "poll_close",
                now,
            )
            ids.append(poll.id)
        rng = random.Random(3)
        for start in range(0, votes, 5000):
            await asyncio.gather(
                *(
                    store.votes.record(rng.choice(ids), 10_000_000 + v, rng.randint(0, 1), now)
                    for v in range(start, min(votes, start + 5000))
                )
            )
        for poll_id in ids:
            await store.polls.set_message(poll_id, 10**17 + poll_id)
            seeded = await store.polls.get(poll_id)
            assert seeded is not None
            await store.polls.mark_shown(poll_id, seeded.tally_version)
