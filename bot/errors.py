"""The one error path for application commands and components.

Parsers and checks raise typed errors; this tree turns them into a short ephemeral reply. Anything
unexpected is logged with its traceback, command and guild, and the user gets a generic apology.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.command_contexts import home_guild, needs_server
from bot.i18n import N_, _, ngettext, speaking_to
from bot.i18n.formats import listing
from db.facts.quoting import inline_code

log = logging.getLogger(__name__)

UNKNOWN_INTERACTION = 10062
GENERIC_APOLOGY = N_("Sorry — something went wrong on our side. It has been logged; please try again later.")


class UserFacingError(app_commands.AppCommandError):
    """An error whose message is safe to show and says what is wrong and what is accepted."""


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Answer privately, whether or not the interaction was already acknowledged."""
    if interaction.type is discord.InteractionType.autocomplete:
        if not interaction.response.is_done():
            await interaction.response.autocomplete([])
        return
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


# Discord's own labels of the permissions the bot asks for, as its client shows them (in the reader's language).
PERMISSION_LABELS: dict[str, str] = {
    "manage_guild": N_("Manage Server"),
    "manage_events": N_("Manage Events"),
    "create_events": N_("Create Events"),
    "manage_messages": N_("Manage Messages"),
    "manage_threads": N_("Manage Threads"),
    "manage_roles": N_("Manage Roles"),
    "mention_everyone": N_("Mention @everyone, @here, and All Roles"),
    "view_channel": N_("View Channel"),  # as a channel's permissions name it: the bot asks per channel
    "send_messages": N_("Send Messages"),
    "send_messages_in_threads": N_("Send Messages in Threads"),
    "create_public_threads": N_("Create Public Threads"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
    "read_message_history": N_("Read Message History"),
}


def permission_label(permission: str) -> str:
    """'manage_guild' → 'Manage Server' ('Server verwalten' in German): the name Discord's client shows."""
    label = PERMISSION_LABELS.get(permission)
    return _(label) if label is not None else permission.replace("_", " ").replace("guild", "server").title()


def permission_names(permissions: list[str]) -> str:
    return listing([permission_label(p) for p in permissions])


def describe_check_failure(error: app_commands.AppCommandError) -> str | None:
    """Wording for the library's own check failures, or None if the error is not one of them."""
    if isinstance(error, app_commands.MissingPermissions):
        needed = permission_names(error.missing_permissions)
        return ngettext(
            "You need the **{needed}** permission to do that.", "You need the **{needed}** permissions to do that.",
            len(error.missing_permissions), needed=needed,
        )
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = permission_names(error.missing_permissions)
        return ngettext(
            "I need the **{needed}** permission in this channel to do that.",
            "I need the **{needed}** permissions in this channel to do that.",
            len(error.missing_permissions), needed=needed,
        )
    if isinstance(error, app_commands.NoPrivateMessage):
        return _("That command works only in a server: use it in a channel of a server this bot is in.")
    if isinstance(error, app_commands.CommandOnCooldown):
        return _("Slow down — try again in {seconds} s.", seconds=round(error.retry_after))
    if isinstance(error, app_commands.TransformerError):
        return _("{value} is not a valid value for that option.", value=inline_code(str(error.value)[:80]))
    if isinstance(error, app_commands.CheckFailure):
        return _("You can't use that command here.")
    return None


async def handle_error(interaction: discord.Interaction, error: Exception) -> None:
    """The one error path: a typed error becomes its message, anything else a logged apology."""
    speaking_to(interaction.locale)  # a button's error too answers in the presser's language
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
        # Discord's 3 seconds ran out (e.g. its own 5xx ate them): nothing can reach the user now.
        log.warning("interaction %s (guild %s) expired before it could be answered", interaction.id, interaction.guild_id)
        return
    if isinstance(original, UserFacingError):
        message = str(original)
    elif isinstance(error, app_commands.AppCommandError) and (described := describe_check_failure(error)) is not None:
        message = described
    else:
        if interaction.command is not None:
            what = f"command /{interaction.command.qualified_name}"
        else:
            data: dict[str, object] = dict(interaction.data or {})
            what = f"component {data.get('custom_id', '?')}"
        log.error("%s failed (guild %s, channel %s)", what, interaction.guild_id, interaction.channel_id, exc_info=original)
        message = _(GENERIC_APOLOGY)
    try:
        await reply_ephemeral(interaction, message)
    except discord.HTTPException as exc:
        log.warning("could not tell the user about an error (interaction %s): %s", interaction.id, exc)


class FandexTree(app_commands.CommandTree):
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Every reply to the command speaks the member's language (set here, in the task that runs it). A
        server-only command that arrives from outside a server of the bot anyway (a DM, a group DM, a server
        where only the member installed it) is refused here, before it runs."""
        speaking_to(interaction.locale)
        if home_guild(interaction) is None and needs_server(interaction.command):
            raise app_commands.NoPrivateMessage()
        return True

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await handle_error(interaction, error)
