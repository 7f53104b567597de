"""A TVmaze show as a fandom: the pack data made from TVmaze's own shapes, checked and imported
like a file, and merged with a hand-written pack that syncs from the show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.tvmaze.pack import merge, show_pack, slug
from bot.tvmaze.records import parse_episode, parse_show
from db import PackError, Store
from db.facts.models import ProductionKind, ReleaseKind
from db.packs.check import check_pack_data, check_pack_text
from tests.tvmaze_double import (
    CatalogueShow,
    cast_member,
    crew_member,
    episode,
    network,
    show_body,
    weekly_show,
)

WEEKLY = Path(__file__).parents[1] / "packs" / "weekly.yaml"
FIRST = datetime(2030, 1, 5, 2, 0, tzinfo=UTC)


def pack_of(show: CatalogueShow) -> dict[str, Any]:
    """What the client reads: the show with its regular episodes, cast and crew embedded, and every
    episode (specials too) from the episodes list."""
    body = show.body | {"_embedded": {"episodes": [e for e in show.episodes if e["type"] == "regular"],
                                      "cast": show.cast, "crew": show.crew}}
    return show_pack(parse_show(body), [parse_episode(e) for e in show.episodes])


def severance() -> CatalogueShow:
    show = weekly_show(44778, "Severance", seasons=2, episodes=3, first=FIRST)
    show.episodes += [
        episode(44778, 900, 2, None, None, name="Behind the Desk", type="significant_special"),
        episode(44778, 901, 2, 4, None) | {"airdate": "2030-03-01"},
    ]
    show.cast.append(cast_member(99, "Cee Actor", 9_000_000, "Mark Lead"))  # a second character of the same name
    show.crew += [crew_member("Showrunner", 55, "Sam Runner"), crew_member("Executive Producer", 56, "Ed Producer")]
    return show


def test_a_show_becomes_a_pack_that_the_checker_accepts() -> None:
    data = pack_of(severance())
    checked = check_pack_data(data, "tvmaze-44778")
    spec = checked.spec
    assert spec.pack.id == "tvmaze-44778" and spec.pack.title == "Severance"
    assert spec.sync is not None and spec.sync.tvmaze == 44778
    source = spec.sources["tvmaze"]
    assert (source.title, source.outlet, source.url) == ("Severance on TVmaze", "TVmaze", "https://www.tvmaze.com/shows/44778/severance")
    assert source.note is not None and "CC BY-SA 4.0" in source.note
    series = spec.series["severance"]
    assert series.platform == "HBO" and series.description == "Severance is a show."
    assert [s.number for s in series.seasons] == [1, 2]
    first = series.seasons[0].episode_list[0]
    assert (first.key, first.number, first.title, first.runtime, first.date) == (
        "e4477801001", 1, "Episode 1", 60, "2030-01-05T02:00:00+00:00"
    )
    second = series.seasons[1]
    assert [e.number for e in second.episode_list] == [1, 2, 3, 4]
    assert (second.episode_list[3].date, second.episode_list[3].timezone) == ("2030-03-01", "America/New_York")
    assert [(s.title, s.date) for s in second.specials] == [("Behind the Desk", "unknown")]
    assert [(p.kind, p.person) for p in series.production] == [
        (ProductionKind.NOTE, "Dan Creator"), (ProductionKind.SHOWRUNNER, "Sam Runner")
    ]


def test_cast_keys_are_stable_and_two_characters_of_one_name_are_told_apart() -> None:
    characters = check_pack_data(pack_of(severance()), "p").spec.characters
    assert list(characters) == ["mark-lead", "helly-second", "mark-lead-9000000"]
    # the lowest TVmaze character id keeps the plain key, whatever the billing order
    assert characters["mark-lead-9000000"].name == "Mark Lead (Cee Actor)" and characters["mark-lead-9000000"].actor == "Cee Actor"
    lead = characters["mark-lead"]
    assert (lead.name, lead.actor) == ("Mark Lead", "Ada Actor")
    assert lead.image is not None and lead.image.startswith("https://static.tvmaze.com/")
    assert [(a.series, a.billing.value if a.billing else None) for a in lead.appearances] == [("severance", "main")]
    # TVmaze gives no episode counts: its billing order is the prominence, the lead first
    assert [c.prominence for c in characters.values()] == [30_003, 30_002, 30_001]


def test_a_web_channel_show_without_episodes_or_cast_is_still_a_pack() -> None:
    body = show_body(3, "Announced Show", premiered=None, channel=network(2, "FX"), status="In Development")
    spec = check_pack_data(show_pack(parse_show(body)), "p").spec
    assert spec.series["announced-show"].seasons == [] and spec.characters == {}


def test_a_name_without_latin_letters_still_gets_a_key() -> None:
    assert slug("進撃の巨人", "show-9") == "show-9" and slug("Mark S.", "x") == "mark-s"


OVERLAY = """
format: 1
pack: {id: weekly, title: Weekly}
sync: {tvmaze: 44778}
sources:
  fans: {title: The fan wiki}
