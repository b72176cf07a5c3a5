"""Settings: from the environment and a ``.env`` file, every name prefixed ``GROUNDBOT_``.

The names are a contract (deploy scripts and tools set them). Every field's description
is its help text and its line in the README's settings table. ``load_settings()`` turns a
bad value into one line naming the variable, and never echoes a secret.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PREFIX = "GROUNDBOT_"
# BotFather tokens: the bot's numeric id, a colon, then a 35-ish character secret.
TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
# Telegram's rule for setWebhook's secret_token.
SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

IdSet = Annotated[frozenset[int], NoDecode]


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable, one line per problem."""


def _http_url(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"must be an http:// or https:// URL of {what}")
    return value


class Settings(BaseSettings):
    """Everything groundbot reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,  # VAR= in .env means "not set", not "empty string"
        extra="ignore",
        validate_default=True,
    )

    token: SecretStr = Field(
        description="Bot token from @BotFather (required for `groundbot run`). Never logged.",
    )
    base_url: str = Field(
        "https://api.telegram.org/bot",
        description="Bot API base URL, in python-telegram-bot's base_url form (the token is appended). "
        "Change it for a local Bot API server.",
    )
    knowledge: Path | None = Field(
        None,
        description="Knowledge file or directory to serve (default: the bundled knowledge).",
    )
    data_dir: Path = Field(
        Path("data"),
        description="Directory for the bot's own files: the event log events.db. Created if missing.",
    )
    moderators: IdSet = Field(
        frozenset(),
        description="Comma-separated Telegram user ids allowed to use the moderator commands.",
    )
    allowed_users: IdSet = Field(
        frozenset(),
        description="Comma-separated user ids the bot answers (empty: everyone).",
    )
    allowed_chats: IdSet = Field(
        frozenset(),
        description="Comma-separated chat ids (groups) the bot answers in (empty: every chat).",
    )
    # The moderators' loop (issue 4): event log privacy and retention, knowledge watching.
    hash_user_ids: bool = Field(
        True,
        description="Store user and chat ids in the event log as salted hashes (false: store the ids).",
    )
    retention_days: int | None = Field(
        None,
        description="Delete logged questions, picks and feedback older than this many days (empty: keep all).",
    )
    watch_knowledge: bool = Field(
        False,
        description="Watch the knowledge path and reload when a file changes, telling the moderators "
        "the outcome as /reload does.",
    )
    watch_interval: float = Field(
        2.0,
        description="Seconds between looks at the knowledge files when GROUNDBOT_WATCH_KNOWLEDGE is on.",
    )
    webhook_url: str | None = Field(
        None,
        description="Public HTTPS URL Telegram posts updates to. When set, the bot runs as a webhook "
        "instead of polling.",
    )
    webhook_secret: SecretStr | None = Field(
        None,
        description="Secret Telegram sends with every webhook update (1-256 of A-Z a-z 0-9 _ -); "
        "required in webhook mode. Requests without it get 403.",
    )
    listen: str = Field(
        "127.0.0.1",
        description="Address the webhook and health servers listen on (put a TLS reverse proxy in front "
        "of the webhook).",
    )
    port: int = Field(
        8443,
        description="Port the webhook server listens on.",
    )
    request_timeout: float = Field(
        10.0,
        description="Seconds to wait for the Bot API to answer a request before giving up on it.",
    )
    log_level: str = Field(
        "INFO",
        description="Logging level: DEBUG, INFO, WARNING or ERROR.",
    )
    # Deploy and operate (issue 5): health endpoint, restarts, the per-question log line.
    health_port: int | None = Field(
        None,
        description="Port for GET /healthz (JSON: knowledge loaded, event log writable, last update time) "
        "on GROUNDBOT_LISTEN, in polling and webhook mode alike (empty: no health endpoint).",
    )
    drop_pending_updates: bool = Field(
        False,
        description="Skip the updates that arrived while the bot was down (false: answer them once it is back).",
    )
    semantic: bool = Field(
        True,
        description="Answer paraphrases with the offline embedding model when it is installed (pip install 'groundbot[semantic]'; vectors cached in GROUNDBOT_DATA_DIR/embeddings.db); false: the lexical matcher alone.",
    )
    log_questions: bool = Field(
        False,
        description="Put each question's text in its log line (false: outcome, claim id, score and latency only).",
    )

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not TOKEN_SHAPE.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token (123456:ABC…, from @BotFather)")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        return _http_url(value, "the Bot API")  # type: ignore[return-value]

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return _http_url(value, "this bot's webhook")

    @field_validator("moderators", "allowed_users", "allowed_chats", mode="before")
    @classmethod
    def _id_list(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        ids = set()
        for part in value.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not re.fullmatch(r"-?\d+", part):
                raise ValueError(f"must be comma-separated numeric ids; {part!r} is not a number")
            ids.add(int(part))
        return frozenset(ids)

    @field_validator("knowledge")
    @classmethod
    def _knowledge_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.exists():
            raise ValueError(f"no such file or directory: {value}")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not SECRET_SHAPE.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z a-z 0-9 _ -")
        return value

    @field_validator("port", "health_port")
    @classmethod
    def _port_range(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 65535:
            raise ValueError("must be a port number from 1 to 65535")
        return value

    @field_validator("retention_days")
    @classmethod
    def _retention(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("must be a whole number of days, 1 or more")
        return value

    @field_validator("request_timeout", "watch_interval")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number of seconds")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> "Settings":
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("GROUNDBOT_WEBHOOK_SECRET: required when GROUNDBOT_WEBHOOK_URL is set")
        if self.webhook_url and self.health_port == self.port:
            raise ValueError("GROUNDBOT_HEALTH_PORT: must differ from GROUNDBOT_PORT, where the webhook listens")
        return self

    @property
    def webhook(self) -> bool:
        """True when the bot should run as a webhook rather than poll."""
        return self.webhook_url is not None

    @property
    def events_path(self) -> Path:
        """Where the event log lives."""
        return self.data_dir / "events.db"


def env_name(field: str) -> str:
    """The environment variable of a Settings field: ``port`` -> ``GROUNDBOT_PORT``."""
    return PREFIX + field.upper()


# Pydantic's error types, said the way an operator reads them.
_MESSAGES = {
    "missing": "required but not set",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "float_parsing": "must be a number",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
}


def _line(error: dict[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if isinstance(part, str)]
    message = _MESSAGES.get(error["type"]) or str(error["msg"]).removeprefix("Value error, ")
    if not loc:  # a model-level check: its message already names the variables
        return message
    return f"{env_name(loc[0])}: {message}"


def load_settings(**overrides: Any) -> Settings:
    """Read Settings from the environment and ``.env``; raise ConfigError with one line per problem.

    The lines never contain a value, so a mistyped secret is not echoed to the terminal.
    """
    try:
        return Settings(**overrides)
    except ValidationError as err:
        raise ConfigError("\n".join(dict.fromkeys(_line(e) for e in err.errors()))) from None
