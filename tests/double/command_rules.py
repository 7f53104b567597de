"""What Discord checks in a command set beyond its OpenAPI schema (bulk overwrite answers 400, 50035
Invalid Form Body): names lowercase by its pattern, localizations only for its locales and within the
same rules, names unique among siblings in every language, at most 25 options and choices."""

from __future__ import annotations

import re
from typing import Any

# Discord's locales (https://discord.com/developers/docs/reference#locales).
LOCALES = frozenset({
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR", "ro", "fi",
    "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
})
# ^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$ for chat input commands and options; \w is letters, digits, _.
NAME = re.compile(r"^[-_\w]{1,32}$")
CHAT_INPUT = 1
MAX_OPTIONS = 25
MAX_CHOICES = 25


def command_set_problems(commands: list[dict[str, Any]]) -> list[str]:
    """Every way a bulk overwrite of commands breaks Discord's rules, as `path: problem`."""
    problems: list[str] = []
    _siblings(commands, "commands", problems)
    for i, command in enumerate(commands):
        if command.get("type", CHAT_INPUT) == CHAT_INPUT:
            _named(command, f"commands.{i}", problems)
            _options(command.get("options") or [], f"commands.{i}.options", problems)
    return problems


def _named(item: dict[str, Any], where: str, problems: list[str]) -> None:
    named = [("name", item.get("name")), *((f"name_localizations.{k}", v) for k, v in (item.get("name_localizations") or {}).items())]
    for key, text in named:
        if not isinstance(text, str) or not NAME.match(text) or text != text.lower():
            problems.append(f"{where}.{key}: {text!r} is not a valid name (lowercase, 1–32, no spaces)")
    described = [("description", item.get("description")), *(
        (f"description_localizations.{k}", v) for k, v in (item.get("description_localizations") or {}).items()
    )]
    for key, text in described:
        if not isinstance(text, str) or not 1 <= len(text) <= 100:
            problems.append(f"{where}.{key}: a description is 1–100 characters")
    for kind in ("name_localizations", "description_localizations"):
        if unknown := set(item.get(kind) or {}) - LOCALES:
            problems.append(f"{where}.{kind}: {sorted(unknown)} are not Discord locales")


def _options(options: list[dict[str, Any]], where: str, problems: list[str]) -> None:
    if len(options) > MAX_OPTIONS:
        problems.append(f"{where}: {len(options)} options > {MAX_OPTIONS}")
    _siblings(options, where, problems)
    for i, option in enumerate(options):
        _named(option, f"{where}.{i}", problems)
        choices = option.get("choices") or []
        if len(choices) > MAX_CHOICES:
            problems.append(f"{where}.{i}.choices: {len(choices)} > {MAX_CHOICES}")
        for j, choice in enumerate(choices):
            for key, text in [("name", choice.get("name")), *(
                (f"name_localizations.{k}", v) for k, v in (choice.get("name_localizations") or {}).items()
            )]:
                if not isinstance(text, str) or not 1 <= len(text) <= 100:
                    problems.append(f"{where}.{i}.choices.{j}.{key}: a choice name is 1–100 characters")
            if unknown := set(choice.get("name_localizations") or {}) - LOCALES:
                problems.append(f"{where}.{i}.choices.{j}.name_localizations: {sorted(unknown)} are not Discord locales")
        _options(option.get("options") or [], f"{where}.{i}.options", problems)


def _siblings(items: list[dict[str, Any]], where: str, problems: list[str]) -> None:
    """Two siblings of one kind never share a name, in English or in any one locale."""
    by_type: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        by_type.setdefault(int(item.get("type", CHAT_INPUT)) if where == "commands" else 0, []).append(item)
    for group in by_type.values():
        for locale in {None} | {k for item in group for k in (item.get("name_localizations") or {})}:
            names = [(item.get("name_localizations") or {}).get(locale, item.get("name")) if locale else item.get("name") for item in group]
            if duplicated := sorted({str(n) for n in names if names.count(n) > 1}):
                problems.append(f"{where}: the names {duplicated} repeat{f' in {locale}' if locale else ''}")
