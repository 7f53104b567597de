"""Settings from the environment and `.env` in the current directory (see .env.example)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from discord.http import Route
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core.core_schema import ValidationInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

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


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable and .env.example."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ENV_FILE, env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore")

    discord_token: SecretStr
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
    identify_window: float = Field(default=5.0, gt=0, le=60)
    tvmaze_api_base: str = TVMAZE_API_BASE  # tests point it at a local double
    tvmaze_imports: Literal["on", "off"] = "on"  # off: /fandom add is refused (TVmaze fandoms still sync)
    tvmaze_sync_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    wikidata_api_base: str = WIKIDATA_API_BASE  # the query service; tests point it at a local double
    wikidata_aliases: Literal["on", "off"] = "on"  # off: no request to Wikidata, TVmaze fandoms have TVmaze's names alone
    # Calls a second this process makes for a burst of scheduled posts (watch-along threads): under
    # Discord's 50 a second per bot; with several processes, give each its share.
    discord_burst_rate: float = Field(default=40.0, gt=0, le=50)
    # Links /help and /about show; https only, so a member is never sent to a plain-text page. Empty:
    # /help names the docs shipped with the bot's source (docs/commands.md) and /about shows no report link.
    docs_url: str = ""
    support_url: str = ""

    @field_validator("discord_token")
    @classmethod
    def _token_is_one_word(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        if not token or any(c.isspace() for c in token):
            raise ValueError("must be the bot token alone, without spaces or a 'Bot ' prefix")
        return SecretStr(token)

    @field_validator("database_url")
    @classmethod
    def _database_url_is_known(cls, value: str) -> str:
        try:
            parse_database_url(value)
        except DatabaseUrlError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("discord_api_base")
    @classmethod
    def _api_base_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL such as https://discord.com/api/v10")
        return value.rstrip("/")

    @field_validator("tvmaze_api_base")
    @classmethod
    def _tvmaze_base_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http:// or https:// URL such as {TVMAZE_API_BASE}")
        return value.rstrip("/")

    @field_validator("wikidata_api_base")
    @classmethod
    def _wikidata_base_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"must be an http:// or https:// URL such as {WIKIDATA_API_BASE}")
        return value.rstrip("/")

    @field_validator("docs_url", "support_url")
    @classmethod
    def _link_is_https(cls, value: str) -> str:
        value = value.strip()
        if value and (not value.startswith("https://") or any(c.isspace() for c in value) or len(value) > 512):
            raise ValueError("must be an https:// URL (at most 512 characters, no spaces) such as https://example.org/fandex, or empty")
        return value

    @field_validator("tvmaze_imports", "wikidata_aliases", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("default_fandoms")
    @classmethod
    def _fandoms_parse(cls, value: str) -> str:
        DefaultFandoms.parse(value)  # ValueError names what is accepted
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("shard_count", mode="before")
    @classmethod
    def _shard_count_is_positive(cls, value: object) -> object:
        return parse_shard_count(str(value)) if isinstance(value, str | int) else value

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids_fit_the_count(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and "shard_count" in info.data:  # absent: SHARD_COUNT itself was refused
            parse_shard_ids(value, info.data["shard_count"])
        return value

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


def load_settings() -> Settings:
    """Read settings, turning pydantic's report into one line that names each bad variable."""
    try:
        return Settings()  # type: ignore[call-arg]  # the token comes from the environment
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "settings"
            if err["type"] == "missing":
                problems.append(f"{name} is not set")
            else:
                problems.append(f"{name} {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError(
            "; ".join(problems) + " — set it in the environment or in .env (see .env.example)"
        ) from None
