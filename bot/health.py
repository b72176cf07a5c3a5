"""The health endpoint: ``GET /healthz`` tells the operator whether the bot can answer.

It answers 200 when the knowledge is loaded, the event log takes a write and the bot is
running (not starting up or stopping), else 503; the JSON body says which check failed
and when the last update arrived. Docker's HEALTHCHECK, a load balancer or a monitor
reads it, and so does ``groundbot health``.

It is a small tornado server of its own on ``GROUNDBOT_HEALTH_PORT``, the same in
polling and webhook mode: PTB's webhook server has no public way to add a route, and a
separate port keeps health checks off the public webhook address. tornado is already
installed for webhooks and runs on the bot's own event loop, so a check reads the live
application, not a copy of its state.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from typing import Any

import tornado.web
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from handlers.activity import LAST_UPDATE, UPDATES_SEEN
from handlers.state import EVENTS, KNOWLEDGE, SETTINGS

logger = logging.getLogger("groundbot.health")

PATH = "/healthz"
_SERVER = "health_server"  # bot_data keys, private to this module
_STARTED = "health_started"


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


def report(app: Application) -> tuple[bool, dict[str, Any]]:
    """Run the checks now: (healthy, the JSON body). Writes one heartbeat row to the event log."""
    settings = app.bot_data.get(SETTINGS)
    kb = app.bot_data.get(KNOWLEDGE)
    events = app.bot_data.get(EVENTS)
    log_problem = events.writable() if events is not None else "not open"
    last = app.bot_data.get(LAST_UPDATE)
    now = time.time()
    problems = []
    if kb is None:
        problems.append("knowledge not loaded")
    if log_problem is not None:
        problems.append(f"event log not writable: {log_problem}")
    if not app.running:
        problems.append("not running (starting up or stopping)")
    started = app.bot_data.get(_STARTED)
    body: dict[str, Any] = {
        "status": "ok" if not problems else "unhealthy",
        "problems": problems,
        "mode": "webhook" if settings is not None and settings.webhook else "polling",
        "knowledge": {
            "loaded": kb is not None,
            "claims": len(kb) if kb is not None else 0,
            "sources": len(kb.sources) if kb is not None else 0,
            # How far the semantic tier is: off, unavailable, embedding (n of total), ready, failed.
            "semantic": kb.semantic.to_dict() if kb is not None else None,
        },
        "event_log": {"writable": log_problem is None, "error": log_problem},
        "last_update": {
            "at": _iso(last),
            "seconds_ago": round(now - last, 1) if last is not None else None,
            "count": app.bot_data.get(UPDATES_SEEN, 0),
        },
        "uptime_seconds": round(now - started, 1) if started is not None else 0.0,
    }
    return not problems, body


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: 200 or 503 with the report as JSON."""

    SUPPORTED_METHODS = ("GET",)  # type: ignore[assignment]

    def initialize(self, app: Application) -> None:
        self.app = app

    def get(self) -> None:
        healthy, body = report(self.app)
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


def _quiet(handler: tornado.web.RequestHandler) -> None:
    # A probe every few seconds would drown the one-line-per-question log.
    pass


async def start(app: Application) -> None:
    """Serve /healthz on GROUNDBOT_LISTEN:GROUNDBOT_HEALTH_PORT, if a port is set (call in post_init)."""
    settings = app.bot_data.get(SETTINGS)
    port = getattr(settings, "health_port", None)
    app.bot_data[_STARTED] = time.time()
    if port is None:
        return
    web = tornado.web.Application([(PATH, HealthHandler, {"app": app})], log_function=_quiet)
    server = HTTPServer(web)
    server.listen(port, address=settings.listen)  # an OSError here (port taken) stops start-up
    app.bot_data[_SERVER] = server
    logger.info("Health endpoint on http://%s:%d%s", settings.listen, port, PATH)


async def stop(app: Application) -> None:
    """Stop the server started by start(), if any (call in post_shutdown)."""
    server: HTTPServer | None = app.bot_data.pop(_SERVER, None)
    if server is not None:
        server.stop()
        await server.close_all_connections()
