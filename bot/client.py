"""The Bot: intents, mentions policy, shards, and a setup_hook that brings the store and cogs up in order."""

from __future__ import annotations

import logging

import aiohttp
import discord
from discord.ext import commands

from bot.command_contexts import ANYWHERE, SERVER_INSTALL
from bot.errors import FandexTree
from bot.i18n.commands import CatalogTranslator, catalogs_fingerprint
from bot.launch.gateway import BotGateway, ask_bot_gateway, use_gateway
from bot.launch.identify import SAFETY_MARGIN, IdentifyBuckets
from bot.launch.shards import format_shard_ids
from bot.scheduling.facts_watch import FactsWatch
from bot.scheduling.scheduler import Scheduler
from bot.search.directory import Directory
from bot.services import ServiceMissing, Services
from bot.settings import Settings
from bot.spoilers.sights import Sights
from bot.tvmaze.client import TvmazeClient
from bot.wikidata.client import WikidataClient
from bot.wire.command_sync import sync_if_changed
from bot.wire.payloads import NO_PINGS
from bot.wire.rest_log import log_refusals
from db import Store, find_pack_files

log = logging.getLogger(__name__)

# Loaded in this order; a failure is logged, and then commands are not synced so that a broken cog
# never deletes its commands from Discord.
EXTENSIONS: tuple[str, ...] = (
    "cogs.lookup", "cogs.countdown", "cogs.polls", "cogs.settings", "cogs.fandoms", "cogs.spoilers", "cogs.watchalong",
    "cogs.events", "cogs.guide",
)


def bot_intents() -> discord.Intents:
    """Guilds only: channels and roles for GUILD_CREATE. No privileged intents, no message content."""
    return discord.Intents(guilds=True)


