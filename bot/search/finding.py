"""Turning what a member typed into a character or series of the fandoms their server follows,
with the same answers everywhere: the one meant, others that fit as well, or what to try instead."""

from __future__ import annotations

from dataclasses import dataclass

from discord import app_commands

from bot.errors import UserFacingError
from bot.formatting import literal, quote_typed
from bot.i18n import ENGLISH, N_, _, current_locale
from bot.i18n.formats import listing
from bot.input.autocomplete import choice, offered
from bot.search.matching import Match
from bot.search.scoped_index import ScopedIndex

NO_FANDOM = N_(
    "This server doesn't follow any fandom yet, so there is nothing to look up. "
    "A moderator (Manage Server) can add one with `/fandom follow`; `/fandom list` shows the fandoms on this bot."
)
NO_FANDOM_IN_DMS = N_("There is nothing to look up: this bot holds no fandom yet. Its operator adds them.")
# A hint is passed as it is defined (English) and translated where the refusal is written.
CHARACTER_HINT = N_("Try a character's name, another name they go by, or the actor who plays them.")
SERIES_HINT = N_("Try one of the titles autocomplete offers.")
# What `find` looks for → (no match, with names to suggest; no match, with the hint).
_NOT_FOUND = {
    "character": (N_("No character matches “{typed}”. Did you mean {names}?"), N_("No character matches “{typed}”. {hint}")),
    "series": (N_("No series matches “{typed}”. Did you mean {names}?"), N_("No series matches “{typed}”. {hint}")),
}


def no_fandom(guild_id: int | None) -> str:
    """Why there is nothing to look up, and what to do: a server's moderators choose its fandoms;
    outside a server (a DM, a group DM, a server the bot is not in) every fandom the bot holds is seen."""
    return _(NO_FANDOM) if guild_id is not None else _(NO_FANDOM_IN_DMS)


@dataclass(frozen=True, slots=True)
class Found:
    target: int
    others: tuple[str, ...]  # other targets that fit the typed name about as well, as shown to people


def find(index: ScopedIndex, typed: str, what: str, hint: str, *, guild_id: int | None) -> Found:
    """The target meant by `typed`, or a UserFacingError that says why not and what to try."""
    if not len(index):
        raise UserFacingError(no_fandom(guild_id))
    found = index.resolve(typed)
    if not found:
        raise not_found(what, typed, index, hint)
    others = tuple(dict.fromkeys(index.display(m.target) for m in found[1:] if m.target != found[0].target))
    return Found(found[0].target, others[:5])


class NotFound(UserFacingError):
    """Nothing fits what was typed. The answer is private, so its "did you mean" may be suggested again
    from the index as the member asking sees it (`again`), when the search followed the channel's."""

    def __init__(self, what: str, typed: str, hint: str, message: str) -> None:
        super().__init__(message)
        self.what, self.typed, self.hint = what, typed, hint

    def again(self, index: ScopedIndex) -> NotFound:
        return not_found(self.what, self.typed, index, self.hint)


def not_found(what: str, typed: str, index: ScopedIndex, hint: str) -> NotFound:
    suggestions = [f"**{literal(index.display(m.target))}**" for m in index.suggest(typed)]
    suggesting, hinting = _NOT_FOUND.get(what) or (
        "No " + what + " matches “{typed}”. Did you mean {names}?", "No " + what + " matches “{typed}”. {hint}"
    )
    if suggestions:
        return NotFound(what, typed, hint, _(suggesting, typed=quote_typed(typed), names=_alternatives(suggestions)))
    return NotFound(what, typed, hint, _(hinting, typed=quote_typed(typed), hint=_(hint)))


def _alternatives(names: list[str]) -> str:
    """'A, B, C' as the bot always wrote it in English; 'A, B oder C' in the other languages."""
    return ", ".join(names) if current_locale() == ENGLISH else listing(names, style="or")


def also_line(found: Found) -> str:
    """'Also: …' under an answer when other targets fit the typed name about as well."""
    if not found.others:
        return ""
    names = listing([f"**{literal(o)}**" for o in found.others])
    return _("Also: {names} — type more of the name to pick another.", names=names)


def choices(index: ScopedIndex, matches: list[Match]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for the matches, best first."""
    return offered(name_choice(index, m) for m in matches)


def name_choice(index: ScopedIndex, match: Match) -> app_commands.Choice[str] | None:
    """The name (with its show for namesakes) as value, and why it matched when that isn't obvious."""
    entry = match.entry
    shown = index.display(match.target)
    hint = "" if entry.kind == "name" or entry.text == entry.label else f" ({entry.text})"
    return choice(shown, shown, detail=hint, ref=index.reference(match.target))
