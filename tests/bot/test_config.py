"""Settings: the GROUNDBOT_* names, their defaults, and one clear line per bad value."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings, load_settings
from tests.telegram_fakes import TOKEN

CONTRACT = [  # deploy scripts and tools depend on these exact names
    "GROUNDBOT_TOKEN",
    "GROUNDBOT_BASE_URL",
    "GROUNDBOT_KNOWLEDGE",
    "GROUNDBOT_DATA_DIR",
    "GROUNDBOT_MODERATORS",
    "GROUNDBOT_ALLOWED_USERS",
    "GROUNDBOT_ALLOWED_CHATS",
    "GROUNDBOT_WEBHOOK_URL",
    "GROUNDBOT_WEBHOOK_SECRET",
    "GROUNDBOT_LISTEN",
    "GROUNDBOT_PORT",
]


def names() -> list[str]:
    return [f"GROUNDBOT_{name.upper()}" for name in Settings.model_fields]


def test_every_contracted_variable_name_exists():
    assert set(CONTRACT) <= set(names())


def test_every_setting_has_a_description():
    for name, field in Settings.model_fields.items():
        assert field.description and len(field.description) > 10, name


def test_only_the_token_is_required_and_the_defaults_poll_telegram(clean_env, monkeypatch):
    monkeypatch.setenv("GROUNDBOT_TOKEN", TOKEN)
    settings = load_settings()
    assert settings.token.get_secret_value() == TOKEN
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"  # PTB's own default
    assert settings.knowledge is None  # the bundled knowledge
    assert settings.moderators == settings.allowed_users == settings.allowed_chats == frozenset()
    assert not settings.webhook
    assert settings.events_path == settings.data_dir / "events.db"


def test_settings_are_read_from_a_dot_env_file_and_the_environment_wins(clean_env, monkeypatch):
    (clean_env / ".env").write_text(
        f"GROUNDBOT_TOKEN={TOKEN}\nGROUNDBOT_PORT=9000\nGROUNDBOT_LISTEN=0.0.0.0\nUNRELATED=1\n"
    )
    monkeypatch.setenv("GROUNDBOT_PORT", "9001")
    settings = load_settings()
    assert (settings.port, settings.listen) == (9001, "0.0.0.0")


def test_id_lists_are_comma_separated_with_spaces_and_negative_chat_ids(clean_env, monkeypatch):
    monkeypatch.setenv("GROUNDBOT_TOKEN", TOKEN)
    monkeypatch.setenv("GROUNDBOT_MODERATORS", " 1001, 1002 ,")
    monkeypatch.setenv("GROUNDBOT_ALLOWED_CHATS", "-1001234567890")
    monkeypatch.setenv("GROUNDBOT_ALLOWED_USERS", "")
    settings = load_settings()
    assert settings.moderators == {1001, 1002}
    assert settings.allowed_chats == {-1001234567890}
    assert settings.allowed_users == frozenset()


def test_webhook_mode_is_on_when_a_url_is_set(clean_env, monkeypatch):
    monkeypatch.setenv("GROUNDBOT_TOKEN", TOKEN)
    monkeypatch.setenv("GROUNDBOT_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("GROUNDBOT_WEBHOOK_SECRET", "abc_DEF-123")
    assert load_settings().webhook


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({}, "GROUNDBOT_TOKEN: required but not set"),
        ({"GROUNDBOT_TOKEN": "not-a-token"}, "GROUNDBOT_TOKEN: does not look like a bot token"),
        ({"GROUNDBOT_PORT": "eighty"}, "GROUNDBOT_PORT: must be an integer"),
        ({"GROUNDBOT_PORT": "70000"}, "GROUNDBOT_PORT: must be a port number from 1 to 65535"),
        ({"GROUNDBOT_MODERATORS": "12,abc"}, "GROUNDBOT_MODERATORS: must be comma-separated numeric ids; 'abc'"),
        ({"GROUNDBOT_ALLOWED_CHATS": "[1, 2]"}, "GROUNDBOT_ALLOWED_CHATS: must be comma-separated numeric ids"),
        ({"GROUNDBOT_KNOWLEDGE": "/no/such/path"}, "GROUNDBOT_KNOWLEDGE: no such file or directory: /no/such/path"),
        ({"GROUNDBOT_BASE_URL": "ftp://example.org/bot"}, "GROUNDBOT_BASE_URL: must be an http:// or https:// URL"),
        (
            {"GROUNDBOT_WEBHOOK_URL": "https://bot.example.org/hook"},
            "GROUNDBOT_WEBHOOK_SECRET: required when GROUNDBOT_WEBHOOK_URL is set",
        ),
        (
            {"GROUNDBOT_WEBHOOK_URL": "https://x.org/h", "GROUNDBOT_WEBHOOK_SECRET": "has spaces!"},
            "GROUNDBOT_WEBHOOK_SECRET: must be 1-256 characters",
        ),
        ({"GROUNDBOT_REQUEST_TIMEOUT": "0"}, "GROUNDBOT_REQUEST_TIMEOUT: must be a positive number"),
        ({"GROUNDBOT_LOG_LEVEL": "LOUD"}, "GROUNDBOT_LOG_LEVEL: must be one of"),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_variable(clean_env, monkeypatch, env, line):
    if env:
        monkeypatch.setenv("GROUNDBOT_TOKEN", TOKEN)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        load_settings()
    [only] = str(raised.value).splitlines()
    assert only.startswith(line)


def test_a_bad_secret_is_never_echoed(clean_env, monkeypatch):
    monkeypatch.setenv("GROUNDBOT_TOKEN", "12345:tooshort!")
    monkeypatch.setenv("GROUNDBOT_WEBHOOK_URL", "https://x.org/h")
    monkeypatch.setenv("GROUNDBOT_WEBHOOK_SECRET", "bad secret value!")
    with pytest.raises(ConfigError) as raised:
        load_settings()
    message = str(raised.value)
    assert "tooshort" not in message and "bad secret" not in message
    assert message.splitlines()[0].startswith("GROUNDBOT_TOKEN:")


def test_the_token_never_shows_in_the_settings_repr(clean_env, monkeypatch):
    monkeypatch.setenv("GROUNDBOT_TOKEN", TOKEN)
    assert TOKEN not in repr(load_settings()) and TOKEN not in str(load_settings())


@pytest.mark.parametrize(
    ("base_url", "files"),
    [
        ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot"),
        ("https://proxy.example/telegram/", "https://proxy.example/telegram/file/bot"),
    ],
)
def test_files_are_downloaded_from_the_configured_bot_api_server(clean_env, base_url, files):
    settings = Settings(token=TOKEN, base_url=base_url)
    assert settings.base_file_url == files
