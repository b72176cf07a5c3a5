"""build_application: defaults, rate limiting, start-up and shut-down, and a log that never shows the token."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter

from bot.app import build_application, configure_logging
from knowledge import KnowledgeError
from tests.telegram_fakes import TOKEN, running_bot


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("httpx").level
    yield
    root.handlers[:], level, httpx_level = saved
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(httpx_level)


def test_the_application_speaks_html_paces_itself_and_uses_the_configured_bot_api(bot_settings):
    settings = bot_settings.model_copy(update={"base_url": "http://127.0.0.1:9/bot"})
    app = build_application(settings)
    assert app.bot.defaults.parse_mode == ParseMode.HTML
    assert isinstance(app.bot.rate_limiter, AIORateLimiter)
    assert app.bot.base_url == f"http://127.0.0.1:9/bot{TOKEN}"
    # Files (a moderator's /publish) come from the same server, not from api.telegram.org.
    assert app.bot.base_file_url == f"http://127.0.0.1:9/file/bot{TOKEN}"
    assert app.post_init is not None and app.post_shutdown is not None
    assert app.error_handlers


async def test_shut_down_closes_the_event_log_and_the_knowledge(bot_settings):
    async with running_bot(bot_settings) as bot:
        events, kb = bot.events, bot.knowledge
        assert len(kb) == 4
    with pytest.raises(sqlite3.ProgrammingError):
        events.db.execute("select 1")
    assert bot.app.bot_data.event_log is None


async def test_broken_knowledge_stops_start_up_with_every_problem(bot_settings, seed_kb):
    (seed_kb / "bad.yaml").write_text("source: {id: bad, outlet: X}\nclaims:\n  - {id: a, statement: S}\n")
    with pytest.raises(KnowledgeError) as raised:
        async with running_bot(bot_settings):
            pass
    assert any("bad.yaml:3" in str(p) for p in raised.value.problems)


def test_the_log_never_shows_the_token_and_httpx_is_quiet(bot_settings, capsys, restore_logging):
    configure_logging(bot_settings)
    logging.getLogger("telegram.ext").info("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    logging.getLogger("groundbot").error("some other bot's token 987654321:%s", "A" * 35)
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/sendMessage")
    except RuntimeError:
        logging.getLogger("groundbot").exception("boom")
    err = capsys.readouterr().err
    assert TOKEN not in err and TOKEN.split(":")[1] not in err and "A" * 35 not in err
    assert err.count("[REDACTED]") == 3
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
