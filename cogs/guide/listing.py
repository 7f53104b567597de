"""What /help lists: every command a member can use in one place, one line each, grouped by feature.

Built from the registered tree, so a command added, renamed or re-described shows up as Discord offers it.
Where a command can be used follows its registration (bot/command_contexts.py): in a server of the bot,
everything; in the DM with the bot, what is registered for DMs; anywhere else (a group DM, a server the
bot is not in), only what a member can install to their own account. A command for moderators is marked
with the permission it needs. Every line is in the reader's language: the command's name as their client
shows it, its description from the catalogs (the command surface's own translation), the permission as
Discord names it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import discord
from discord import app_commands

from bot import limits
from bot.command_contexts import slash
from bot.errors import permission_label
from bot.formatting import truncate
from bot.i18n import N_, _, pgettext

# Feature titles, by the package under cogs/ a command comes from, in the order /help shows them.
FEATURES: dict[str, str] = {
    "lookup": N_("Look-ups"),
    "countdown": N_("Releases and countdowns"),
    "spoilers": N_("Spoilers and your progress"),
    "events": N_("Discord events and calendar"),
    "watchalong": N_("Watch-alongs and ratings"),
    "polls": N_("Polls and ships"),
    "fandoms": N_("Fandoms"),
    "settings": N_("Settings"),
    "guide": N_("Help"),
}
OTHER_FEATURE = N_("More")
CONTINUED = N_("{title} (continued)")
DESCRIPTION_ROOM = (100, 72, 48, 0)  # each line's description is cut shorter until the whole list fits a message


class Place(StrEnum):
    """Where /help is asked: decides which registrations reach there."""

    SERVER = "server"  # a server the bot is installed in
    BOT_DM = "bot_dm"  # the DM with the bot
    ELSEWHERE = "elsewhere"  # a group DM, a DM between members, a server without the bot: the member's own install


@dataclass(frozen=True, slots=True)
class Line:
    feature: str
    name: str  # qualified, without the slash, in English (shown as the reader's client names it)
    description: str  # in English, as registered (shown from the catalogs)
    permission: str | None  # e.g. "Manage Server" for a moderator's command, in the reader's language


Registered = app_commands.Command[Any, ..., Any] | app_commands.Group


def reaches(command: Registered, tree: app_commands.CommandTree[Any], place: Place) -> bool:
    """Whether Discord offers the top-level `command` in `place`, as it is registered."""
    contexts = command.allowed_contexts or tree.allowed_contexts or app_commands.AppCommandContext(guild=True, dm_channel=True)
    installs = command.allowed_installs or tree.allowed_installs or app_commands.AppInstallationType(guild=True)
    if place == Place.SERVER:
        return bool(contexts.guild)
    if place == Place.BOT_DM:
        return bool(contexts.dm_channel) and not command.guild_only
    return bool(installs.user) and bool(contexts.private_channel)


def permission_of(command: Registered) -> str | None:
    """The permission a moderator's command needs: its group's default permissions, or its own check."""
    node: Registered | None = command
    while node is not None:
        for check in getattr(node, "checks", []):
            needed = inspect.getclosurevars(check).nonlocals.get("perms")
            if isinstance(needed, dict) and needed:
                return permission_label(next(iter(needed)))
        if node.default_permissions is not None and node.default_permissions.value:
            return permission_label(next(name for name, on in node.default_permissions if on))
        node = node.parent
    return None


def feature_of(command: Registered) -> str:
    module = getattr(command, "module", None) or ""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "cogs" else ""


def lines(tree: app_commands.CommandTree[Any], place: Place) -> list[Line]:
    """Every command and subcommand reachable in `place`, one line each, features in FEATURES' order."""
    found: list[Line] = []
    for top in tree.get_commands(type=discord.AppCommandType.chat_input):
        if isinstance(top, (app_commands.Command, app_commands.Group)) and reaches(top, tree, place):
            found.extend(_leaves(top, feature_of(top)))
    order = list(FEATURES)
    return sorted(found, key=lambda line: (order.index(line.feature) if line.feature in order else len(order), line.name))


def _leaves(node: Registered, feature: str) -> Iterator[Line]:
    if isinstance(node, app_commands.Group):
        for child in node.commands:
            yield from _leaves(child, feature)
        return
    yield Line(feature, node.qualified_name, node.description, permission_of(node))


def render(line: Line, room: int) -> str:
    """`/name` — description (Permission): the description cut to `room` (0: left out), in the reader's
    language. A translated description ends in the permission's translated name, as the English does."""
    text = f"`{slash(line.name)}`"
    description = pgettext("command description", line.description) if line.description else ""
    if line.permission:
        description = description.replace(f" ({line.permission})", "").replace(f"({line.permission})", "").strip()
    if room and description:
        text += " — " + truncate(description, room)
    if line.permission:
        text += f" *({line.permission})*"
    return text


def sections(found: Iterable[Line], room: int) -> list[tuple[str, str]]:
    """(field name, field value) pairs: one per feature, split where a value would pass Discord's 1,024."""
    fields: list[tuple[str, str]] = []
    by_feature: dict[str, list[str]] = {}
    for line in found:
        by_feature.setdefault(line.feature, []).append(render(line, room))
    for feature, rendered in by_feature.items():
        title = _(FEATURES.get(feature, OTHER_FEATURE))
        value = ""
        for text in rendered:
            if value and len(value) + 1 + len(text) > limits.EMBED_FIELD_VALUE:
                fields.append((title, value))
                title, value = _(CONTINUED, title=_(FEATURES.get(feature, OTHER_FEATURE))), ""
            value = f"{value}\n{text}" if value else text
        if value:
            fields.append((title, value))
    return fields


def fitting_sections(found: list[Line], heading: str, description: str) -> list[tuple[str, str]]:
    """The longest descriptions that keep the whole list within one message (6,000 characters in all,
    25 fields an embed, 10 embeds)."""
    for room in DESCRIPTION_ROOM:
        fields = sections(found, room)
        total = len(heading) + len(description) + sum(len(n) + len(v) for n, v in fields)
        if total <= limits.EMBED_TOTAL and len(fields) <= limits.EMBED_FIELDS * 10:
            return fields
    return fields
