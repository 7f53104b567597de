"""This process's writes of members' progress and spoiler settings, counted."""

from __future__ import annotations


class ViewerChanges:
    """Counts this process's committed writes of members' progress and of spoiler settings: what is
    remembered of them (bot/spoilers/sights.py) is stamped with the count read before it was read."""

    def __init__(self) -> None:
        self.revision = 0

    def bump(self) -> None:
        self.revision += 1
