"""How fans write names, as plain functions: the folded form matching compares, and the forms a
name also goes by — run together ("Spiderman"), shortened ("Ben Grimm"), with an honorific ("Lord
Varys"), or naming someone else before a possessive ("Ned Stark's Bastard")."""

from __future__ import annotations

import re
import unicodedata

_PUNCTUATION = re.compile(r"[^\w\s]")
_POSSESSIVE = re.compile(r"([^(]+?)['’]s\b")  # the phrase before "'s", back to an opening parenthesis
_UNDECOMPOSED = str.maketrans({"ø": "o", "ł": "l", "þ": "th", "æ": "ae", "đ": "d", "œ": "oe", "ð": "d", "ı": "i"})


def fold(text: str, *, keep_article: bool = False) -> str:
    """Case-, accent- and punctuation-insensitive form: 'Élodie' → 'elodie', 'The Hound' → 'hound'."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_UNDECOMPOSED)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = _PUNCTUATION.sub(" ", text.casefold()).split()
    if len(words) > 1 and words[0] == "the" and not keep_article:
        words = words[1:]
    return " ".join(words)


def modifier_words(text: str) -> frozenset[str]:
    """Words of a name that name someone else, before a possessive: "Ned Stark's Bastard", "Deke (Clint
    Barton's neighbor)". A run of them is not the name someone typed."""
    found: list[str] = []
    for possessive in _POSSESSIVE.finditer(text):
        found += fold(possessive.group(1), keep_article=True).split()
    return frozenset(found)


_HYPHENATED = re.compile(r"\w+(?:[-'’](?!s\b)\w+)+")  # not a possessive: "Magneto's" is no name


def joined_words(text: str, parts: list[str]) -> list[str]:
    """Words as fans also type them, run together: "spiderman" (Spider-Man), "obrien" (O'Brien),
    "vanderberg" (van der Berg) — so a name written either way is found."""
    joined = [fold(found).replace(" ", "") for found in _HYPHENATED.findall(text)] if "-" in text or "'" in text or "’" in text else []
    for w, part in enumerate(parts[:-1]):
        if len(part) <= 3:  # a particle (van, der, de, la, o): run it into the words after it
            joined += ["".join(parts[w : w + n]) for n in (2, 3) if w + n <= len(parts)]
    return [word for word in joined if word not in parts]


def first_word_shortened(typed: list[str], name: list[str]) -> bool:
    """The same words but the first, typed as a short form of the name's ("ben grimm" / "benjamin grimm",
    "danny rand" / "daniel rand"): a prefix of it, or its first three letters."""
    first, given = typed[0], name[0]
    return typed[1:] == name[1:] and first != given and len(first) >= 3 and (given.startswith(first) or first[:3] == given[:3])


def middle_left_out(typed: list[str], name: list[str]) -> bool:
    """The name's first and last words typed, some in between left out ("oberyn martell")."""
    if len(typed) < 2 or typed[0] != name[0] or typed[-1] != name[-1]:
        return False
    rest = iter(name[1:-1])
    return all(word in rest for word in typed[1:-1])
