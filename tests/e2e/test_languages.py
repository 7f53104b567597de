"""The bot in its five languages through the double (issue 29): the command surface's localizations as
Discord validates them, the same command answered in `de` and in `en-US`, a refusal in French, /help in
Portuguese, and a shared card that speaks its server's language whoever made it or voted on it.

What a reply should say in another language is read from the bot's own catalogs (the test does not
restate translations): each fixed English label of the English reply must come back as its translation."""

from __future__ import annotations

import gettext
import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import GENERIC_APOLOGY
from bot.i18n.speech import catalog
from tests.double.server import DiscordDouble
from tests.double.world import FakeChannel, FakeGuild, FakeMember, FakeMessage, Permissions
from tests.e2e.asking import say
from tests.e2e.waiting import eventually

LOCALES = {"de": "de", "fr": "fr", "es-ES": "es_ES", "pt-BR": "pt_BR"}  # Discord's → the catalog's


def walk(items: list[dict]) -> list[dict]:
    """Every command and option, depth first."""
    found: list[dict] = []
    for item in items:
        found.append(item)
        found += walk(item.get("options") or [])
    return found


def field_names(message: FakeMessage) -> list[str]:
    return [f["name"] for embed in message.embeds for f in embed.get("fields", [])]


def translated(code: str, english: list[str]) -> list[str]:
    book: gettext.NullTranslations = catalog(code)
    return [book.gettext(text) for text in english]


async def test_every_command_option_and_choice_is_localized_and_discord_accepts_the_set(double: DiscordDouble, bot) -> None:
    commands = double.commands["global"]
    assert commands and not [v for v in double.violations if "commands" in v]
    nodes = walk(commands)
    for node in nodes:
        where = node["name"]
        assert set(node.get("name_localizations") or {}) >= set(LOCALES), f"{where}: names in {node.get('name_localizations')}"
        assert set(node.get("description_localizations") or {}) >= set(LOCALES), f"{where}: descriptions"
        for choice in node.get("choices") or []:
            assert set(choice.get("name_localizations") or {}) >= set(LOCALES), f"{where}: choice {choice['name']}"
    descriptions = [(n["description"], n["description_localizations"][locale]) for n in nodes for locale in LOCALES]
    copied = [english for english, localized in descriptions if english == localized]
    assert not copied, f"descriptions left in English: {copied[:5]}"
    german = {n["name"]: n["name_localizations"]["de"] for n in commands}
    assert german["character"] != "character" and german["help"] != "help"


async def test_the_same_card_in_german_and_in_english(double: DiscordDouble, guild: FakeGuild) -> None:
    english_member = double.add_member(guild, "matt", locale="en-US")
    german_member = double.add_member(guild, "karen", locale="de")
    english = await say(double, english_member, "character", {"name": "daredevil"})
    german = await say(double, german_member, "character", {"name": "daredevil"})
    assert english.embeds[0]["title"] == german.embeds[0]["title"] == "Matt Murdock"  # a fact stays as written
    assert "Played by" in field_names(english)
    assert field_names(german) == translated("de", field_names(english))
    assert field_names(german) != field_names(english)
    played = field_names(german)[field_names(english).index("Played by")]
    assert next(f["value"] for f in german.embeds[0]["fields"] if f["name"] == played).startswith("Charlie Cox")


async def test_a_refusal_speaks_the_members_language(double: DiscordDouble, guild: FakeGuild) -> None:
    english_member = double.add_member(guild, "jessica", locale="en-US")
    french_member = double.add_member(guild, "trish", locale="fr")
    typed = {"name": "zzqqxxvv"}
    english = await say(double, english_member, "character", typed)
    french = await say(double, french_member, "character", typed)
    assert english.ephemeral and french.ephemeral
    assert "zzqqxxvv" in english.content and "zzqqxxvv" in french.content
    assert french.content != english.content
    assert catalog("fr").gettext(GENERIC_APOLOGY) not in french.content


