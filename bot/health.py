"""The health endpoint: ``GET /healthz`` tells the operator whether the bot can answer.

It answers 200 when the knowledge is loaded, the event log takes a write, the last
knowledge reload worked, and the bot is running (not starting up or stopping) and not
stalled, else 503. The JSON body's ``status`` is ``ok``, ``degraded`` (still answering,
but the event log is failing, the last reload failed or handling has stalled) or
``unhealthy`` (not answering); it says which check failed, when the last update arrived
and how the last reload went. Docker's HEALTHCHECK, a load balancer or a monitor
reads it, and so does ``groundbot health``.

It is a small tornado server of its own on ``GROUNDBOT_HEALTH_PORT``, the same in
polling and webhook mode: PTB's webhook server has no public way to add a route, and a
separate port keeps health checks off the public webhook address. tornado is already
installed for webhooks and runs on the bot's own event loop, so a check reads the live
application, not a copy of its state. The same server answers ``GET /metrics`` for
Prometheus (bot/metrics.py).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

import tornado.web
from tornado.httpserver import HTTPServer

from bot.config import Settings
from bot.metrics import METRICS_PATH, Metrics, MetricsHandler
from handlers.state import App

logger = logging.getLogger("groundbot.health")

PATH = "/healthz"


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


def report(app: App, settings: Settings, started: float) -> tuple[bool, dict[str, Any]]:
    """Run the checks now: (healthy, the JSON body). Writes one heartbeat row to the event log."""
    state = app.bot_data
    kb = state.live.current if state.live is not None else None
    events = state.event_log
    log_problem = events.writable() if events is not None else "not open"
    last = state.last_update
    now = time.time()
    # Each problem, and whether the bot still answers despite it (then it is only degraded).
    found: list[tuple[str, bool]] = []
    if kb is None:
        found.append(("knowledge not loaded", False))
    if log_problem is not None:
        found.append((f"event log not writable: {log_problem}", True))
    reloaded = state.live.last_reload if state.live is not None else None
    if reloaded is not None and not reloaded.ok:
        problem = f"last reload failed with {len(reloaded.problems)} problem(s); serving the knowledge loaded before"
        found.append((problem, True))
    if not app.running:
        found.append(("not running (starting up or stopping)", False))
    stalled = stall_problem(app, settings)
    if stalled is not None:
        found.append((stalled, True))
    problems = [text for text, _ in found]
    status = "ok" if not found else ("degraded" if all(answering for _, answering in found) else "unhealthy")
    body: dict[str, Any] = {
        "status": status,
        "problems": problems,
        "mode": "webhook" if settings.webhook else "polling",
        "knowledge": {
            "loaded": kb is not None,
            "claims": len(kb) if kb is not None else 0,
            "sources": len(kb.sources) if kb is not None else 0,
            # How far the semantic tier is: off, unavailable, embedding (n of total), ready, failed.
            "semantic": kb.semantic.to_dict() if kb is not None else None,
        },
        "event_log": {"writable": log_problem is None, "error": log_problem},
        "last_reload": None
        if reloaded is None
        else {"at": _iso(reloaded.at), "ok": reloaded.ok, "problems": len(reloaded.problems)},
        "last_update": {
            "at": _iso(last),
            "seconds_ago": round(now - last, 1) if last is not None else None,
            "count": state.updates_seen,
        },
        # Updates dropped unanswered since start-up: they could not be parsed, or failed every attempt.
        "dropped_updates": state.updates_dropped,
        "uptime_seconds": round(now - started, 1),
    }
    return not problems, body


def stall_problem(app: App, settings: Settings) -> str | None:
    """ "updates waiting, none handled for N s" when the fair scheduler has stalled, else None."""
    from bot.scheduler import FairScheduler

    processor = app.update_processor
    if not isinstance(processor, FairScheduler):
        return None
    stalled = processor.stalled_for()
    if stalled < settings.stall_after:
        return None
    return f"{processor.waiting} update(s) waiting, none handled for {stalled:.0f} s"


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: 200 or 503 with the report as JSON."""

    SUPPORTED_METHODS = ("GET",)

    def initialize(self, app: App, settings: Settings, started: float) -> None:
        self.app = app
        self.bot_settings = settings
        self.started = started

    def get(self) -> None:
        healthy, body = report(self.app, self.bot_settings, self.started)
        self.set_status(200 if healthy else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


def _quiet(handler: tornado.web.RequestHandler) -> None:
    # A probe every few seconds would drown the one-line-per-question log.
    pass


def start(app: App, settings: Settings, metrics: Metrics | None = None) -> HTTPServer | None:
    """Serve /healthz, and /metrics when given ``metrics``, on GROUNDBOT_LISTEN:GROUNDBOT_HEALTH_PORT, if a port is set.

    Call in post_init. Returns the server, for ``stop``; an OSError (port taken) stops start-up.
    """
    if settings.health_port is None:
        return None
    started = time.time()
    routes: list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]] = [
        (PATH, HealthHandler, {"app": app, "settings": settings, "started": started})
    ]
    if metrics is not None:
        routes.append((METRICS_PATH, MetricsHandler, {"metrics": metrics}))
    web = tornado.web.Application(routes, log_function=_quiet)
    server = HTTPServer(web)
    server.listen(settings.health_port, address=settings.listen)
    logger.info(
        "Health endpoint on http://%s:%d%s%s",
        settings.listen,
        settings.health_port,
        PATH,
        f" (and {METRICS_PATH})" if metrics is not None else "",
    )
    return server


async def stop(server: HTTPServer) -> None:
    """Stop a server made by start() (call in post_shutdown)."""
    server.stop()
    await server.close_all_connections()


class Unreachable(Exception):
    """No health report could be had from the address asked."""


def probe(host: str, port: int, timeout: float) -> dict[str, Any]:
    """Ask a running bot's /healthz; its report, whether healthy (200) or not (503)."""
    url = f"http://{host}:{port}{PATH}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as err:  # 503: unhealthy, with the report as its body
        body = err.read()
    except (urllib.error.URLError, OSError) as err:
        raise Unreachable(f"no health endpoint at {url}: {getattr(err, 'reason', err)}") from None
    try:
        found: dict[str, Any] = json.loads(body)
    except ValueError:
        raise Unreachable(f"{url} did not answer with a health report") from None
    return found


def summary(found: dict[str, Any]) -> str:
    """A report in one line: healthy or every problem, then claims, event log, last reload, last update and mode."""
    last = found["last_update"]
    when = f"{last['seconds_ago']} s ago" if last["at"] else "none yet"
    reloaded = found.get("last_reload")
    reload_text = (
        "none since start-up"
        if not reloaded
        else f"{'ok' if reloaded['ok'] else 'FAILED'} at {reloaded['at']}"
        + ("" if reloaded["ok"] else f" ({reloaded['problems']} problem(s))")
    )
    details = (
        f"{found['knowledge']['claims']} claims; event log "
        f"{'writable' if found['event_log']['writable'] else 'NOT writable'}; "
        f"last reload {reload_text}; last update {when}; {found['mode']}"
    )
    status = found.get("status")
    state = "healthy" if status == "ok" else f"{str(status).upper()}: " + "; ".join(found["problems"])
    return f"{state} ({details})"
