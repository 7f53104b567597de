"""Forms of address that come before a name, per language, in one place: "Lord Varys", "Herr Müller",
"Madame Maxime", "Don Diego", "Dona Flor". Matching treats them as optional twice over — one typed
before a name ("Lady Olenna") costs a little, and one a name is credited with ("Queen Margaery
Tyrell", as TVmaze credits roles) may be left out as if the name had none. A pack's own titles
("Khal", "Maester") are not here: they are found through the pack's names.

Words are as `fold` leaves them: lower case, accents and punctuation gone ("Königin" → "konigin").
"""

from __future__ import annotations

from bot.search.name_forms import fold

FORMS_OF_ADDRESS: dict[str, frozenset[str]] = {
    "en": frozenset((
        "mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "sir", "dame", "lord", "lady", "king", "queen",
        "prince", "princess", "captain", "capt", "detective", "det", "officer", "agent", "sergeant", "sgt", "general",
        "colonel", "major", "lieutenant", "lt", "commander", "admiral", "father", "mother", "sister", "brother", "uncle",
        "aunt", "saint", "st", "judge", "president", "senator", "mayor", "chief", "duke", "duchess", "count", "countess",
        "baron", "baroness", "emperor", "empress", "inspector", "nurse", "reverend", "rev",
    )),
    "de": frozenset((
        "herr", "frau", "fraulein", "konig", "konigin", "graf", "grafin", "furst", "furstin", "prinz", "prinzessin",
        "kaiser", "kaiserin", "herzog", "herzogin", "doktor", "kommissar", "kommissarin", "hauptmann", "kapitan",
        "onkel", "tante", "schwester", "bruder", "pater",
    )),
    "fr": frozenset((
        "monsieur", "madame", "mademoiselle", "mme", "mlle", "roi", "reine", "princesse", "comte", "comtesse", "duc",
        "duchesse", "docteur", "capitaine", "commissaire", "inspecteur", "pere", "mere", "soeur", "frere", "oncle",
        "tante", "sainte", "maitre",
    )),
    "es": frozenset((
        "senor", "senora", "senorita", "sr", "sra", "srta", "don", "dona", "rey", "reina", "principe", "princesa",
        "conde", "condesa", "duque", "duquesa", "doctora", "capitan", "inspectora", "padre", "madre", "hermano",
        "hermana", "tio", "tia", "san", "santa",
    )),
    "pt": frozenset((
        "senhor", "senhora", "dom", "dona", "rei", "rainha", "principe", "princesa", "conde", "condessa", "doutor",
        "doutora", "capitao", "padre", "irmao", "irma", "santo", "santa",
    )),
}
HONORIFICS: frozenset[str] = frozenset().union(*FORMS_OF_ADDRESS.values())
# Forms that are also given names or plain words ("Don Draper", "Rey", "Major" as a rank held by name):
# a credited one is left out only before a name of two words or more, never leaving a lone surname.
GIVEN_NAMES_TOO = frozenset(("don", "dom", "rey", "san", "santa", "santo", "padre", "major", "general", "chief", "count"))
_NOT_A_NAME = frozenset(("of", "in", "the", "and", "who", "de", "du", "von", "van", "la", "le", "el"))


def credited_without_honorific(text: str, folded: str) -> str | None:
    """The name a credited name stands for without its leading form of address ("Queen Margaery Tyrell"
    → "Margaery Tyrell", "Lord Varys" → "Varys"), or None when it has none or what follows is no name
    ("Queen of Thorns", "King in the North", "Don Draper")."""
    words = folded.split(" ")
    given = text.split(None, 1)
    if len(given) < 2 or fold(given[0]) != words[0]:  # "The Queen …": the article comes first
        return None
    if len(words) < 2 or words[0] not in HONORIFICS or words[1] in _NOT_A_NAME:
        return None
    if words[0] in GIVEN_NAMES_TOO and len(words) < 3:
        return None
    rest = given[1]
    return rest if rest[0].isupper() and len(words[1]) >= 2 else None


# Short forms of one form of address: "Dr Strange" and "Doctor Strange" are one title, "Ms" and "Mr" are not.
_FULL = {"dr": "doctor", "prof": "professor", "capt": "captain", "det": "detective", "sgt": "sergeant", "lt": "lieutenant",
         "st": "saint", "rev": "reverend", "sr": "senor", "sra": "senora", "srta": "senorita", "mme": "madame", "mlle": "mademoiselle"}


def same_address(one: str, other: str) -> bool:
    """Whether two forms of address are one, written in full or short ("dr" / "doctor")."""
    return _FULL.get(one, one) == _FULL.get(other, other)
