"""The double's contract checker catches what Discord would reject (so a green e2e run means something)."""

from __future__ import annotations

from tests.double.contract import Contract
from tests.double.mentions import pings


def test_the_checker_rejects_what_discord_rejects(contract: Contract) -> None:
    callback = "/interactions/1/tok/callback"
    assert contract.violations("POST", callback, {"type": 4, "data": {"content": "ok", "allowed_mentions": {"parse": []}}}) == []
    too_many = {"type": 8, "data": {"choices": [{"name": str(i), "value": str(i)} for i in range(26)]}}
    assert any("choices" in v for v in contract.violations("POST", callback, too_many))
    long_name = {"type": 8, "data": {"choices": [{"name": "x" * 101, "value": "x"}]}}
    assert any("choices/0/name" in v for v in contract.violations("POST", callback, long_name))
    long_description = [{"name": "c", "description": "d" * 101, "type": 1}]
    assert contract.violations("PUT", "/applications/1/commands", long_description)
    assert contract.violations("POST", "/nowhere", {}) == ["POST /nowhere: no such route in Discord's API"]


def test_the_checker_knows_where_a_command_may_be_used(contract: Contract) -> None:
    """`contexts` (0 servers, 1 the bot's DMs, 2 other private channels) and `dm_permission` are checked
    like the rest of a registered command, so a server-only command is registered as Discord reads it."""
    command = {"name": "c", "description": "d", "type": 1}
    for contexts, dm in (([0], False), ([0, 1], True), (None, None)):
        assert contract.violations("PUT", "/applications/1/commands", [command | {"contexts": contexts, "dm_permission": dm}]) == []
    wrongs: list[dict[str, object]] = [{"contexts": [3]}, {"contexts": []}, {"contexts": [0, 0]}, {"dm_permission": "no"}]
    for wrong in wrongs:
        assert contract.violations("PUT", "/applications/1/commands", [command | wrong]), wrong


def test_the_checker_knows_which_installs_a_command_is_for(contract: Contract) -> None:
    """`integration_types` (0 a server's install, 1 a member's own), checked beside `contexts`: a command
    installable to a member's account and usable in private channels is registered as Discord reads it."""
    command = {"name": "c", "description": "d", "type": 1}
    for installs, contexts in (([0], [0]), ([0, 1], [0, 1, 2]), ([1], [1, 2]), (None, None)):
        body = [command | {"integration_types": installs, "contexts": contexts}]
        assert contract.violations("PUT", "/applications/1/commands", body) == [], installs
    for wrong in ([2], [], [0, 0], ["user"]):
        assert contract.violations("PUT", "/applications/1/commands", [command | {"integration_types": wrong}]), wrong


def test_mentions_ping_only_what_allowed_mentions_allows() -> None:
    assert pings("@everyone <@&5> <@7>", None) == ["@everyone", "<@&5>", "<@7>"]  # no allowed_mentions: all
    assert pings("@everyone @here <@&5> <@7>", {"parse": []}) == []
    assert pings("<@&5> <@&6> @everyone", {"parse": [], "roles": ["5"]}) == ["<@&5>"]