async def test_help_in_portuguese(double: DiscordDouble, guild: FakeGuild) -> None:
    english = await say(double, double.add_member(guild, "luke", locale="en-US"), "help")
    portuguese = await say(double, double.add_member(guild, "claire", locale="pt-BR"), "help")
    assert portuguese.ephemeral
    assert field_names(portuguese) == translated("pt_BR", field_names(english)) != field_names(english)
    listed = "\n".join(f["value"] for embed in portuguese.embeds for f in embed.get("fields", []))
    help_text = catalog("pt_BR").pgettext("command description", "The commands you can use here, one line each, and where the docs are.")
    assert help_text in listed or help_text[:60] in listed


@pytest.mark.parametrize("server_locale", ["de", "es-ES"])
async def test_a_poll_card_speaks_its_servers_language_whoever_votes(double: DiscordDouble, server_locale: str, bot) -> None:
    reference_guild = await double.add_guild(locale="en-US")
    reference = await say(double, double.add_member(reference_guild, "ref"), "poll create", {"question": "Best?", "options": "A; B"})
    guild = await double.add_guild(locale=server_locale)
    maker: FakeMember = double.add_member(guild, "danny", locale="en-US")
    card = await say(double, maker, "poll create", {"question": "Best?", "options": "A; B"})
    code = LOCALES[server_locale]
    assert field_names(card) == translated(code, field_names(reference)) != field_names(reference)
    assert [b["label"] for b in card.buttons()][:2] == ["A", "B"]  # the options are what was typed
    voter = double.add_member(guild, "colleen", locale="fr")
    confirmation = await (await double.press(voter, card, "A")).reply()
    english_confirmation = await (await double.press(double.add_member(reference_guild, "ward"), reference, "A")).reply()
    assert confirmation.ephemeral and confirmation.content != english_confirmation.content  # the presser's French
    await eventually(lambda: card.edits > 0, 5, "the tally edit")
    assert field_names(card) == translated(code, field_names(reference))  # refreshed in the server's language


def template_regex(template: str) -> re.Pattern[str]:
    """A catalog text as a pattern its rendered form fits: each `{placeholder}` stands for any text."""
    parts = re.split(r"\{[A-Za-z_][A-Za-z0-9_]*\}", template)
    return re.compile("(?s)" + ".+?".join(re.escape(p) for p in parts))


def rendered_from(content: str, code: str | None = None) -> str:
    """The English msgid `content` was rendered from — in English, or (with `code`) from its translation."""
    table: dict[object, str] = catalog(code or "de")._catalog  # type: ignore[attr-defined]  # stdlib's own table: msgid → msgstr
    for key, translation in table.items():
        if not isinstance(key, str) or not key or "\x04" in key:
            continue
        if template_regex(translation if code else key).fullmatch(content):
            return key
    raise AssertionError(f"{content!r} fits no {'translated' if code else 'English'} text of the catalogs")


async def test_reminders_speak_their_servers_language_not_the_moderators(double: DiscordDouble, bot) -> None:
    """A reminder is the bot's own post: the server's preferred locale decides, not who subscribed."""
    posted: dict[str, list[str]] = {}
    for locale in ("en-US", "de"):
        guild = await double.add_guild(locale=locale)
        moderator = double.add_member(guild, "mod", permissions=Permissions.MEMBER | Permissions.MANAGE_GUILD, locale="en-US")
        channel = guild.channel("premieres")
        subscribed = await say(double, moderator, "reminders subscribe", {"channel": channel, "offsets": "2s,0"})
        assert subscribed.ephemeral and rendered_from(subscribed.content)  # the moderator's reply: English
        moment = (datetime.now(UTC) + timedelta(seconds=5)).replace(microsecond=0)
        await say(double, moderator, "release set", {"title": f"Timer {locale}", "date": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})

        def reminders(channel: FakeChannel = channel) -> list[str]:
            own = [m for m in double.channel_messages(channel) if m.interaction_id is None]
            return [m.content for m in own if "⏰" in m.content or "🎬" in m.content]

        await eventually(lambda: len(reminders()) == 2, 15, f"two reminders in the {locale} server")
        posted[locale] = reminders()
    english = [rendered_from(text) for text in posted["en-US"]]
    german = [rendered_from(text, "de") for text in posted["de"]]
    assert german == english  # the same two reminders, each from the German of the same text
    assert posted["de"] != [text.replace("en-US", "de") for text in posted["en-US"]]
