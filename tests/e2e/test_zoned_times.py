"""Times shown as text carry their zone: an autocomplete choice is plain text (no Discord timestamp), so
its time is in the server's zone — `/settings timezone`, else America/Los_Angeles — whatever zone the
release was set in, and names it."""

from __future__ import annotations

import re

from tests.double.server import DiscordDouble
from tests.double.world import Permissions
from tests.e2e.asking import say

MOD = Permissions.MEMBER | Permissions.MANAGE_GUILD
RELEASES = (("Zone Premiere", "2031-03-01 20:00", "Europe/London"), ("Zone Rerun", "2020-06-01 20:00", "America/Los_Angeles"))


async def test_release_choices_show_times_in_the_servers_zone_and_name_it(double: DiscordDouble, bot: object) -> None:
    berlin = await double.add_guild("Berlin")
    mod = double.add_member(berlin, "mod", permissions=MOD)
    fan = double.add_member(berlin, "fan")
    set_zone = await say(double, mod, "settings timezone", {"zone": "Europe/Berlin"})
    assert set_zone.ephemeral and re.search(r"it's \w{3} \d{1,2} \w{3} \d\d:\d\d CES?T there", set_zone.content), set_zone.content
    for title, date, zone in RELEASES:
        await say(double, mod, "release set", {"title": title, "date": date, "timezone": zone})
    for command, option in (("countdown", "release"), ("remindme", "release"), ("release set", "title")):
        who = mod if command == "release set" else fan
        names = {c["value"]: c["name"] for c in await double.autocomplete(who, command, {option: "zone"}, option)}
        assert names["Zone Premiere"].startswith("Zone Premiere · Sat 1 Mar 2031 21:00 CET · in "), names  # 20:00 in London
        assert names["Zone Rerun"] == "Zone Rerun · Tue 2 Jun 2020 05:00 CEST", names  # 20:00 in Los Angeles
    own = await double.autocomplete(mod, "release remove", {"title": "zone"}, "title")
    assert {c["name"] for c in own} >= {"Zone Rerun · Tue 2 Jun 2020 05:00 CEST"}

    # A server that never chose a zone sees the bot's default, named.
    elsewhere = await double.add_guild("Elsewhere")
    other = double.add_member(elsewhere, "mod", permissions=MOD)
    for title, date, zone in RELEASES:
        await say(double, other, "release set", {"title": title, "date": date, "timezone": zone})
    names = {c["value"]: c["name"] for c in await double.autocomplete(other, "countdown", {"release": "zone"}, "release")}
    assert names["Zone Premiere"].startswith("Zone Premiere · Sat 1 Mar 2031 12:00 PST · in ")
    assert names["Zone Rerun"] == "Zone Rerun · Mon 1 Jun 2020 20:00 PDT"
