"""Everything a member can type into every option, answered within 3 s; every refusal private, saying
what is accepted, with nothing stored and nothing posted; everything accepted stored exactly as shown."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.bot_process import BotProcess
from tests.e2e.rendering import renders_masked_link
from tests.figures import record

NASTY: dict[str, str] = {
    "empty": "",
    "spaces": "   ",
    "zero-width": "\u200b\u200c\u200d",
    "control": "\x00\x01\x07",
    "rtl": "\u202eevil txet",
    "markdown": "**bold** ||spoiler|| `code` __u__",
    "everyone": "@everyone",
    "here": "@here",
    "role mention": "<@&123456789012345678>",
    "user mention": "<@123456789012345678>",
    "sql": "'; DROP TABLE polls; --",
    "format": "{0} %s %(name)s {__class__}",
    "unknown choice": "Definitely Not In The List",
    "past date": "2001-01-01",
    "impossible date": "2031-02-30",
    "unknown zone": "Mars/Olympus_Mons",
    "zero duration": "0m",
    "huge duration": "99999d",
    "unicode digits": "²",
    "arabic digits": "٣٤",
    "masked link": "[Claim free Nitro](https://evil.example)",
    "mathtext": "$\\frac{1}{$",
}
BLANK = {"empty", "spaces", "zero-width", "control"}


@dataclass(frozen=True)
class Case:
    command: str
    option: str
    base: dict[str, Any]
    max_length: int
    refused_hint: str  # what every refusal of this option must say
    accepts: Callable[[str], bool]  # which nasty values this option legitimately takes
    moderator: bool = False
    stored_as: str | None = None  # SQL that returns the stored text, when accepted values are stored

    def options(self, value: str) -> dict[str, Any]:
        return {**self.base, self.option: value}


def never(_: str) -> bool:
    return False


def text_kinds(kind: str) -> bool:
    return kind not in BLANK and kind != "past limit"


CASES = [
    Case("character", "name", {}, 100, "visible characters|No character matches", never),
    Case("series", "title", {}, 100, "visible characters|No series matches", never),
    Case("countdown", "release", {}, 100, "visible characters|No release matches", never),
    Case("remindme", "release", {}, 100, "visible characters|No release matches", never),
    Case("episodes", "series", {}, 100, "visible characters|No series matches", never),
    Case("release set", "title", {"date": "2031-01-01"}, 100, "visible characters", text_kinds, True,
         "SELECT title FROM releases WHERE guild_id = :guild ORDER BY id DESC LIMIT 1"),
    Case("release set", "date", {"title": "Bad Date Test"}, 40, "`YYYY-MM-DD`|visible characters|calendar date",
         lambda k: k == "past date", True),
    Case("release set", "timezone", {"title": "Bad Zone Test", "date": "2031-01-01 20:00"}, 64, "IANA|visible characters", never, True),
    Case("release remove", "title", {}, 100, "visible characters|Pick one from the list", never, True),
    Case("settings timezone", "zone", {}, 64, "IANA|visible characters", never, True),
    Case("reminders subscribe", "offsets", {}, 100, "offset|visible characters", lambda k: k == "zero duration", True),  # 0m: at the start
    Case("poll create", "question", {"options": "A; B"}, 300, "1–300 visible characters", text_kinds, False,
         "SELECT question FROM polls WHERE guild_id = :guild ORDER BY id DESC LIMIT 1"),
    Case("poll create", "options", {"question": "Q?"}, 1000, "`;`|2 to 10 options|visible characters",
         lambda k: k == "sql"),  # "'; DROP TABLE polls; --" is three harmless options, stored as text
    Case("poll create", "duration", {"question": "Q?", "options": "A; B"}, 20, "`30m`|1 minute to 30 days|visible characters", never),
    Case("poll ship", "first", {"second": "Luke Cage"}, 100, "visible characters|No character matches", never),
    Case("poll pairing", "character", {}, 100, "visible characters|No character matches", never),
    Case("poll results", "poll", {}, 100, "visible characters|Pick one from the list", never),
    Case("poll close", "poll", {}, 100, "visible characters|Pick one from the list", never),
    Case("ship info", "second", {"first": "Jessica Jones"}, 100, "visible characters|No character matches", never),
    Case("fandom follow", "fandom", {}, 100, "visible characters|No fandom on this bot", never, True),
    Case("fandom unfollow", "fandom", {}, 100, "visible characters|No fandom on this bot", never, True),
    Case("fandom add", "show", {}, 100, "visible characters|TVmaze id (a whole number written with the digits 0–9)", never, True),
]

GUILD_TABLES = (
    "releases", "release_dates", "subscriptions", "polls", "timers", "guild_settings", "personal_reminders", "guild_fandoms",
)


def values_for(case: Case) -> list[tuple[str, str]]:
    return [*NASTY.items(), ("at limit", "x" * case.max_length), ("past limit", "x" * (case.max_length + 1))]


def snapshot(bot: BotProcess, guild: FakeGuild) -> dict[str, int]:
    with sqlite3.connect(bot.database) as conn:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t} WHERE guild_id = ?", (guild.id,)).fetchone()[0] for t in GUILD_TABLES}
        counts["votes"] = conn.execute(
            "SELECT count(*) FROM votes v JOIN polls p ON p.id = v.poll_id WHERE p.guild_id = ?", (guild.id,)
        ).fetchone()[0]
    return counts


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.command}:{c.option}")
async def test_every_option_takes_anything_safely(double: DiscordDouble, bot: BotProcess, case: Case) -> None:
    tried = 0
    for kind, value in values_for(case):
        guild = await double.add_guild(f"bad-input {case.command} {kind}")
        who: FakeMember = double.add_member(
            guild, "tester", permissions=Permissions.MEMBER | (Permissions.MANAGE_GUILD if case.moderator else 0)
        )
        before = snapshot(bot, guild)
        options = case.options(value)
        if case.command == "reminders subscribe":
            options["channel"] = guild.text_channel
        record_ = await double.command(who, case.command, options)
        reply = await record_.reply()
        tried += 1
        where = f"/{case.command} {case.option}={kind!r}"
        assert record_.latency is not None and record_.latency < 3.0, where
        assert reply.pings == [], where
        assert "Sorry — something went wrong" not in reply.content, f"{where} got the generic apology"
        assert not renders_masked_link(reply.text), f"{where} would render a masked link: {reply.text!r}"
        accepted = case.accepts(kind) or (kind == "at limit" and case.stored_as is not None)
        if accepted:
            assert not (reply.ephemeral and "visible characters" in reply.content), f"{where} was refused: {reply.content}"
            if case.stored_as:
                with sqlite3.connect(bot.database) as conn:
                    stored = conn.execute(case.stored_as, {"guild": guild.id}).fetchone()[0]
                from bot.input.options import clean_text

                assert stored == clean_text(value), where  # bound, not interpolated: stored exactly as cleaned
            continue
        if reply.ephemeral:
            assert any(h in reply.content for h in case.refused_hint.split("|")), f"{where}: {reply.content}"
            assert snapshot(bot, guild) == before, f"{where} changed the store"
            assert double.channel_messages(guild.text_channel) == [], f"{where} posted something"
        else:
            # A public answer to nasty text is a lookup that found something close: it must store nothing.
            assert case.command in ("character", "series", "countdown", "ship info", "poll ship", "poll pairing"), where
            assert snapshot(bot, guild) == before or case.command.startswith("poll"), where
    record("bad inputs tried (table-driven)", tried)


@pytest.mark.parametrize(
    ("command", "option", "base"),
    [
        ("character", "name", {}),
        ("series", "title", {}),
        ("countdown", "release", {}),
        ("release set", "timezone", {"title": "T", "date": "2031"}),
        ("settings timezone", "zone", {}),
        ("poll results", "poll", {}),
        ("ship info", "first", {"second": "Luke"}),
        ("fandom follow", "fandom", {}),
        ("fandom unfollow", "fandom", {}),
    ],
)
async def test_autocomplete_answers_anything_within_limits(
    double: DiscordDouble, bot: BotProcess, guild: FakeGuild, command: str, option: str, base: dict[str, Any]
) -> None:
    who = double.add_member(guild, "typist", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)
    for kind, value in [*NASTY.items(), ("long", "y" * 100)]:
        choices = await double.autocomplete(who, command, {**base, option: value}, option)
        assert len(choices) <= 25 and all(1 <= len(c["name"]) <= 100 and len(str(c["value"])) <= 100 for c in choices), (command, kind)
        record("bad inputs tried (autocomplete)", 1)


OTHER_DIGITS = {"superscript": "²", "arabic-indic": "٣", "devanagari": "३", "fullwidth": "３"}


@pytest.mark.parametrize(
    ("command", "option", "base", "typed", "hint"),
    [
        ("fandom add", "show", {}, "{d}", "digits 0–9"),
        ("fandom add", "show", {}, "1{d}", "digits 0–9"),
        ("poll create", "duration", {"question": "Q?", "options": "A; B"}, "{d}d", "digits 0–9"),
        ("reminders subscribe", "offsets", {}, "7d,{d}h", "is not an offset"),
        ("release set", "date", {"title": "Digits Test"}, "203{d}-01-01", "`YYYY-MM-DD`"),
        ("poll results", "poll", {}, "#{d}", "Pick one from the list"),
    ],
)
async def test_numbers_are_read_in_ascii_digits_only(
    double: DiscordDouble, bot: BotProcess, command: str, option: str, base: dict[str, Any], typed: str, hint: str
) -> None:
    """"²" is a digit to str.isdigit() and "٣" to int() and to a regex's \\d: a number typed in any digits
    but 0–9 is refused privately, saying what is accepted, and changes nothing — never the generic apology."""
    logged = len(bot.log())
    for script, digit in OTHER_DIGITS.items():
        guild = await double.add_guild(f"digits {command} {script}")
        who = double.add_member(guild, "tester", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD)
        before = snapshot(bot, guild)
        options = {**base, option: typed.format(d=digit)}
        if command == "reminders subscribe":
            options["channel"] = guild.text_channel
        reply = await (await double.command(who, command, options)).reply()
        where = f"/{command} {option}={options[option]!r} ({script})"
        assert reply.ephemeral and hint in reply.content, f"{where}: {reply.content}"
        assert snapshot(bot, guild) == before, f"{where} changed the store"
    assert "Traceback" not in bot.log()[logged:]
