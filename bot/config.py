"""Settings: from the environment and a ``.env`` file, every name prefixed ``GROUNDBOT_``.

The names are a contract (deploy scripts and tools set them). Every field's description
is its help text and its line in the README's settings table. ``load_settings()`` turns a
bad value into one line naming the variable, and never echoes a secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from knowledge.activity.events import EVENTS_FILE
from knowledge.store.loader import Limits
from knowledge.store.schema import is_http_url

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
    if not is_http_url(value):
        raise ValueError(f"must be an http:// or https:// URL of {what}")
    return value


# The knowledge-file bounds, declared once: Settings has them, and so does KnowledgeLimits,
# which `groundbot check` reads without a token.
MaxFileBytes = Annotated[
    int, Field(ge=1, description="Largest knowledge file read, in bytes; a larger one is a problem, not loaded.")
]
MaxDepth = Annotated[int, Field(ge=1, description="Deepest nesting of lists and mappings allowed in a knowledge file.")]
MaxNodes = Annotated[
    int, Field(ge=1, description="Most YAML values (texts, lists, mappings) allowed in one knowledge file.")
]

SETTINGS_CONFIG = SettingsConfigDict(
    env_prefix=PREFIX,
    env_file=".env",
    env_file_encoding="utf-8",
    env_ignore_empty=True,  # VAR= in .env means "not set", not "empty string"
    extra="ignore",
    validate_default=True,
)


def id_set(value: str) -> frozenset[int]:
    """Telegram ids from a comma- (or semicolon-) separated list; a clear error for anything else."""
    ids = set()
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d+", part):
            raise ValueError(f"must be comma-separated numeric ids; {part!r} is not a number")
        ids.add(int(part))
    return frozenset(ids)


def log_level(value: str) -> str:
    """A logging level's name, upper-cased; a clear error for any other word."""
    level = value.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
    return level


class _HasLimits:
    if TYPE_CHECKING:  # declared by each settings class; not fields of their own here
        max_file_bytes: int
        max_depth: int
        max_nodes: int

    @property
    def limits(self) -> Limits:
        """The knowledge-file bounds as the knowledge loader takes them."""
        return Limits(self.max_file_bytes, self.max_depth, self.max_nodes)


class KnowledgeLimits(_HasLimits, BaseSettings):
    """The bounds on each knowledge file: what `groundbot check` reads without a token."""

    model_config = SETTINGS_CONFIG

    max_file_bytes: MaxFileBytes = Limits.max_file_bytes
    max_depth: MaxDepth = Limits.max_depth
    max_nodes: MaxNodes = Limits.max_nodes


