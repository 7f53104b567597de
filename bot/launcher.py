"""`python -m bot`: read settings, open the store, run the bot until SIGTERM/SIGINT, close cleanly."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord

from bot.client import FandexBot
from bot.gateway import use_api_base
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from db import PackError, Store
from db.migrations import MigrationError

log = logging.getLogger("bot")

EXIT_CONFIG = 2


async def run(settings: Settings) -> None:
    """Open the store, run the bot, and close both — in that order — however the bot stops."""
    if settings.custom_api_base:
        use_api_base(settings.discord_api_base)
    async with Store.open(settings.database_path) as store:
        bot = FandexBot(store=store, settings=settings)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, _request_stop, bot, sig)
        async with bot:
            await bot.start(settings.discord_token.get_secret_value())
    log.info("stopped; store closed")


def _request_stop(bot: FandexBot, sig: signal.Signals) -> None:
    log.info("%s received; shutting down", sig.name)
    asyncio.get_running_loop().create_task(bot.close())


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
    except PackError as exc:
        print(f"fandex: FACT_PACK {exc.filename} has {len(exc.problems)} problem(s):\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    except MigrationError as exc:
        print(f"fandex: the store at DATABASE_URL cannot be used: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0
