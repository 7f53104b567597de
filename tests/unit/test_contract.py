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


def test_mentions_ping_only_what_allowed_mentions_allows() -> None:
    assert pings("@everyone <@&5> <@7>", None) == ["@everyone", "<@&5>", "<@7>"]  # no allowed_mentions: all
    assert pings("@everyone @here <@&5> <@7>", {"parse": []}) == []
    assert pings("<@&5> <@&6> @everyone", {"parse": [], "roles": ["5"]}) == ["<@&5>"]
