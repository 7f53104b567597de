"""Sync application commands only when they changed: Discord rate-limits command creation."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands

from db import Store

log = logging.getLogger(__name__)


def command_digest(payload: list[dict[str, Any]], localizations: str = "") -> str:
    canonical = json.dumps(sorted(payload, key=lambda c: (c.get("type", 1), c["name"])), sort_keys=True)
    return hashlib.sha256((canonical + localizations).encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree, store: Store, application_id: int, dev_guild_id: int | None, localizations: str = "",
) -> bool:
    """Sync to the dev guild or globally when the command set differs from the last one synced.

    The hash is kept per application and scope, so a new token or a new DEV_GUILD_ID syncs once.
    `localizations` stands for the translations Discord holds beside the English (a fingerprint of the
    catalogs): a changed translation syncs too, and an unchanged start-up never loads the catalogs.
    """
    guild = discord.Object(id=dev_guild_id) if dev_guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    payload = [command.to_dict(tree) for command in tree.get_commands(guild=guild)]
    digest = command_digest(payload, localizations)
    scope = f"guild {dev_guild_id}" if guild else "global"
    key = f"commands:{application_id}:{scope}"
    if await store.meta.get(key) == digest:
        log.info("application commands unchanged (%d, %s); not syncing", len(payload), scope)
        return False
    synced = await tree.sync(guild=guild)
    await store.meta.set(key, digest)
    log.info("synced %d application commands (%s)", len(synced), scope)
    return True
