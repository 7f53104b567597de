"""The Bot: intents, mentions policy, and a setup_hook that brings the store and cogs up in order."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord.ext import commands

from bot.command_sync import sync_if_changed
from bot.directory import Directory
from bot.errors import FandexTree
from bot.facts_watch import FactsWatch
from bot.gateway import use_advertised_gateway
from bot.rest_log import log_refusals
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.wire import NO_PINGS
from db import Store, find_pack_files

log = logging.getLogger(__name__)

# Loaded in this order; a failure is logged, and then commands are not synced so that a broken cog
# never deletes its commands from Discord.
EXTENSIONS: tuple[str, ...] = ("cogs.lookup", "cogs.countdown", "cogs.polls", "cogs.settings", "cogs.fandoms")


def bot_intents() -> discord.Intents:
    """Guilds only: channels and roles for GUILD_CREATE. No privileged intents, no message content."""
    return discord.Intents(guilds=True)


class FandexBot(commands.Bot):
    def __init__(self, *, store: Store, settings: Settings) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=bot_intents(),
            tree_cls=FandexTree,
            # Nobody is pinged unless a message explicitly allows it (e.g. a configured reminder role).
            allowed_mentions=NO_PINGS,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            max_messages=None,
        )
        self.store = store
        self.settings = settings
        self.directory = Directory(store)
        self.scheduler = Scheduler(store)
        self.facts_watch = FactsWatch(store, self._facts_changed_elsewhere)
        self.pack_changed = False  # set by setup_hook: cogs re-plan what depends on the pack's facts
        self.polls: Any = None  # the polls extension's service, for its buttons to reach
        self.reminder_planner: Any = None  # the countdown extension's planner, for fandom changes to re-plan

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
                await sync_if_changed(self.tree, self.store, self.application_id, self.settings.dev_guild_id)
        if self.settings.custom_api_base:
            await use_advertised_gateway(self.http)
        self.scheduler.start()

    async def close(self) -> None:
        await self.facts_watch.stop()
        await self.scheduler.stop()
        await super().close()

    async def _facts_changed_elsewhere(self) -> None:
        """Another process (`python -m db import|remove`) changed the packs: indexes are rebuilt on
        the next ask, and every cog that plans from facts is told."""
        self.store.facts_changed()
        self.store.fandoms.forget()
        self.dispatch("facts_changed")

    async def on_ready(self) -> None:
        log.info("ready as %s (%s) in %d guilds", self.user, self.application_id, len(self.guilds))

    async def on_disconnect(self) -> None:
        # A dropped socket, op 7, op 9 or a silent (zombie) connection all land here first.
        if not self.is_closed():
            log.warning("lost the gateway connection; reconnecting (resume, or identify afresh)")

    async def on_resumed(self) -> None:
        log.info("gateway session resumed")