class FandexBot(commands.AutoShardedBot):
    """One process of the bot: the shards in SHARD_IDS (default: every shard of SHARD_COUNT, or of the
    count Discord recommends), each its own gateway connection."""

    def __init__(self, *, store: Store, settings: Settings) -> None:
        super().__init__(
            shard_count=settings.shard_count,
            shard_ids=settings.shard_id_list,  # type: ignore[arg-type]  # None (every shard) is discord.py's default
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            tree_cls=FandexTree,
            allowed_contexts=ANYWHERE,  # the default; a command that needs a server says so (bot/command_contexts.py)
            allowed_installs=SERVER_INSTALL,  # likewise; the read-only commands say they are user-installable
            # Nobody is pinged unless a message explicitly allows it (e.g. a configured reminder role).
            allowed_mentions=NO_PINGS,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
        )
        self.store = store
        self.settings = settings
        self.directory = Directory(store)
        self.sights = Sights(store)  # how far each reply may go in each series: positions, read once per reply
        self.scheduler = Scheduler(store)
        self.facts_watch = FactsWatch(store)
        self.identify_buckets = IdentifyBuckets(store, window=settings.identify_window + SAFETY_MARGIN)
        self.pack_changed = False  # set by setup_hook: cogs re-plan what depends on the pack's facts
        self.services = Services()  # what one feature offers another, filled by each extension's setup
        self.tvmaze: TvmazeClient | None = None  # opened in setup_hook, closed in close()
        self.wikidata: WikidataClient | None = None  # likewise; None too when WIKIDATA_ALIASES=off
        self._tvmaze_session: aiohttp.ClientSession | None = None

    async def setup_hook(self) -> None:
        log_refusals(self.http)
        version = await self.store.migrate()
        log.info("store %s at schema version %d", self.store.describe(), version)
        self.store.fandoms.default = self.settings.fandom_defaults
        await self.store.follow_other_processes()
        # Once per deployment: the first process imports what changed; the others, waiting here, find
        # it unchanged (and neither re-plan nor sync again below).
        async with self.store.deployment_lock("start-up"):
            reports = await self.store.packs.import_files(find_pack_files(self.settings.pack_paths))
            self.pack_changed = any(r.changed for r in reports)
            for report in reports:
                log.info("fact pack: %s", report.summary())
            generation = await self.store.packs.generation()
        await self.facts_watch.start(generation)
        self._tvmaze_session = aiohttp.ClientSession()
        self.tvmaze = TvmazeClient(self._tvmaze_session, base_url=self.settings.tvmaze_api_base)
        if self.settings.wikidata_aliases == "on":  # the same session: one pool for the outside services
            self.wikidata = WikidataClient(self._tvmaze_session, base_url=self.settings.wikidata_api_base)
        translator = CatalogTranslator()  # names and descriptions in de, fr, es-ES, pt-BR
        await self.tree.set_translator(translator)
        failed = []
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except commands.ExtensionError:
                log.exception("failed to load extension %s", extension)
                failed.append(extension)
        if failed:
            log.error("not syncing application commands: %s failed to load", ", ".join(failed))
        else:
            assert self.application_id is not None  # set by login() before setup_hook
            async with self.store.deployment_lock("command-sync"):
                await sync_if_changed(
                    self.tree, self.store, self.application_id, self.settings.dev_guild_id, localizations=catalogs_fingerprint(),
                )
            translator.forget()  # a sync read every catalog; replies load the languages they speak
        self._plan_shards(await ask_bot_gateway(self.http))
        self.scheduler.start()

    def _plan_shards(self, gateway: BotGateway) -> None:
        """Settle the shard count before connecting (so discord.py does not ask again), and log what
        this process runs."""
        if self.settings.custom_api_base:
            use_gateway(gateway.url)
        if self.settings.shard_count is None:
            self.shard_count = gateway.recommended_shards
        self.identify_buckets.max_concurrency = gateway.max_concurrency
        ids = self.shard_ids if self.shard_ids is not None else range(self.shard_count)
        which = "SHARD_IDS" if self.shard_ids is not None else "every shard"
        log.info(
            "running shard%s %s of %d (%s; Discord recommends %d); IDENTIFY max_concurrency %d, %d of %d session starts left",
            "" if len(ids) == 1 else "s", format_shard_ids(ids), self.shard_count, which,
            gateway.recommended_shards, gateway.max_concurrency, gateway.session_starts_remaining, gateway.session_starts_total,
        )
        if gateway.session_starts_remaining < len(ids):
            log.warning(
                "only %d session starts left for %d shards; Discord resets the count in %.1f h",
                gateway.session_starts_remaining, len(ids), gateway.resets_after_ms / 3_600_000,
            )

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """One IDENTIFY per max_concurrency bucket per 5 s across every process, instead of discord.py's
        5 s before each within this one."""
        waited = await self.identify_buckets.wait(shard_id or 0)
        if waited >= 0.1:
            log.info("shard %s waited %.1f s for its IDENTIFY bucket", shard_id, waited)

    async def close(self) -> None:
        await self.facts_watch.stop()
        await self.scheduler.stop()
        await super().close()
        if self._tvmaze_session is not None:
            await self._tvmaze_session.close()

    async def on_ready(self) -> None:
        log.info(
            "ready as %s (%s) in %d guilds on shards %s of %s",
            self.user, self.application_id, len(self.guilds), format_shard_ids(self.shards), self.shard_count,
        )

    async def on_shard_ready(self, shard_id: int) -> None:
        guilds = sum(1 for g in self.guilds if g.shard_id == shard_id)
        log.info("shard %d ready with %d guilds", shard_id, guilds)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        # A dropped socket, op 7, op 9 or a silent (zombie) connection all land here first.
        if not self.is_closed():
            log.warning("shard %d lost the gateway connection; reconnecting (resume, or identify afresh)", shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        log.info("shard %d: gateway session resumed", shard_id)


def services_of(client: discord.Client) -> Services:
    """The services of the bot an interaction arrived through (a DynamicItem gets only the interaction)."""
    if not isinstance(client, FandexBot):
        raise ServiceMissing(f"{type(client).__name__} is not a FandexBot: it holds no services")
    return client.services
