"""Where commands may be used: in servers only, or in direct messages with the bot as well.

A command that needs a server — its settings, releases, reminders, polls, fandoms and moderators — is
registered server-only (`contexts: [0]`, `dm_permission: false`), so Discord does not offer it in
direct messages. Every other command is registered for servers and direct messages with the bot
(`contexts: [0, 1]`, the tree's default). discord.py only registers this; the tree also refuses a
server-only command that arrives from a direct message anyway (a client that had not yet heard of
the change, or a forged request), with a reply instead of a traceback.
"""

from __future__ import annotations

from typing import Any, TypeVar

from discord import app_commands

T = TypeVar("T")

ANYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)


def server_only(command: T) -> T:
    """Register a top-level command, a group or a GroupCog class for servers only. (discord.py ignores
    this on a subcommand: Discord knows contexts only for top-level commands.)"""
    contexts = app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    return app_commands.guild_only(contexts(command))  # guild_only last: allowed_contexts clears its flag


def needs_server(command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu | None) -> bool:
    """Whether the command (or the group it belongs to) is registered server-only."""
    if command is None:
        return False
    top: app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu = command
    if isinstance(command, app_commands.Command) and command.root_parent is not None:
        top = command.root_parent
    contexts = top.allowed_contexts
    return top.guild_only or (contexts is not None and not contexts.dm_channel and not contexts.private_channel)
