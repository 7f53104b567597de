"""The floor: a minimal discord.py bot — `/ping` answers "pong", `/button` posts a button that acknowledges.

`/select` posts a string select of the same four options on the same poll-shaped message: choosing
acknowledges, as a select poll's ballot is acknowledged — the floor of the select-poll row.

`/shaped` posts the same acknowledging buttons on a message shaped like a fandex poll (an embed with a
tally and a deadline, four buttons): discord.py parses the whole message and rebuilds its view on every
press, so this floor tells the message's cost apart from fandex's own.

It connects to the same local double the same way fandex does (REST base from DISCORD_API_BASE, the
gateway from GET /gateway/bot), so the difference between the two is fandex's own work.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route


class AckButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"ack:(?P<n>[0-9]+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label="Press", custom_id=f"ack:{n}"))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /) -> AckButton:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


class AckSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"acks:(?P<n>[0-9]+)"):
    def __init__(self, n: int, labels: tuple[str, ...] = ()) -> None:
        options = [discord.SelectOption(label=label, value=str(i)) for i, label in enumerate(labels)]
        super().__init__(discord.ui.Select(custom_id=f"acks:{n}", min_values=1, max_values=2, options=options))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /) -> AckSelect:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


def poll_shaped_embed(labels: tuple[str, ...]) -> discord.Embed:
    closes = discord.utils.format_dt(discord.utils.utcnow(), "F")
    embed = discord.Embed(title="📊 Poll", description="**Bench?**", colour=0xB11313)
    embed.add_field(name="Votes", value="\n".join(f"{label} — 0 votes (0%)" for label in labels) + "\n0 voters", inline=False)
    embed.add_field(name="Closes", value=f"{closes} ({closes})", inline=False)
    embed.set_footer(text="Poll #1 · one vote per member; press another option to change yours")
    return embed


class FloorBot(discord.Client):
    def __init__(self) -> None:
        super().__init__(intents=discord.Intents(guilds=True))
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(AckButton, AckSelect)
        await self.tree.sync()
        _, url, _ = await self.http.get_bot_gateway()
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)


async def main() -> None:
    Route.BASE = os.environ["DISCORD_API_BASE"]
    bot = FloorBot()

    @bot.tree.command(name="ping", description="pong")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong")

    @bot.tree.command(name="button", description="A button that acknowledges")
    async def button(interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        view.add_item(AckButton(1))
        await interaction.response.send_message("press", view=view)

    @bot.tree.command(name="shaped", description="Four acknowledging buttons on a poll-shaped message")
    async def shaped(interaction: discord.Interaction) -> None:
        view = discord.ui.View(timeout=None)
        labels = ("A", "B", "C", "D")
        for n, label in enumerate(labels, start=1):
            item = AckButton(n)
            item.item.label = label
            view.add_item(item)
        await interaction.response.send_message(embed=poll_shaped_embed(labels), view=view)

    @bot.tree.command(name="select", description="An acknowledging select of four options on a poll-shaped message")
    async def select(interaction: discord.Interaction) -> None:
        labels = ("A", "B", "C", "D")
        view = discord.ui.View(timeout=None).add_item(AckSelect(1, labels))
        await interaction.response.send_message(embed=poll_shaped_embed(labels), view=view)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with bot:
        runner = asyncio.create_task(bot.start(os.environ["DISCORD_TOKEN"]))
        await stop.wait()
        await bot.close()
        await asyncio.wait({runner}, timeout=5)


if __name__ == "__main__":
    asyncio.run(main())
