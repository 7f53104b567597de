"""A pack's own `prominence:` on a character: checked, stored, ranking lookups in place of the weight
derived from appearances, and written back by export."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.search.directory import Directory
from db import Store
from db.packs.check import PackError, check_pack_text
from db.packs.format import dump_pack

PACK = """\
format: 1
pack: {id: ranked, title: Ranked}
sources:
  wiki: {title: A wiki, url: https://example.org/wiki}
series:
  show: {title: The Show, source: wiki, seasons: [{number: 1, source: wiki}, {number: 2, source: wiki}]}
characters:
  sam-main:
    name: Sam Hale
    prominence: 900
    source: wiki
  sam-guest:
    name: Sam Oduya
    appearances: [{series: show, seasons: [1, 2], billing: main}]
    source: wiki
  walk-on:
    name: Sam Ives
    appearances: [{series: show, seasons: [1]}]
    source: wiki
"""


async def test_a_packs_prominence_is_the_weight_instead_of_the_derived_one(store: Store, tmp_path: Path) -> None:
    await store.packs.import_checked(check_pack_text(PACK, "ranked.yaml"))
    [ranked] = (await store.characters.prominence_by_pack()).values()
    names = {c.id: c.name for c in await store.characters.summaries(None)}
    # billing × 10,000 + appearances outranks 900: a pack that mixes both scales its own numbers (docs/packs.md)
    assert [names[cid] for cid, _, _ in ranked] == ["Sam Oduya", "Sam Hale", "Sam Ives"]
    weights = {names[cid]: weight for cid, weight, _ in ranked}
    assert weights == {"Sam Oduya": 30002, "Sam Hale": 900, "Sam Ives": 1}

    index = await Directory(store).characters(None)
    assert index.label(index.resolve("Sam")[0].target) == "Sam Oduya"

    spec = await store.packs.export("ranked")
    assert spec is not None and spec.characters["sam-main"].prominence == 900 and spec.characters["walk-on"].prominence is None
    again = tmp_path / "again.yaml"
    again.write_text(dump_pack(spec))
    assert again.read_text().count("prominence:") == 1
    report = await store.packs.import_file(again, force=True)
    assert not report.changed, report.summary()


async def test_prominence_outranks_appearances_when_a_pack_says_so(store: Store) -> None:
    await store.packs.import_checked(check_pack_text(PACK.replace("prominence: 900", "prominence: 99999"), "ranked.yaml"))
    index = await Directory(store).characters(None)
    assert index.label(index.resolve("Sam")[0].target) == "Sam Hale"
    assert [index.label(m.target) for m in index.complete("")][:1] == ["Sam Hale"]


@pytest.mark.parametrize("bad", ["-1", "lots", "1.5"])
def test_a_prominence_must_be_a_whole_number_of_zero_or_more(bad: str) -> None:
    with pytest.raises(PackError, match="prominence"):
        check_pack_text(PACK.replace("prominence: 900", f"prominence: {bad}"), "ranked.yaml")
