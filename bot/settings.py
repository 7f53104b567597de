"""Settings from the environment and `.env` in the current directory (see .env.example).

Read by hand rather than with pydantic-settings: that library and the pydantic core it builds on cost a
running bot ~10 MiB of RSS for a score of variables read once at start-up (issue 27)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from discord.http import Route
from dotenv import dotenv_values

from bot.launch.shards import parse_shard_count, parse_shard_ids
from bot.tvmaze.addresses import TVMAZE_API_BASE
from bot.wikidata.addresses import WIKIDATA_API_BASE
from db import DefaultFandoms, bundled_packs_dir
from db.backends.database_url import (
    DEFAULT_DATABASE_URL,
    ENV_FILE,
    DatabaseUrlError,
    SqliteTarget,
    StoreTarget,
    parse_database_url,
)

DISCORD_API_BASE = Route.BASE  # discord.py's own default, https://discord.com/api/v10
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
LOG_LEVELS: tuple[LogLevel, ...] = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable and .env.example."""


class Secret:
    """A value kept out of reprs and logs (the bot token); `get_secret_value()` is the only way to it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Settings:
    discord_token: Secret
    database_url: str = DEFAULT_DATABASE_URL
    discord_api_base: str = DISCORD_API_BASE
    dev_guild_id: int | None = None
    fact_pack: Path | None = None  # one pack file; kept for bots set up before FACT_PACKS
    fact_packs: str | None = None  # pack files and/or folders of *.yaml, separated by commas
    default_fandoms: str = "all"  # what a server follows until a moderator chooses: all, none, or pack ids
    log_level: LogLevel = "INFO"
    shard_count: int | None = None  # None: the count GET /gateway/bot recommends
    shard_ids: str | None = None  # the shards this process runs ("0-3", "0,2,5"); None: every shard
    # Seconds between IDENTIFYs of one bucket, bot-wide. Discord's is 5; a local double may use less.
    identify_window: float = 5.0
    tvmaze_api_base: str = TVMAZE_API_BASE  # tests point it at a local double
    tvmaze_imports: Literal["on", "off"] = "on"  # off: /fandom add is refused (TVmaze fandoms still sync)
    tvmaze_sync_hours: float = 12.0
    wikidata_api_base: str = WIKIDATA_API_BASE  # the query service; tests point it at a local double
    wikidata_aliases: Literal["on", "off"] = "on"  # off: no request to Wikidata, TVmaze fandoms have TVmaze's names alone
    # Calls a second this process makes for a burst of scheduled posts (watch-along threads): under
    # Discord's 50 a second per bot; with several processes, give each its share.
    discord_burst_rate: float = 40.0
    # Links /help and /about show; https only, so a member is never sent to a plain-text page. Empty:
    # /help names the docs shipped with the bot's source (docs/commands.md) and /about shows no report link.
    docs_url: str = ""
    support_url: str = ""

    @property
    def shard_id_list(self) -> list[int] | None:
        """The shards this process runs, or None for every shard of the count."""
        return None if self.shard_ids is None else parse_shard_ids(self.shard_ids, self.shard_count)

    @property
    def pack_paths(self) -> list[Path]:
        """The pack files and folders to load: FACT_PACKS, else FACT_PACK, else the bundled folder."""
        if self.fact_packs:
            return [Path(part.strip()).expanduser() for part in self.fact_packs.split(",") if part.strip()]
        if self.fact_pack is not None:
            return [self.fact_pack]
        return [bundled_packs_dir()]

    @property
    def fandom_defaults(self) -> DefaultFandoms:
        return DefaultFandoms.parse(self.default_fandoms)

    @property
    def database(self) -> StoreTarget:
        return parse_database_url(self.database_url)

    @property
    def single_process_store(self) -> bool:
        """SQLite: one bot process at a time (several need PostgreSQL)."""
        return isinstance(self.database, SqliteTarget)

    @property
    def custom_api_base(self) -> bool:
        """True when REST goes somewhere other than Discord (a proxy, or a local double)."""
        return self.discord_api_base != DISCORD_API_BASE



def _token(text: str) -> Secret:
    token = text.strip()
    if not token or any(c.isspace() for c in token):
        raise ValueError("must be the bot token alone, without spaces or a 'Bot ' prefix")
    return Secret(token)


def _database_url(text: str) -> str:
    try:
        parse_database_url(text)
    except DatabaseUrlError as exc:
        raise ValueError(str(exc)) from None
    return text


def _http(example: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text.startswith(("http://", "https://")):
            raise ValueError(f"must be an http:// or https:// URL such as {example}")
        return text.rstrip("/")

    return parse


def _whole(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"must be a whole number (got {text!r})") from None


def _number(most: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise ValueError(f"must be a number above 0 and at most {most:g} (got {text!r})") from None
        if not 0 < value <= most:  # NaN fails too
            raise ValueError(f"must be a number above 0 and at most {most:g} (got {text!r})")
        return value

    return parse


def _one_of(*choices: str, fold: Callable[[str], str]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = fold(text.strip())
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)} (got {text!r})")
        return value

    return parse


def _https_link(text: str) -> str:
    value = text.strip()
    if value and (not value.startswith("https://") or any(c.isspace() for c in value) or len(value) > 512):
        raise ValueError("must be an https:// URL (at most 512 characters, no spaces) such as https://example.org/fandex, or empty")
    return value


def _fandoms(text: str) -> str:
    DefaultFandoms.parse(text)  # ValueError names what is accepted
    return text


# Each variable (its field's name in capitals) and how its text becomes the field's value.
_READERS: dict[str, Callable[[str], Any]] = {
    "discord_token": _token,
    "database_url": _database_url,
    "discord_api_base": _http("https://discord.com/api/v10"),
    "dev_guild_id": _whole,
    "fact_pack": Path,
    "fact_packs": str,
    "default_fandoms": _fandoms,
    "log_level": _one_of(*LOG_LEVELS, fold=str.upper),
    "shard_count": parse_shard_count,
    "shard_ids": str,  # checked against SHARD_COUNT below
    "identify_window": _number(60),
    "tvmaze_api_base": _http(TVMAZE_API_BASE),
    "tvmaze_imports": _one_of("on", "off", fold=str.lower),
    "tvmaze_sync_hours": _number(24 * 30),
    "wikidata_api_base": _http(WIKIDATA_API_BASE),
    "wikidata_aliases": _one_of("on", "off", fold=str.lower),
    "discord_burst_rate": _number(50),
    "docs_url": _https_link,
    "support_url": _https_link,
}


def _variables() -> dict[str, str]:
    """Every variable set to something, by lower-case name: `.env`, then the environment over it."""
    found = {k.lower(): v for k, v in dotenv_values(ENV_FILE).items() if v} if Path(ENV_FILE).is_file() else {}
    found |= {k.lower(): v for k, v in os.environ.items() if v}
    return found


def load_settings() -> Settings:
    """Read settings; every bad or missing variable is named in one line, with what is accepted."""
    given = _variables()
    values: dict[str, Any] = {}
    problems: list[str] = []
    refused: set[str] = set()
    for name, read in _READERS.items():
        if name not in given:
            if name == "discord_token":
                problems.append("DISCORD_TOKEN is not set")
            continue
        try:
            values[name] = read(given[name])
        except ValueError as exc:
            problems.append(f"{name.upper()} {exc}")
            refused.add(name)
    if "shard_ids" in values and "shard_count" not in refused:  # a refused count is not blamed on the ids too
        try:
            parse_shard_ids(values["shard_ids"], values.get("shard_count"))
        except ValueError as exc:
            problems.append(f"SHARD_IDS {exc}")
    if problems:
        raise SettingsError("; ".join(problems) + " — set it in the environment or in .env (see .env.example)")
    return Settings(**values)
