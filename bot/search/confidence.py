"""When a close match is sure enough to be the answer, and when it is only worth a "did you mean".

An exact name is always an answer. A close one is an answer when what was typed is in the name — or
the name belongs to someone prominent. A lookup for a name in no followed fandom ("Batman" on a Marvel
wiki that has only Jasper Bateman) then says "not found" and suggests, rather than presenting an
obscure near-spelling as the answer, while a typo of a main character ("Tyrion Lanister", "Misandei")
still answers. Three rules, each cheap on the few matches a lookup keeps:

- no typed word is a word of the name (every one only spelled close): sure only for a notable target;
- a typed form of address left out ("Ms. Marvel") and the rest only part of the name: the same;
  a name credited with another form of address ("Mr. Marvel") is not the one typed at all;
- the typed words only inside the name's parentheses, and not all of them ("Daredevil" in "Condor
  (Daredevil Foe)"): a description, not a name ("Kid Loki" in "Loki Laufeyson (Kid Loki)" is one);
  and then a name holding only some of the typed words is no answer either ("Spider-Woman" is not
  Spider-Man).

Notable: among the most prominent tenth of the pack, or its hundred most prominent (billing,
appearances, a pack's `prominence:`); so in a show's cast of a few dozen every close match is an
answer, as before, and so in a pack that ranks no one (every weight 0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.search.honorifics import HONORIFICS, same_address
from bot.search.name_forms import fold, joined_words

NOTABLE_SHARE = 0.10  # the most prominent tenth of a pack's characters…
NOTABLE_LEAST = 100  # …but at least this many: in a show's cast of a few dozen, every one is followed
_PARENTHESES = re.compile(r"\(([^)]*)\)")


def notable_weight(weights: Iterable[int]) -> int:
    """The least weight among a pack's most prominent (a tenth, at least a hundred): a close match is
    sure for these."""
    ranked = sorted(weights, reverse=True)
    return ranked[min(max(int(len(ranked) * NOTABLE_SHARE), NOTABLE_LEAST), len(ranked) - 1)] if ranked else 0


def sure(typed: str, text: str, label: str, weight: int, notable: int, *, described_elsewhere: bool = False) -> bool:
    """Whether a close (not exact) match of `typed` to the name `text` (of the target called `label`) is
    sure enough to be the answer. `described_elsewhere`: the typed words are a description in another
    name ("Spider-Woman" in "Ralph (Spider-Woman Character)"): they mean something, only what is not
    here — so a name holding only some of them is no answer."""
    words = fold(typed).split(" ")
    name = fold(text).split(" ")
    if described(words, text):
        return False
    dropped = False
    if len(words) > 1 and words[0] in HONORIFICS and words[0] not in name:
        address = fold(label).split(" ")[0]
        if address in HONORIFICS and not same_address(words[0], address):
            return False  # "Ms. Marvel" is not "Mr. Marvel", credited so
        words, dropped = words[1:], True
        if name[0] in HONORIFICS:
            name = name[1:]
    held = set(name) | set(joined_words(text, name))
    if described_elsewhere and not all(word in held for word in words):
        return False
    weak = not any(word in held for word in words) or (dropped and words != name)
    return not weak or weight >= notable


def described(words: list[str], text: str) -> bool:
    """Every typed word inside the name's parentheses, not all of what they hold: a description."""
    inside = [fold(part).split(" ") for part in _PARENTHESES.findall(text)]
    if not inside:
        return False
    outside = set(fold(_PARENTHESES.sub(" ", text)).split(" "))
    return any(set(words) <= set(part) and words != part for part in inside) and not set(words) & outside
