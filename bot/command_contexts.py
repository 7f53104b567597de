"""Where commands may be used: in servers only, in direct messages with the bot as well, or anywhere a
member installed the bot to their own account.

A command that needs a server — its settings, releases, reminders, polls, fandoms and moderators — is
registered server-only (installed with a server, `integration_types: [0]`, `contexts: [0]`,
`dm_permission: false`), so Discord does not offer it elsewhere. The read-only commands are
user-installable (`user_installable`: `integration_types: [0, 1]`, `contexts: [0, 1, 2]`): a member who
adds the bot to their account uses them in DMs, group DMs and servers the bot is not in. Every other
command is installed with a server and used there or in a DM with the bot (the tree's defaults). discord.py
only registers this; the tree also refuses a server-only command that arrives from outside a server of
the bot anyway (a client that had not yet heard of the change, or a forged request), with a reply.

Outside a server of the bot the commands see no server: `home_guild` is None in a DM, a group DM, and a
server where only the member installed the bot (`interaction.guild_id` is set there, but that server's
data — its fandoms, dates, spoiler settings — is not the bot's to read or write).
"""

from __future__ import annotations

from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.i18n import pgettext

T = TypeVar("T")

ANYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=False)
SERVER_INSTALL = app_commands.AppInstallationType(guild=True, user=False)
GUILD_INSTALL = 0  # the keys of authorizing_integration_owners, as discord.py reads them


def server_only(command: T) -> T:
    """Register a top-level command, a group or a GroupCog class for servers only. (discord.py ignores
    this on a subcommand: Discord knows contexts only for top-level commands.)"""
    installs = app_commands.allowed_installs(guilds=True, users=False)
    contexts = app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    return app_commands.guild_only(contexts(installs(command)))  # guild_only last: allowed_contexts clears its flag


def user_installable(command: T) -> T:
    """Register a read-only command for both installs and every context: servers, the DM with the bot,
    and private channels (group DMs, DMs between members) where a member installed it to their account."""
    installs = app_commands.allowed_installs(guilds=True, users=True)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(installs(command))


def home_guild(interaction: discord.Interaction) -> int | None:
    """The server whose data the interaction may use: the one it came from when the bot is installed there
    (the server is among the interaction's authorizing installs), else None — as in a DM."""
    if interaction.guild_id is None or not interaction.is_guild_integration():
        return None
    return interaction.guild_id


def public_reader(interaction: discord.Interaction) -> int | None:
    """Whose progress a reply everyone in the channel sees follows: in a server of the bot nobody's (the
    channel's and server's spoiler settings decide); outside one there are no such settings, so the
    caller's own `/progress`, else the default rule (aired, a week after)."""
    return None if home_guild(interaction) is not None else interaction.user.id


def needs_server(command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu | None) -> bool:
    """Whether the command (or the group it belongs to) is registered server-only."""
    if command is None:
        return False
    top: app_commands.Command[Any, ..., Any] | app_commands.Group | app_commands.ContextMenu = command
    if isinstance(command, app_commands.Command) and command.root_parent is not None:
        top = command.root_parent
    contexts = top.allowed_contexts
    return top.guild_only or (contexts is not None and not contexts.dm_channel and not contexts.private_channel)


def slash(qualified_name: str) -> str:
    """`/fandom follow` as the reader's client names it (`/fandom folgen` in German): each part of the
    name through the catalogs' "command name" context, which the command surface is translated from."""
    return "/" + " ".join(pgettext("command name", part) for part in qualified_name.split())
