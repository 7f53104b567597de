"""The Store: the façade that opens a database, SQLite (a file) or PostgreSQL (a server), and builds the
repositories over it.

Each repository is handed the `Database` (db/backends/database.py) and the other repositories it
really needs, by name; none of them knows the Store. A use case that changes several things opens
`store.transaction()` and calls the repositories inside it: their writes join it and commit together
(see the Database). After every import, refresh and removal commits, `store.facts` publishes the one
"facts changed" event. Which backend holds the data is chosen by DATABASE_URL and invisible above db/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from db.backends.database import Database
from db.backends.protocol import Backend, Connection, Plan
from db.backends.sql_text import Params
from db.facts.models import StoreCounts
from db.repos.characters import CharacterRepository
from db.repos.events.made import MadeEventRepository
from db.repos.events.settings import EventSeriesRepository
from db.repos.fandoms import FANDOMS_CHANNEL, FandomRepository
from db.repos.identify_turns import IdentifyTurns
from db.repos.packs.changes import FactsChanges
from db.repos.packs.repository import PackRepository
from db.repos.packs.wikidata import WikidataNameRepository
from db.repos.personal_reminders import PersonalReminderRepository
from db.repos.polls import PollRepository
from db.repos.releases import ReleaseRepository, ReleaseWriter
from db.repos.series import SeriesRepository
from db.repos.settings import GuildSettingsRepository, MetaRepository
from db.repos.ships import ShipRepository
from db.repos.sources import SourceRepository
from db.repos.subscriptions import SubscriptionRepository
from db.repos.timers import TimerRepository
from db.repos.tvmaze_shows import TvmazeShowRepository
from db.repos.viewers.changes import ViewerChanges
from db.repos.viewers.progress import ViewerProgressRepository
from db.repos.viewers.reach import SpoilerReachRepository
from db.repos.viewers.sight import ViewerSightRepository
from db.repos.votes import VoteRepository
from db.repos.watchalong.ratings import EpisodeRatingRepository
from db.repos.watchalong.settings import WatchAlongRepository
from db.repos.watchalong.threads import WatchThreadRepository

T = TypeVar("T")


class Store:
    """The fact store. Open it with `Store.open(url_or_path)`; cogs use its repositories, never SQL."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.facts = FactsChanges()  # the "facts changed" event, and the revision caches compare

        self.meta = MetaRepository(database)
        self.fandoms = FandomRepository(database, self.facts)
        self.sources = SourceRepository(database, self.fandoms)
        self.characters = CharacterRepository(database, self.fandoms)
        self.ships = ShipRepository(database, self.fandoms)
        self.releases = ReleaseRepository(database, self.fandoms)
        self.series = SeriesRepository(database, self.fandoms, self.releases, self.sources)
        self.release_writer = ReleaseWriter(database)
        self.tvmaze_shows = TvmazeShowRepository(database)
        self.wikidata_names = WikidataNameRepository(database)
        self.packs = PackRepository(database, self.facts, self.tvmaze_shows)
        self.guild_settings = GuildSettingsRepository(database)
        self.subscriptions = SubscriptionRepository(database, self.fandoms)
        self.personal_reminders = PersonalReminderRepository(database)
        self.timers = TimerRepository(database)
        self.polls = PollRepository(database)
        self.votes = VoteRepository(database)
        self.identify_turns = IdentifyTurns(database)
        viewers = ViewerChanges()  # writes of progress and settings, for what remembers them (sights)
        self.viewer_progress = ViewerProgressRepository(database, viewers)
        self.spoiler_reach = SpoilerReachRepository(database, viewers)
        self.viewer_sight = ViewerSightRepository(database, viewers)
        self.watchalongs = WatchAlongRepository(database)
        self.watchalong_threads = WatchThreadRepository(database)
        self.episode_ratings = EpisodeRatingRepository(database)
        self.event_series = EventSeriesRepository(database)
        self.made_events = MadeEventRepository(database)

    @classmethod
    @asynccontextmanager
    async def open(cls, where: Path | str, *, busy_timeout_ms: int | None = None) -> AsyncIterator[Store]:
        """Open a DATABASE_URL (or a SQLite file's path) and close cleanly on the way out."""
        async with Database.open(where, busy_timeout_ms=busy_timeout_ms) as database:
            yield cls(database)

    # What the database offers use cases above db/ (transactions, locks, notices), as it offers repositories.

    @property
    def backend(self) -> Backend:
        return self.database.backend

    @property
    def process_id(self) -> str:
        """Who this process is to the others sharing the store (host:pid:random)."""
        return self.database.process_id

    @property
    def dialect(self) -> str:
        return self.database.dialect

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        return self.database.path

    @property
    def shared(self) -> bool:
        """Whether other processes may be using this store right now (PostgreSQL), or none (SQLite)."""
        return self.database.shared

    def describe(self) -> str:
        """Where the store is, for logs: a file, or a server URL without its password."""
        return self.database.describe()

    async def close(self) -> None:
        await self.database.close()

    async def migrate(self) -> int:
        """Apply pending migrations; returns the schema version now in force."""
        return await self.database.migrate()

    async def listen(self, channel: str, listener: Callable[[], None], *, own: bool = False) -> None:
        """Call `listener` when a process notifies `channel`; its own notices only with `own`."""
        await self.database.listen(channel, listener, own=own)

    async def follow_other_processes(self) -> None:
        """Forget what this process remembers when another changes it: a guild's fandoms, for now
        (packs are watched by the bot itself, see bot/scheduling/facts_watch.py)."""
        await self.listen(FANDOMS_CHANNEL, self.fandoms.forget)

    def deployment_lock(self, name: str) -> AbstractAsyncContextManager[None]:
        """Held by one process of the deployment at a time; taken before a transaction, never inside one."""
        return self.database.deployment_lock(name)

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """One write transaction that the repositories called inside it join (see db/backends/database.py)."""
        return self.database.transaction()

    async def run_plan(self, plan: Callable[[], Plan[T]]) -> T:
        return await self.database.run_plan(plan)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Any]:
        return await self.database.fetch_all(sql, params)

    async def fetch_batch(self, queries: Sequence[tuple[str, Params]]) -> list[list[Any]]:
        return await self.database.fetch_batch(queries)

    async def fetch_one(self, sql: str, params: Params = ()) -> Any | None:
        return await self.database.fetch_one(sql, params)

    async def fetch_value(self, sql: str, params: Params = ()) -> Any:
        return await self.database.fetch_value(sql, params)

    async def counts(self, guild_id: int | None = None) -> StoreCounts:
        """How many characters, series, releases and sources this guild can see (its fandoms and its own)."""
        return await self.fandoms.counts(guild_id)
