"""The message catalogs: extract every fixed text, merge it into each locale's `.po`, compile the `.mo`,
and fail `make check` when a catalog misses one.

The texts come from two places:
- the code, through Babel's extractor: `_("…")`, `N_("…")`, `ngettext("…", "…", n)` and
  `pgettext("context", "…")` in bot/, cogs/ and db/;
- the command surface as Discord receives it: the bot's extensions are loaded (on a throwaway SQLite
  store, nothing connects) and every name, description, option and choice discord.py would translate
  is recorded, with the context the translator looks it up under (bot/i18n/commands.py).

    python -m tests.catalog_check            # check (make check): exit 1 lists what is missing or wrong
    python -m tests.catalog_check --update   # make catalogs: merge new texts in, drop gone ones, compile
    python -m tests.catalog_check --update --fragments DIR   # also take translations from DIR/*.json
    python -m tests.catalog_check --missing [--under PATH] [--fragments DIR]   # what is untranslated, as JSON

A fragment is a JSON list of {"msgid", "msgctxt"?, "msgid_plural"?, "de", "fr", "es_ES", "pt_BR"}, each
translation a string (a list of forms for a plural); it fills only entries still untranslated.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import copy
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n.commands import surface_context, valid_translation
from bot.i18n.locales import CATALOGS
from bot.i18n.speech import DOMAIN, LOCALES_DIR

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "cogs", "db")
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)?(?:[!:][^{}]*)?\}(?!\})")
PROJECT = "fandex"
HEADER = (
    "# {language} catalog of fandex's fixed texts.\n"
    "# `make catalogs` merges new texts in (msgstr empty) and compiles the .mo; `make check` fails until each is\n"
    "# translated. Keep every {{placeholder}} as it is; a command or option name is lowercase, without spaces."
)


def po_path(code: str) -> Path:
    return LOCALES_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(code: str) -> Path:
    return po_path(code).with_suffix(".mo")


# --- extraction ---------------------------------------------------------------------------------


def extract_code(template: Catalog) -> None:
    for source in SOURCES:
        found = extract_from_dir(
            str(ROOT / source), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("i18n:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            if isinstance(message, tuple) and not all(message):  # a call whose first argument is not a literal
                continue
            if not message:
                continue
            where = (f"{source}/{filename}", lineno)
            template.add(message, locations=[where], auto_comments=comments, context=context)


def extract_surface(template: Catalog) -> None:
    for context, text, module in asyncio.run(command_surface()):
        where = (module.replace(".", "/") + ".py", 0)
        template.add(text, locations=[where], context=context)


async def command_surface() -> list[tuple[str, str, str]]:
    """(context, English text, module) of every string of every command, as the translator sees them."""
    import aiohttp
    from discord import app_commands

    from bot.client import EXTENSIONS, FandexBot
    from bot.settings import Settings
    from bot.tvmaze.client import TvmazeClient
    from db import Store

    found: list[tuple[str, str, str]] = []
    module = ""

    class Recorder(app_commands.Translator):
        async def translate(self, string: app_commands.locale_str, locale: Any, context: Any) -> str | None:
            where = surface_context(context.location)
            if where is not None and (where, string.message, module) not in found:
                found.append((where, string.message, module))
            return None

    with tempfile.TemporaryDirectory() as folder:
        async with Store.open(Path(folder) / "catalogs.sqlite3") as store, aiohttp.ClientSession() as session:
            await store.migrate()
            bot = FandexBot(store=store, settings=Settings(discord_token="catalogs"))  # type: ignore[arg-type]  # never logs in
            bot.tvmaze = TvmazeClient(session, base_url="https://api.tvmaze.com")  # no request is made
            for extension in EXTENSIONS:
                await bot.load_extension(extension)
            recorder = Recorder()
            for command in bot.tree.get_commands():
                module = getattr(command, "module", None) or command.__class__.__module__
                await command.get_translated_payload(bot.tree, recorder)
            for extension in reversed(EXTENSIONS):  # the bot never started: its extensions' tasks end here
                await bot.unload_extension(extension)
    return found


def formatted_before_lookup() -> Iterator[str]:
    """`_(f"…")` or `_("…".format(…))`: the text looked up is not the one in the catalog, so it is never translated."""
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS and node.args):
                    continue
                texts = node.args[1:3] if node.func.id == "pgettext" else node.args[:2] if node.func.id == "ngettext" else node.args[:1]
                for text in texts:
                    if isinstance(text, (ast.JoinedStr, ast.BinOp)) or (
                        isinstance(text, ast.Call) and isinstance(text.func, ast.Attribute) and text.func.attr == "format"
                    ):
                        yield f"{path.relative_to(ROOT)}:{node.lineno}: {node.func.id}() of a text built before the lookup"


def template_catalog() -> Catalog:
    template = Catalog(project=PROJECT, fuzzy=False)
    extract_code(template)
    extract_surface(template)
    return template


# --- reading, merging, compiling -------------------------------------------------------------------


def read(code: str) -> Catalog:
    path = po_path(code)
    if not path.exists():
        return Catalog(locale=code, project=PROJECT, domain=DOMAIN, fuzzy=False)
    with path.open("rb") as file:
        return read_po(file, locale=code, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def written(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=120, omit_header=False, sort_output=False, include_previous=False, include_lineno=False)
    return out.getvalue()


def translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return not message.fuzzy and all(strings)


def placeholders(text: str) -> set[str]:
    return {m.group(1) or "" for m in PLACEHOLDER.finditer(text)}


def problems_of(code: str, template: Catalog, catalog: Catalog) -> Iterator[str]:
    for wanted in template:
        if not wanted.id:
            continue
        found = catalog.get(wanted.id, context=wanted.context)
        label = f"{code}: {wanted.context + ' | ' if wanted.context else ''}{_first(wanted.id)!r}"
        if found is None or not translated(found):
            yield f"{label} is not translated"
            continue
        english = _all(wanted.id)
        expected = set().union(*(placeholders(e) for e in english))
        for form in _all(found.string):
            if placeholders(form) - expected:
                yield f"{label}: {form!r} has a placeholder the English has not"
            if len(english) == 1 and placeholders(form) != expected:
                yield f"{label}: {form!r} does not keep the placeholders {sorted(expected)}"
        if wanted.context and not all(valid_translation(wanted.context, form) for form in _all(found.string)):
            yield f"{label}: {_first(found.string)!r} breaks Discord's rule for a {wanted.context}"


def _all(value: Any) -> list[str]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _first(value: Any) -> str:
    return _all(value)[0]


def merge(template: Catalog, code: str, fragments: list[dict[str, Any]]) -> Catalog:
    catalog = read(code)
    template = copy.deepcopy(template)  # update() adopts the template's messages: filling one would fill every locale
    catalog.update(template, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=False)
    catalog.obsolete.clear()
    catalog.fuzzy = False
    catalog.header_comment = HEADER.format(language=catalog.locale.english_name if catalog.locale else code)
    catalog.copyright_holder = catalog.language_team = catalog.last_translator = "fandex"
    catalog.msgid_bugs_address = "where /about says (SUPPORT_URL)"
    for entry in fragments:
        key = entry["msgid"] if "msgid_plural" not in entry else (entry["msgid"], entry["msgid_plural"])
        message = catalog.get(key if isinstance(key, str) else key[0], context=entry.get("msgctxt"))
        value = entry.get(code)
        if message is None or value is None or translated(message):
            continue
        if message.pluralizable:
            forms = _all(value)
            forms += [forms[-1]] * (catalog.num_plurals - len(forms))
            message.string = tuple(forms[: catalog.num_plurals])
        else:
            message.string = _first(value)
        message.flags.discard("fuzzy")
    return catalog


def load_fragments(folder: Path | None) -> list[dict[str, Any]]:
    if folder is None:
        return []
    entries: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.json")):
        entries.extend(json.loads(path.read_text(encoding="utf-8")))
    return entries


# --- the commands --------------------------------------------------------------------------------


def check(template: Catalog) -> int:
    problems: list[str] = list(formatted_before_lookup())
    counts: list[str] = []
    for code in CATALOGS:
        catalog = read(code)
        found = list(problems_of(code, template, catalog))
        problems += found
        total = sum(1 for m in template if m.id)
        missing = sum(1 for p in found if p.endswith("is not translated"))
        counts.append(f"{code} {total - missing}/{total}")
        if not mo_path(code).exists() or mo_path(code).read_bytes() != compiled(catalog):
            problems.append(f"{code}: {mo_path(code).relative_to(ROOT)} is not compiled from its .po: run `make catalogs`")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} catalog problem(s); `make catalogs` merges new texts, then translate them", file=sys.stderr)
        return 1
    print("catalogs complete: " + ", ".join(counts))
    return 0


def update(template: Catalog, fragments: list[dict[str, Any]]) -> None:
    for code in CATALOGS:
        catalog = merge(template, code, fragments)
        po_path(code).parent.mkdir(parents=True, exist_ok=True)
        po_path(code).write_bytes(written(catalog))
        mo_path(code).write_bytes(compiled(read(code)))
        done = sum(1 for m in catalog if m.id and translated(m))
        print(f"{code}: {done}/{sum(1 for m in catalog if m.id)} translated")


def missing(template: Catalog, under: str | None, fragments: list[dict[str, Any]]) -> None:
    skeleton = []
    catalogs = {code: merge(template, code, fragments) for code in CATALOGS}
    for wanted in template:
        if not wanted.id or (under and not any(path.startswith(under) for path, _ in wanted.locations)):
            continue
        lacking = [code for code in CATALOGS if not ((m := catalogs[code].get(wanted.id, context=wanted.context)) and translated(m))]
        if not lacking:
            continue
        entry: dict[str, Any] = {"msgid": _first(wanted.id)}
        if wanted.pluralizable:
            entry["msgid_plural"] = _all(wanted.id)[1]
        if wanted.context:
            entry["msgctxt"] = wanted.context
        entry["where"] = ", ".join(f"{p}:{n}" for p, n in wanted.locations[:3])
        skeleton.append(entry)
    print(json.dumps(skeleton, ensure_ascii=False, indent=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.catalog_check", description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="merge the extracted texts into each .po and compile")
    parser.add_argument("--fragments", type=Path, help="with --update or --missing: a folder of JSON translations to fill in")
    parser.add_argument("--missing", action="store_true", help="print what is untranslated as a JSON skeleton")
    parser.add_argument("--under", help="with --missing: only texts found under this path (e.g. cogs/polls)")
    args = parser.parse_args(argv)
    os.environ.setdefault("WIKIDATA_ALIASES", "off")
    template = template_catalog()
    if args.update:
        update(template, load_fragments(args.fragments))
        return 0
    if args.missing:
        missing(template, args.under, load_fragments(args.fragments))
        return 0
    return check(template)


if __name__ == "__main__":
    sys.exit(main())
