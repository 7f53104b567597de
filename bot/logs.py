"""Logging set-up: one stderr handler whose formatter scrubs credentials from every line.

The bot token is replaced wherever it appears. So are interaction and webhook tokens, which discord.py
logs at DEBUG inside gateway payloads (`'token': '…'`) and REST URLs (`/interactions/<id>/<token>/…`,
`/webhooks/<id>/<token>`): each lets anyone answer as the bot for 15 minutes.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

REDACTED = "[redacted]"
_TOKEN_IN_PATH = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/?#\s'\"]+")
_TOKEN_FIELD = re.compile(r"""(["']token["']\s*:\s*["'])[^"']+""")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each secret, and every interaction or webhook token, replaced by [redacted]."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    if "token" in text:
        text = _TOKEN_FIELD.sub(rf"\g<1>{REDACTED}", text)
    if "/interactions/" in text or "/webhooks/" in text:
        text = _TOKEN_IN_PATH.sub(rf"\g<1>{REDACTED}", text)
    return text


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then scrubs credentials — in messages, arguments and tracebacks alike."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