class Settings(_HasLimits, BaseSettings):
    """Everything groundbot reads from its environment."""

    model_config = SETTINGS_CONFIG

    token: SecretStr = Field(
        description="Bot token from @BotFather (required for `groundbot run`). Never logged.",
    )
    base_url: str = Field(
        "https://api.telegram.org/bot",
        description="Bot API base URL, in python-telegram-bot's base_url form (the token is appended). "
        "Change it for a local Bot API server; files are downloaded from the same server, under /file/bot.",
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
    # The moderators' loop: event log privacy and retention, knowledge watching.
    hash_user_ids: bool = Field(
        True,
        description="Store user and chat ids in the event log as keyed hashes (HMAC-SHA256) whose key is "
        "kept outside events.db (false: store the ids).",
    )
    id_key: SecretStr | None = Field(
        None,
        description="Key for the id hashes, at least 32 characters (empty: a random key made once in "
        "GROUNDBOT_DATA_DIR/id.key, mode 0600). Keep it out of backups of events.db.",
    )
    retention_days: int | None = Field(
        90,
        description="Delete logged questions, picks and feedback older than this many days (0: keep all).",
    )
    events_timeout: float = Field(
        1.5,
        description="Seconds a question waits for the event log when another process holds it locked; "
        "past that the answer is sent unlogged and the failure is logged once.",
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
    watch_settle: float = Field(
        10.0,
        ge=0,
        description="Seconds the knowledge files must stay unchanged before the watcher loads them, "
        "so that a file still being written (with pauses) is not loaded half done.",
    )
    max_file_bytes: MaxFileBytes = Limits.max_file_bytes
    max_depth: MaxDepth = Limits.max_depth
    max_nodes: MaxNodes = Limits.max_nodes
    # Drafting from an article in Telegram (issue 11): /draft and /publish for moderators.
    draft_max_bytes: int = Field(
        200_000,
        ge=1,
        description="Largest article (/draft) or knowledge file (/publish) a moderator may send, in bytes.",
    )
    draft_max_claims: int = Field(
        300,
        ge=1,
        description="Most claims one published knowledge file may hold.",
    )
    drafts_per_moderator: int = Field(
        1,
        ge=1,
        description="How many drafts one moderator may have running at once.",
    )
    publish_confirm_removals: int = Field(
        3,
        ge=0,
        description="A /publish that removes more than this many claims of the version it replaces "
        "waits for the moderator to press a confirmation button.",
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
    # Deploy and operate: health endpoint, restarts, the per-question log line.
    health_port: int | None = Field(
        None,
        description="Port for GET /healthz (JSON: knowledge loaded, event log writable, last update time) and "
        "GET /metrics (Prometheus) on GROUNDBOT_LISTEN, in polling and webhook mode alike (empty: neither).",
    )
    drop_pending_updates: bool = Field(
        False,
        description="Skip the updates that arrived while the bot was down (false: answer them once it is back).",
    )
    semantic: bool = Field(
        True,
        description="Answer paraphrases with the offline embedding model that comes with groundbot (vectors cached in GROUNDBOT_DATA_DIR/embeddings.db); false: the lexical matcher alone, for the smallest footprint (no model in memory, no embedding at start-up).",
    )
    log_questions: bool = Field(
        False,
        description="Put each question's text in its log line (false: outcome, claim id, score and latency only).",
    )

    # Reliability (issue 10): fair scheduling, confirming updates only once answered, bounded stops.
    user_pending: int = Field(
        3,
        description="Most questions one user may have waiting or being answered at once; past it one "
        '"slow down" reply, then silence (0: no limit). Applies in groups too.',
    )
    user_per_minute: int = Field(
        20,
        description="Most questions one user may ask in any 60 seconds, counted as GROUNDBOT_USER_PENDING "
        "is (0: no limit).",
    )
    prefetch_window: int = Field(
        100,
        description="Most updates taken from Telegram and not yet answered at once. Each is kept in the "
        "event log before Telegram is told it arrived, so after a crash at most this many are answered twice.",
    )
    stop_grace: float = Field(
        5.0,
        description="Seconds a stop (SIGTERM) gives the questions being answered; the rest are answered "
        "after the restart.",
    )
    stall_after: float = Field(
        30.0,
        description="Health reports degraded when updates have waited this many seconds with none answered.",
    )
    webhook_max_body: int = Field(
        1_000_000,
        description="Largest webhook request body in bytes; bigger ones get 413 before any of the body is read.",
    )
    fair_scheduling: bool = Field(
        True,
        description="Per-chat queues, per-user limits, and updates kept until answered (false: "
        "python-telegram-bot's own first-come queue and updater, which confirm updates when fetched).",
    )
    # Reliability (issue 26): replies delivered at least once, and updates that cannot be handled dropped.
    send_attempts: int = Field(
        4,
        description="Tries per Bot API request (a reply, a button answer…) that fails with a 5xx, a time-out or "
        "a dropped connection, with growing, jittered pauses between; one that may have arrived already is sent "
        "again at most once. A reply still not sent leaves its update to be answered after a restart.",
    )
    update_attempts: int = Field(
        3,
        description="Times an update is taken in hand, across restarts, before it is dropped as one the bot "
        "cannot handle (logged by update_id, counted in /stats and /healthz).",
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
        return id_set(value) if isinstance(value, str) else value

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
        if value is not None and value < 0:
            raise ValueError("must be a whole number of days (0: keep all)")
        return value or None

    @field_validator("id_key")
    @classmethod
    def _id_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("must be at least 32 characters (e.g. from: openssl rand -hex 32)")
        return value

    @field_validator("user_pending", "user_per_minute")
    @classmethod
    def _limit(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be 0 (no limit) or more")
        return value

    @field_validator("prefetch_window", "webhook_max_body", "send_attempts", "update_attempts")
    @classmethod
    def _at_least_one(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be 1 or more")
        return value

    @field_validator("request_timeout", "watch_interval", "events_timeout", "stop_grace", "stall_after")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("must be a positive number of seconds")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        return log_level(value)

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
    def base_file_url(self) -> str:
        """Where the bot downloads files from: the same Bot API server, under ``/file/bot``.

        Telegram and a local telegram-bot-api server both serve files there; without it a
        bot pointed at a local server would fetch a moderator's /publish from api.telegram.org.
        """
        root = self.base_url.removesuffix("/bot") if self.base_url.endswith("/bot") else self.base_url.rstrip("/")
        return f"{root}/file/bot"

    @property
    def events_path(self) -> Path:
        """Where the event log lives."""
        return self.data_dir / EVENTS_FILE


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
    "greater_than_equal": "must be a whole number, {ge} or more",
}


def _line(error: Mapping[str, Any]) -> str:
    loc = [str(part) for part in error.get("loc", ()) if isinstance(part, str)]
    message = _MESSAGES.get(error["type"], "").format(**error.get("ctx") or {}) or str(error["msg"]).removeprefix(
        "Value error, "
    )
    if not loc:  # a model-level check: its message already names the variables
        return message
    return f"{env_name(loc[0])}: {message}"


def load_limits() -> Limits:
    """The knowledge-file bounds from the environment and ``.env`` (no token needed);
    raise ConfigError naming the variable of a bad value."""
    try:
        return KnowledgeLimits().limits
    except ValidationError as err:
        raise ConfigError("\n".join(dict.fromkeys(_line(e) for e in err.errors()))) from None


def load_settings(**overrides: Any) -> Settings:
    """Read Settings from the environment and ``.env``; raise ConfigError with one line per problem.

    The lines never contain a value, so a mistyped secret is not echoed to the terminal.
    """
    try:
        return Settings(**overrides)
    except ValidationError as err:
        raise ConfigError("\n".join(dict.fromkeys(_line(e) for e in err.errors()))) from None