series:
  show:
    title: Severance
    aliases: [Sev]
    source: fans
    seasons:
      - {number: 1, source: fans, episodes: 3, release: [{date: "2029", source: fans}]}
      - {number: 3, source: fans, release: [{date: "2031", source: fans}]}
characters:
  mark:
    name: Mark Lead
    aliases: [Marky]
    affiliations: [{name: Lumon, source: fans}]
    description: Works on the severed floor.
    actor: Someone Else
    source: fans
    appearances: [{series: show, seasons: [1]}]
  ghost:
    name: Petey
    source: fans
    appearances: [{series: show}]
relationships:
  - {between: [mark, ghost], kind: friendship, canon: on_screen, note: Old friends., source: fans}
ships:
  - {between: [mark, ghost], names: [Marpey], source: fans}
"""


def test_a_merge_keeps_hand_written_facts_and_takes_dates_and_cast_from_tvmaze() -> None:
    overlay = check_pack_text(OVERLAY, "weekly.yaml").spec
    spec = check_pack_data(merge(pack_of(severance()), overlay), "weekly.yaml").spec
    assert spec.pack.id == "weekly" and set(spec.sources) == {"fans", "tvmaze"}
    series = spec.series["show"]
    assert (series.title, series.platform, [str(a) for a in series.aliases]) == ("Severance", "HBO", ["Sev"])
    assert [s.number for s in series.seasons] == [1, 2, 3]
    assert series.seasons[0].release == [] and len(series.seasons[0].episode_list) == 3  # TVmaze's dates
    assert series.seasons[2].release[0].date == "2031"  # a season TVmaze does not know yet stays
    mark = spec.characters["mark"]
    assert (mark.name, mark.actor, mark.description) == ("Mark Lead", "Ada Actor", "Works on the severed floor.")
    assert [(a.name, a.source) for a in mark.aliases] == [("Marky", "fans")]  # type: ignore[union-attr]
    assert mark.source == "tvmaze" and [a.series for a in mark.appearances] == ["show"]
    assert mark.appearances[0].seasons is None  # the cast follows TVmaze
    assert mark.prominence == 30_003  # TVmaze's billing order…
    written = OVERLAY.replace("    actor: Someone Else\n", "    actor: Someone Else\n    prominence: 7\n")
    assert check_pack_data(merge(pack_of(severance()), check_pack_text(written, "weekly.yaml").spec), "w").spec.characters[
        "mark"
    ].prominence == 7  # …unless the hand-written pack says otherwise
    assert "helly-second" in spec.characters and "ghost" in spec.characters
    assert len(spec.relationships) == 1 and spec.ships[0].names == ["Marpey"]


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_a_merged_pack_imports_and_reads_back_its_episodes(store: Store) -> None:
    overlay = check_pack_text(OVERLAY, "weekly.yaml").spec
    report = await store.packs.import_checked(check_pack_data(merge(pack_of(severance()), overlay), "weekly.yaml"))
    assert report.added["releases"] == 9  # 3 + 4 episodes, 1 special, the hand-written season 3
    season = (await store.series.get((await store.series.summaries(None))[0].id)).seasons[1]  # type: ignore[union-attr]
    assert [e.kind for e in season.episode_list][-1] is ReleaseKind.SPECIAL
    assert season.premiere is not None and season.premiere.current is not None
    assert season.premiere.current.date.starts_at == FIRST + timedelta(weeks=3)


def test_a_bad_merge_is_reported_by_the_checker() -> None:
    data = pack_of(severance())
    data["series"]["severance"]["seasons"][0]["episodes"][1]["number"] = 1
    with pytest.raises(PackError) as caught:
        check_pack_data(data, "tvmaze-44778")
    assert "episode 1 of season 1 is listed twice" in str(caught.value)
