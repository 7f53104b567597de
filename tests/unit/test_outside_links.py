"""Addresses from outside services (bot/outside_links.py): shown only when plain https on a named host
(the service's own, for its own page); a fact pack's addresses keep the pack's rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.citations import citation_text
from bot.outside_links import TVMAZE_HOSTS, character_image, outside_url, source_page
from db.facts.models import Character, FactStatus, Source

SHOW = "https://www.tvmaze.com/shows/1/severance"


def test_plain_https_on_the_services_host_is_shown() -> None:
    assert outside_url(SHOW, hosts=TVMAZE_HOSTS) == SHOW
    assert outside_url("https://tvmaze.com/shows/1", hosts=TVMAZE_HOSTS) == "https://tvmaze.com/shows/1"
    assert outside_url("https://static.tvmaze.com/uploads/a.jpg") == "https://static.tvmaze.com/uploads/a.jpg"
    assert outside_url("https://en.wikipedia.org/wiki/Foo_(TV_series)") == "https://en.wikipedia.org/wiki/Foo_%28TV_series%29"


def test_anything_else_is_left_out() -> None:
    for address in (
        "javascript:alert(1)", "JAVASCRIPT:alert(1)", "http://www.tvmaze.com/shows/1", "data:text/html,x", "//www.tvmaze.com/x",
        "https:/www.tvmaze.com/x", "https://", "https://localhost/x", "https://www.tvmaze.com /x", "https://www.tvmaze.com/x\n",
        "https://www.tvmaze.com/x>)[Free Nitro](<https://evil.example", "[Free Nitro](https://evil.example)",
        "https://www.tvmaze.com/x)[Free Nitro](https://evil.example", "https://www.tvmaze.com/`x`", "https://www.tvmaze.com/\\x",
        "https://www.tvmaze.com:99999/x", "https://[::1]/x", "https://www.tvmäze.com/x", "https://" + "a" * 2050 + ".com",
        None, 12,
    ):
        assert outside_url(address) is None, address
    for address in ("https://evil.example/shows/1", "https://www.tvmaze.com.evil.example/x", "https://www.tvmaze.com@evil.example/x",
                    "https://nottvmaze.com/x", "https://tvmaze.com.@evil.example/"):
        assert outside_url(address, hosts=TVMAZE_HOSTS) is None, address


@given(st.text(max_size=200))
def test_whatever_is_shown_is_https_and_cannot_end_a_link(address: str) -> None:
    shown = outside_url(address)
    if shown is not None:
        assert shown[:8].lower() == "https://"
        assert not set(shown) & set(" <>()[]`\\\"\n")


def _source(key: str, location: str | None) -> Source:
    return Source(1, key, "Severance on TVmaze", "TVmaze", None, location, False)


def test_a_tvmaze_source_is_linked_only_on_tvmaze_and_a_packs_own_by_the_packs_rules() -> None:
    assert source_page(_source("tvmaze", SHOW)) == SHOW
    assert "](<" not in citation_text(_source("tvmaze", "http://www.tvmaze.com/shows/1"))
    assert "evil" not in citation_text(_source("tvmaze", "https://evil.example/shows/1"))
    assert "(<http://fans.example/wiki>)" in citation_text(_source("fans", "http://fans.example/wiki"))  # an operator's pack


def test_a_characters_picture_from_tvmaze_must_be_https_and_a_packs_own_stays() -> None:
    def character(source_key: str, image: str) -> Character:
        return Character(1, "mark", "Mark", None, None, FactStatus.CONFIRMED, 1, None, (), (), (), (),
                         {1: _source(source_key, SHOW)}, image_url=image)

    assert character_image(character("tvmaze", "http://static.tvmaze.com/a.jpg")) is None
    assert character_image(character("tvmaze", "https://static.tvmaze.com/a.jpg")) == "https://static.tvmaze.com/a.jpg"
    assert character_image(character("fans", "http://fans.example/a.png")) == "http://fans.example/a.png"
