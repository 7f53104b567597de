"""/countdown, /releases, /release and /settings through the double, as members and moderators see them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.double.server import DiscordDouble
from tests.double.world import FakeGuild, FakeMember, Permissions
from tests.e2e.asking import say

BACKENDS = ("sqlite", "postgresql")  # the same tests on each store (tests/e2e/conftest.py)
DEFENDERS = int(datetime(2017, 8, 18, 7, tzinfo=UTC).timestamp())  # midnight Pacific, 18 August 2017


def field(embed: dict, name: str) -> str:
    return next(f["value"] for f in embed.get("fields", []) if f["name"] == name)



async def test_countdown_to_a_past_release_uses_discord_timestamps_and_words(double: DiscordDouble, member: FakeMember) -> None:
    reply = await say(double, member, "countdown", {"release": "The Defenders"})
    assert not reply.ephemeral
    assert f"<t:{DEFENDERS}:F>" in reply.content and f"<t:{DEFENDERS}:R>" in reply.content
    assert "premiered" in reply.content and "years" in reply.content and "ago" in reply.content
    assert "counts from midnight in `America/Los_Angeles`" in reply.content  # a day is known, not a time


async def test_approximate_and_undated_releases_are_never_given_an_instant(double: DiscordDouble, member: FakeMember) -> None:
    jessica = await say(double, member, "countdown", {"release": "Jessica Jones season 2"})
    assert "expected in **2018**" in jessica.content and "only the year is known" in jessica.content
    assert "<t:" not in jessica.content
    daredevil = await say(double, member, "countdown", {"release": "daredevil s3"})
    assert "has no release date yet" in daredevil.content and "<t:" not in daredevil.content


async def test_countdown_without_a_release_says_nothing_is_scheduled_and_shows_the_latest(
    double: DiscordDouble, member: FakeMember
) -> None:
    reply = await say(double, member, "countdown")
    assert reply.content.startswith("Nothing is scheduled")
    assert "The most recent: 🎬 **Marvel's The Defenders** premiered" in reply.content


async def test_releases_lists_upcoming_recent_approximate_and_undated_apart(double: DiscordDouble, member: FakeMember) -> None:
    embed = (await say(double, member, "releases")).embeds[0]
    recent = field(embed, "Recently released")
    assert recent.index("The Defenders") < recent.index("Iron Fist") < recent.index("Daredevil season 1")
    assert "2018 (approximate)" in field(embed, "Approximate dates")
    assert "Marvel's Daredevil season 3" in field(embed, "No date yet")


async def test_a_moderator_adds_a_release_for_this_guild_only(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember, member: FakeMember
) -> None:
    reply = await say(
        double, moderator, "release set", {"title": "Daredevil: Born Again", "date": "2031-03-04 18:00", "timezone": "America/New_York"}
    )
    assert reply.ephemeral and reply.content.startswith("Added **Daredevil: Born Again**")
    starts = int(datetime(2031, 3, 4, 23, 0, tzinfo=UTC).timestamp())
    countdown = await say(double, member, "countdown")
    assert "Daredevil: Born Again" in countdown.content and f"<t:{starts}:R>" in countdown.content
    assert "(set in this server)" in field((await say(double, member, "releases")).embeds[0], "Coming up")

    other = await double.add_guild("Elsewhere")
    outsider = double.add_member(other, "outsider")
    elsewhere = await say(double, outsider, "countdown", {"release": "Daredevil: Born Again"})
    assert elsewhere.ephemeral and "No release matches" in elsewhere.content
    assert "Born Again" not in (await say(double, outsider, "releases")).embeds[0].get("description", "") + str(
        (await say(double, outsider, "releases")).embeds[0].get("fields")
    )
    choices = await double.autocomplete(outsider, "countdown", {"release": "born"}, "release")
    assert not any("Born Again" in c["name"] for c in choices)


async def test_moving_a_pack_release_changes_this_guild_only(double: DiscordDouble, moderator: FakeMember) -> None:
    reply = await say(
        double, moderator, "release set", {"title": "Marvel's The Defenders", "date": "2030-01-01 20:00", "timezone": "Europe/Berlin"}
    )
    assert reply.content.startswith("Moved **Marvel's The Defenders**")
    moved = int(datetime(2030, 1, 1, 19, 0, tzinfo=UTC).timestamp())
    here = await say(double, moderator, "countdown", {"release": "The Defenders"})
    assert f"<t:{moved}:F>" in here.content
    other = await double.add_guild("Unmoved")
    outsider = double.add_member(other, "outsider")
    there = await say(double, outsider, "countdown", {"release": "The Defenders"})
    assert f"<t:{DEFENDERS}:F>" in there.content


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("2031-05-01", "1 May 2031"),
        ("2031-05-01 21:00", "<t:"),
        ("2031-05-01 21:00:30", "<t:"),
        ("2031-05-01T21:00:00+02:00", "<t:"),
        ("2031", "2031 (approximate)"),
        ("2031-05", "May 2031 (approximate)"),
        ("Q3 2031", "Q3 2031 (approximate)"),
        ("autumn 2031", "fall 2031 (approximate)"),
        ("Winter 2032", "winter 2032 (approximate)"),
    ],
)
async def test_accepted_date_forms(double: DiscordDouble, moderator: FakeMember, typed: str, shown: str) -> None:
    reply = await say(double, moderator, "release set", {"title": "Form test", "date": typed})
    assert reply.ephemeral and shown in reply.content


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("next friday", "`YYYY-MM-DD`"),
        ("2031-02-30", "not a real calendar date"),
        ("31/12/2031", "`YYYY-MM-DD`"),
        ("2031-13", "months run 01 to 12"),
        ("Q5 2031", "`YYYY-MM-DD`"),
        ("3031", "out of range"),
        ("2031-05-01 24:00", "no such time of day"),
    ],
)
async def test_rejected_date_forms_change_nothing(
    double: DiscordDouble, guild: FakeGuild, moderator: FakeMember, typed: str, says: str
) -> None:
    before = (await say(double, moderator, "releases")).embeds[0]
    reply = await say(double, moderator, "release set", {"title": "Rejected", "date": typed})
    assert reply.ephemeral and says in reply.content
    assert (await say(double, moderator, "releases")).embeds[0] == before


async def test_zones_typos_and_a_dst_gap(double: DiscordDouble, moderator: FakeMember) -> None:
    typo = await say(double, moderator, "release set", {"title": "Zone test", "date": "2031-05-01 09:00", "timezone": "Europe/Berln"})
    assert typo.ephemeral and "Did you mean `Europe/Berlin`" in typo.content
    gap = await say(double, moderator, "release set", {"title": "Zone test", "date": "2031-03-09 02:30", "timezone": "America/Los_Angeles"})
    assert gap.ephemeral and "does not exist in America/Los_Angeles" in gap.content
    fall_back = await say(
        double, moderator, "release set", {"title": "Zone test", "date": "2031-11-02 01:30", "timezone": "America/Los_Angeles"}
    )
    first_0130 = int(datetime(2031, 11, 2, 8, 30, tzinfo=UTC).timestamp())  # 01:30 PDT, before the clocks go back
    assert fall_back.content.startswith("Added") and f"<t:{first_0130}:" in fall_back.content
    choices = await double.autocomplete(moderator, "release set", {"title": "x", "date": "2031", "timezone": "berl"}, "timezone")
    assert choices[0]["value"] == "Europe/Berlin"


async def test_the_guild_time_zone_is_used_when_none_is_given(double: DiscordDouble, moderator: FakeMember) -> None:
    reply = await say(double, moderator, "settings timezone", {"zone": "Asia/Tokyo"})
    assert reply.ephemeral and "`Asia/Tokyo`" in reply.content
    await say(double, moderator, "release set", {"title": "Tokyo premiere", "date": "2031-03-01 09:00"})
    countdown = await say(double, moderator, "countdown", {"release": "Tokyo premiere"})
    assert f"<t:{int(datetime(2031, 3, 1, 0, 0, tzinfo=UTC).timestamp())}:F>" in countdown.content
    bad = await say(double, moderator, "settings timezone", {"zone": "Mars/Olympus_Mons"})
    assert bad.ephemeral and "IANA" in bad.content


async def test_remove_takes_guild_releases_reverts_moves_and_refuses_the_pack(double: DiscordDouble, moderator: FakeMember) -> None:
    await say(double, moderator, "release set", {"title": "Temporary", "date": "2031-01-01"})
    removed = await say(double, moderator, "release remove", {"title": "temporary"})
    assert removed.content.startswith("Removed **Temporary**")
    gone = await say(double, moderator, "countdown", {"release": "Temporary"})
    assert gone.ephemeral
    refused = await say(double, moderator, "release remove", {"title": "Marvel's Iron Fist season 1"})
    assert refused.ephemeral and "comes from the fact pack" in refused.content
    await say(double, moderator, "release set", {"title": "Marvel's Iron Fist season 1", "date": "2031-06-01"})
    reverted = await say(double, moderator, "release remove", {"title": "Marvel's Iron Fist season 1"})
    assert "back on the fact pack's date here: 17 March 2017" in reverted.content


async def test_subscribe_is_refused_to_members_and_changes_nothing(
    double: DiscordDouble, guild: FakeGuild, member: FakeMember, moderator: FakeMember
) -> None:
    reply = await say(double, member, "reminders subscribe", {"channel": guild.text_channel})
    assert reply.ephemeral and "Manage Server" in reply.content
    listing = (await say(double, moderator, "reminders list")).embeds[0]
    assert "None yet" in listing["description"]


async def test_admin_commands_are_hidden_from_members_by_default(double: DiscordDouble, bot: object) -> None:
    for name in ("release", "reminders", "settings"):
        command = next(c for c in double.commands["global"] if c["name"] == name)
        assert int(command["default_member_permissions"]) == Permissions.MANAGE_GUILD
        assert command["contexts"] == [0]  # guild only
