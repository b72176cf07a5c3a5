"""The health endpoint in process: each failed check turns 200 into 503 and is named."""

from __future__ import annotations

import asyncio
import json

from bot import health
from bot.app import build_application
from knowledge.activity.events import EventLog
from tests.e2e.test_health import get, health_cli
from tests.e2e.test_webhook import free_port
from tests.telegram_fakes import running_bot


async def fetch(port: int) -> tuple[int, dict]:
    # The server runs on this test's event loop: ask from a thread so the loop can answer.
    status, body = await asyncio.to_thread(get, f"http://127.0.0.1:{port}/healthz")
    return status, json.loads(body)


async def test_before_the_knowledge_is_loaded_the_bot_is_unhealthy_and_says_why(bot_settings):
    port = free_port()
    app = build_application(bot_settings.model_copy(update={"health_port": port}))
    server = health.start(app, app.bot_data.settings)  # what post_init does first, before the knowledge loads
    assert server is not None
    try:
        status, report = await fetch(port)
    finally:
        await health.stop(server)
    assert status == 503 and report["status"] == "unhealthy"
    assert report["problems"] == [
        "knowledge not loaded",
        "event log not writable: not open",
        "not running (starting up or stopping)",
    ]
    assert report["knowledge"] == {"loaded": False, "claims": 0, "sources": 0, "semantic": None}


async def test_a_running_bot_is_healthy_until_its_event_log_stops_taking_writes(bot_settings):
    port = free_port()
    async with running_bot(bot_settings.model_copy(update={"health_port": port})) as bot:
        status, report = await fetch(port)
        assert status == 503 and report["problems"] == ["not running (starting up or stopping)"]

        await bot.app.start()
        try:
            status, report = await fetch(port)
            assert status == 200 and report["status"] == "ok"
            # How far the semantic tier is; an unfinished tier is not a health problem.
            assert report["knowledge"]["semantic"]["state"] in {"off", "unavailable", "embedding", "ready"}
            heartbeat = bot.events.db.execute("SELECT value FROM meta WHERE key = 'heartbeat'").fetchone()
            assert heartbeat is not None  # the check really wrote to the log

            writable = bot.app.bot_data.event_log
            bot.app.bot_data.event_log = EventLog(bot_settings.events_path, readonly=True)
            try:
                status, report = await fetch(port)
                checked = await asyncio.to_thread(health_cli, port)
            finally:
                bot.events.close()
                bot.app.bot_data.event_log = writable
        finally:
            await bot.app.stop()

    assert status == 503 and report["status"] == "degraded"  # still answering, but the operator should look
    assert report["event_log"]["writable"] is False
    assert report["problems"] == ["event log not writable: OperationalError: attempt to write a readonly database"]
    assert checked.returncode == 1
    assert checked.stdout.startswith("DEGRADED: event log not writable")


def test_a_closed_event_log_is_not_writable(tmp_path):
    log = EventLog(tmp_path / "events.db")
    assert log.writable() is None
    log.close()
    assert log.writable().startswith("ProgrammingError")
