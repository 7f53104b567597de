"""The limits Discord enforces that its OpenAPI spec cannot express: Discord answers 400 (50035,
Invalid Form Body) to a message over them, and so does the double."""

from __future__ import annotations

from typing import Any

from bot import limits


def message_problems(data: dict[str, Any]) -> list[str]:
    """Every way a message body (content, embeds, autocomplete choices) is over Discord's limits."""
    problems: list[str] = []
    content = data.get("content")
    if isinstance(content, str) and len(content) > limits.CONTENT:
        problems.append(f"content: {len(content)} characters > {limits.CONTENT}")
    embeds = data.get("embeds") or []
    total = 0
    for n, embed in enumerate(embeds):
        fields = embed.get("fields") or []
        parts = {
            "title": (embed.get("title") or "", limits.EMBED_TITLE),
            "description": (embed.get("description") or "", limits.EMBED_DESCRIPTION),
            "footer.text": ((embed.get("footer") or {}).get("text") or "", limits.EMBED_FOOTER),
            "author.name": ((embed.get("author") or {}).get("name") or "", limits.EMBED_AUTHOR),
        }
        for i, f in enumerate(fields):
            parts[f"fields.{i}.name"] = (f.get("name") or "", limits.EMBED_FIELD_NAME)
            parts[f"fields.{i}.value"] = (f.get("value") or "", limits.EMBED_FIELD_VALUE)
            if not (f.get("name") or "").strip() or not (f.get("value") or "").strip():
                problems.append(f"embeds.{n}.fields.{i}: a field needs a name and a value")
        for where, (text, limit) in parts.items():
            if len(text) > limit:
                problems.append(f"embeds.{n}.{where}: {len(text)} characters > {limit}")
        if len(fields) > limits.EMBED_FIELDS:
            problems.append(f"embeds.{n}.fields: {len(fields)} > {limits.EMBED_FIELDS}")
        total += sum(len(text) for text, _ in parts.values())
    if total > limits.EMBED_TOTAL:
        problems.append(f"embeds: {total} characters in all > {limits.EMBED_TOTAL}")
    choices = data.get("choices")
    if isinstance(choices, list):
        if len(choices) > limits.CHOICES:
            problems.append(f"choices: {len(choices)} > {limits.CHOICES}")
        for i, choice in enumerate(choices):
            if len(str(choice.get("name", ""))) > limits.CHOICE_NAME or len(str(choice.get("value", ""))) > limits.CHOICE_VALUE:
                problems.append(f"choices.{i}: name or value over {limits.CHOICE_NAME} characters")
    return problems
