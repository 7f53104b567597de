"""`python -m bot`: read settings, open the store, run the bot until SIGTERM/SIGINT, close cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import discord

from bot.client import FandexBot
from bot.launch.gateway import use_api_base
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from db import PackError, PackErrors, Store
from db.backends.database_url import StoreUnavailable
from db.backends.sqlite import IncompatibleDriver
from db.migrations import MigrationError

log = logging.getLogger("bot")

EXIT_CONFIG = 2


# Gateway close codes that no reconnect can fix: the shard settings must change.
SHARD_REFUSALS = {
    4010: "invalid shard (4010) — SHARD_COUNT must be the same in every process and SHARD_IDS below it",
    4011: "sharding required (4011) — the bot is in too many servers for SHARD_COUNT; "
    "raise it, or leave it unset to use the count Discord recommends",
}
SHUTDOWN_GRACE = 5.0  # seconds for a clean close before the run is cancelled outright
CLOSE_WITHIN = 8.0  # seconds for the bot's own close (timers' grace, the gateway's close handshake) before moving on


async def run(settings: Settings) -> None:
    """Open the store, run the bot until a signal, and close both — bot first — however it stops."""
    if settings.custom_api_base:
        use_api_base(settings.discord_api_base)
    async with Store.open(settings.database_url) as store:
        bot = FandexBot(store=store, settings=settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _request_stop, stop, sig)
        async with bot:
            running = asyncio.create_task(bot.start(settings.discord_token.get_secret_value()))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not running.done():
                await _stop(bot, running)
            if not running.cancelled():
                running.result()  # re-raise what ended the run on its own (e.g. a rejected token)
    log.info("stopped; store closed")


def _request_stop(stop: asyncio.Event, sig: signal.Signals) -> None:
    log.info("%s received; shutting down", sig.name)
    stop.set()


async def _stop(bot: FandexBot, running: asyncio.Task[None]) -> None:
    """Close the bot; if it hangs (e.g. asleep in a reconnect back-off), cancel it after the grace period.
    The close itself is bounded too: a gateway that never answers the close handshake must not keep a
    SIGTERM from ending the process (the store is closed after it either way)."""
    try:
        await asyncio.wait_for(bot.close(), CLOSE_WITHIN)
    except TimeoutError:
        log.warning("closing the bot took more than %.0f s; stopping without waiting for the rest", CLOSE_WITHIN)
    try:
        await asyncio.wait_for(asyncio.shield(running), SHUTDOWN_GRACE)
    except TimeoutError:
        log.warning("the bot did not stop within %.0f s of closing; cancelling it", SHUTDOWN_GRACE)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"fandex: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    configure_logging(settings.log_level, secrets=[settings.discord_token.get_secret_value()])
    try:
        asyncio.run(run(settings))
    except discord.LoginFailure:
        print("fandex: Discord rejected DISCORD_TOKEN (401) — check the token in .env (see .env.example)", file=sys.stderr)
        return EXIT_CONFIG
    except discord.ConnectionClosed as exc:
        if exc.code not in SHARD_REFUSALS:
            raise
        print(f"fandex: Discord closed shard {exc.shard_id}: {SHARD_REFUSALS[exc.code]}", file=sys.stderr)
        return EXIT_CONFIG
    except PackError as exc:
        print(f"fandex: the fact pack {exc.filename} has {len(exc.problems)} problem(s):\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    except PackErrors as exc:
        print("fandex: the fact packs (FACT_PACKS) cannot be loaded; nothing was imported:", file=sys.stderr)
        print("\n".join(exc.render()), file=sys.stderr)
        return EXIT_CONFIG
    except MigrationError as exc:
        print(f"fandex: the store at DATABASE_URL cannot be used: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except IncompatibleDriver as exc:
        print(f"fandex: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except StoreUnavailable as exc:
        print(f"fandex: {exc}", file=sys.stderr)
        return 1
    return 0
