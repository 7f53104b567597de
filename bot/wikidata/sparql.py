"""The one SPARQL query fandex sends Wikidata per show, and its answer read into typed names.

The series is found by its TVmaze series ID (P8600, the show id as a string); its characters by
"present in work" (P1441) = the series. Each row names one thing: a label or alias (skos:altLabel)
of the series or of a character, in the bot's languages, or a character's performer (P175) by English
label. The answer is SPARQL 1.1's JSON results shape (https://www.w3.org/TR/sparql11-results-json/):
`head.vars`, and `results.bindings`, a list of `{var: {"type", "value", "xml:lang"}}`. Anything else
raises `WikidataError`, so a caller never sees a KeyError.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from db.repos.packs.wikidata import Role, WikidataName

# The bot's languages, as Wikidata spells them (Discord's pt-BR is Wikidata's pt-br).
LANGUAGES = ("en", "de", "fr", "es", "pt-br")
ENTITY_PREFIX = "http://www.wikidata.org/entity/"
_ENTITY = re.compile(r"Q[1-9][0-9]{0,11}")
_ROLES: dict[str, Role] = {"label": "label", "alias": "alias", "performer": "performer"}  # the query's `?field`
LONGEST = 200  # characters of one name kept; a longer "name" is someone's sentence
WikidataFailure = Literal["unreachable", "rate_limited", "malformed", "too_large"]


class WikidataError(Exception):
    """Wikidata could not give what was asked; `kind` says why, `str()` says it in a sentence."""

    def __init__(self, kind: WikidataFailure, message: str) -> None:
        super().__init__(message)
        self.kind: WikidataFailure = kind


def show_query(show_id: int) -> str:
    """The query for TVmaze show `show_id`: one row per name (see the module's docstring)."""
    if not isinstance(show_id, int) or isinstance(show_id, bool) or show_id < 1:
        raise ValueError(f"a TVmaze show id is a positive whole number, not {show_id!r}")
    languages = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    return f"""SELECT ?series ?character ?field ?text WHERE {{
  ?series wdt:P8600 "{show_id}" .
  {{ ?series rdfs:label ?text . BIND("label" AS ?field) }}
  UNION {{ ?series skos:altLabel ?text . BIND("alias" AS ?field) }}
  UNION {{ ?character wdt:P1441 ?series ; rdfs:label ?text . BIND("label" AS ?field) }}
  UNION {{ ?character wdt:P1441 ?series ; skos:altLabel ?text . BIND("alias" AS ?field) }}
  UNION {{ ?character wdt:P1441 ?series ; wdt:P175 ?performer . ?performer rdfs:label ?text .
           FILTER(LANG(?text) = "en") BIND("performer" AS ?field) }}
  FILTER(LANG(?text) IN ({languages}))
}}
LIMIT 20000"""


def parse_show(data: Any) -> tuple[str | None, tuple[WikidataName, ...]]:
    """The series' item (None: no item has the show's TVmaze id) and every name the answer gives."""
    if not isinstance(data, dict) or not isinstance(data.get("head"), dict):
        raise _malformed("no `head`")
    if not isinstance(data["head"].get("vars"), list):
        raise _malformed("no `head.vars`")
    results = data.get("results")
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(bindings, list):
        raise _malformed("no `results.bindings` list")
    series: set[str] = set()
    names: set[WikidataName] = set()
    for row in bindings:
        if not isinstance(row, dict):
            raise _malformed("a binding that is not an object")
        entity = _entity(row.get("series"))
        if entity is None:
            raise _malformed("a row without its series")
        series.add(entity)
        character = _entity(row.get("character")) if "character" in row else None
        if "character" in row and character is None:
            raise _malformed("a character that is not a Wikidata item")
        field = _literal(row.get("field"))
        role = _ROLES.get(field[0]) if field is not None else None
        if role is None:
            raise _malformed(f"an unknown field {field!r}")
        name = _literal(row.get("text"))
        if name is None:
            raise _malformed("a row without its text")
        value, lang = " ".join(name[0].split()), name[1]
        if not value or len(value) > LONGEST:
            continue
        if character is None and role != "performer":
            names.add(WikidataName(entity, "series", role, value, lang))
        elif character is not None:
            names.add(WikidataName(character, "character", role, value, lang))
    if len(series) > 1:  # two items claim the show: which is meant is a guess, and fandex does not guess
        return None, ()
    return next(iter(series), None), tuple(sorted(names))


def _entity(term: Any) -> str | None:
    """An item's Q-id from a `uri` term, or None for anything else."""
    if not isinstance(term, dict) or term.get("type") != "uri" or not isinstance(term.get("value"), str):
        return None
    value: str = term["value"]
    if not value.startswith(ENTITY_PREFIX) or not _ENTITY.fullmatch(value[len(ENTITY_PREFIX):]):
        return None
    return value[len(ENTITY_PREFIX):]


def _literal(term: Any) -> tuple[str, str] | None:
    """A literal's text and language ("" when it has none)."""
    if not isinstance(term, dict) or term.get("type") != "literal" or not isinstance(term.get("value"), str):
        return None
    lang = term.get("xml:lang", "")
    return (term["value"], lang.lower()) if isinstance(lang, str) else None


def _malformed(what: str) -> WikidataError:
    return WikidataError("malformed", f"Wikidata sent an answer fandex could not read ({what}).")
