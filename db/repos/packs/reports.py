"""What an import did, apart from the importing itself (db/repos/packs/importing.py): start-up reports an
unchanged file as skipped without loading the pack format."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from db.facts.models import ReleaseMove


@dataclass(frozen=True, slots=True)
class Adoption:
    """A pack declaring `sync: {tvmaze: ID}` found that show's fandom already on the bot (a server had added
    it) and took it over under its own id: same rows, so releases, polls and reminders stay theirs."""

    previous: str  # the fandom's key until now, e.g. `tvmaze-ID`
    show_id: int
    followers: int  # servers whose follow moved to the pack's id

    def summary(self, pack: str) -> str:
        return (
            f"pack `{pack}` adopted the fandom `{self.previous}` (TVmaze show {self.show_id}), which syncs the same "
            f"show: renamed to `{pack}`, its {self.followers} server follow(s), releases, polls and reminders kept; "
            "the next TVmaze sync merges the file into it"
        )


@dataclass
class ImportReport:
    pack: str
    skipped: bool = False  # the store already held exactly this pack
    parsed: bool = True  # False when the file's bytes were known, so it was not even read as YAML
    added: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    removed: Counter[str] = field(default_factory=Counter)
    # Releases whose pack-level instant changed, appeared or went on this re-import (none on a first import).
    moved: list[ReleaseMove] = field(default_factory=list)
    adopted: Adoption | None = None  # the pack took over a fandom that already synced its TVmaze show

    @property
    def changed(self) -> bool:
        return any(sum(c.values()) for c in (self.added, self.updated, self.removed))

    def summary(self) -> str:
        if self.adopted is not None:
            return self.adopted.summary(self.pack)
        if self.skipped and not self.parsed:
            return f"pack `{self.pack}`: file unchanged since it was imported; not parsed"
        if self.skipped:
            return f"pack `{self.pack}` is already up to date; nothing changed"
        return (
            f"pack `{self.pack}`: {sum(self.added.values())} rows added, "
            f"{sum(self.updated.values())} updated, {sum(self.removed.values())} removed"
        )
