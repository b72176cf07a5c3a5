"""The metrics endpoint: ``GET /metrics`` in Prometheus's text format, beside ``/healthz``.

What the bot already keeps is read when Prometheus scrapes, by ``StateCollector``, so
nothing is counted twice: the claims and the semantic tier from the knowledge in service,
reloads from ``LiveKnowledge``, dropped updates from ``BotState`` and the fair scheduler,
send retries from ``RetryingRequest``, the spool from the event log. Only what nothing
else counts is counted here, in ``Metrics.question``: each logged question's outcome and
how long its answer took (``BotState.on_question``, called by handlers/ask.py).

Each application has its own ``CollectorRegistry``, never prometheus_client's global one,
so tests, benchmarks and several applications in one process each see their own numbers
(and no process or platform metrics are mixed in).

No label holds a question, a user, a chat or the token: every label value is one of a
fixed few names (``OUTCOMES``, ``RELOAD_RESULTS``, ``DROP_REASONS`` and the semantic
tier's states). It is served on the health port (bot/health.py), off the public address.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import get_args

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, StateSetMetricFamily
from prometheus_client.registry import Collector

from bot.scheduler import FairScheduler
from bot.sending import RetryingRequest
from handlers.state import App
from knowledge.answering.answer import Status
from knowledge.answering.semantic import State

METRICS_PATH = "/metrics"

OUTCOMES: tuple[Status, ...] = get_args(Status)
RELOAD_RESULTS = ("ok", "failed")
# Why updates were dropped unanswered: ``unanswerable`` could not be parsed or failed every
# attempt (bot/ledger.py, the /healthz count); ``over_limit`` came from a user or group over
# the fair scheduler's limits (bot/scheduler.py).
DROP_REASONS = ("unanswerable", "over_limit")
SEMANTIC_STATES: tuple[State, ...] = get_args(State)
# An answer takes 0.4-7 ms at p50 with the lexical matcher and 20-95 ms with the semantic
# tier, p99 up to 230 ms (benchmarks/RESULTS.md, 34 to 100k claims); the top buckets catch
# a question queued behind a busy answering thread (knowledge/live.py answers one at a time).
ANSWER_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


class StateCollector(Collector):
    """Reads the application's own counts and state at each scrape; what is not there yet is left out."""

    def __init__(self, app: App):
        self.app = app

    def collect(self) -> Iterator[Metric]:
        """The metrics that exist now: before start-up, only the counters that start at 0."""
        state = self.app.bot_data
        live = state.live
        kb = live.current if live is not None else None
        if kb is not None:
            yield GaugeMetricFamily("groundbot_claims", "Claims in the knowledge in service.", value=len(kb))
            semantic = kb.semantic.state
            yield StateSetMetricFamily(
                "groundbot_semantic_state",
                "How far the semantic tier is: off, unavailable, embedding, ready or failed.",
                value={name: name == semantic for name in SEMANTIC_STATES},
            )
        if live is not None:
            reloads = CounterMetricFamily(
                "groundbot_reloads",
                "Knowledge reloads since start-up (/reload, /publish, the watcher).",
                labels=["result"],
            )
            reloads.add_metric(["ok"], live.good_reloads)
            reloads.add_metric(["failed"], live.failed_reloads)
            yield reloads
        dropped = CounterMetricFamily(
            "groundbot_dropped_updates", "Updates dropped unanswered since start-up, by reason.", labels=["reason"]
        )
        dropped.add_metric(["unanswerable"], state.updates_dropped)
        processor = self.app.update_processor
        if isinstance(processor, FairScheduler):
            dropped.add_metric(["over_limit"], processor.dropped)
        yield dropped
        request = self.app.bot.request
        if isinstance(request, RetryingRequest):
            yield CounterMetricFamily(
                "groundbot_send_retries",
                "Bot API requests sent again after a 5xx, a time-out or a lost connection.",
                value=request.retries,
            )
        waiting = state.event_log.unhandled() if state.event_log is not None else None
        if waiting is not None:
            yield GaugeMetricFamily(
                "groundbot_queue_depth",
                "Updates kept in the event log and not yet handled: being answered, waiting, or left for a restart.",
                value=waiting,
            )


class Metrics:
    """One application's metrics: its own registry, the question counters, and the state collector."""

    def __init__(self, app: App):
        self.registry = CollectorRegistry()
        self.questions = Counter(
            "groundbot_questions",
            "Questions answered, offered options (ambiguous) or refused, since start-up.",
            ["outcome"],
            registry=self.registry,
        )
        for outcome in OUTCOMES:  # every outcome from the start, so a rate over it is never missing
            self.questions.labels(outcome)
        self.answer_seconds = Histogram(
            "groundbot_answer_seconds",
            "Seconds from a question to its answer (matching, without sending the reply).",
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(StateCollector(app))

    def question(self, status: Status, seconds: float) -> None:
        """Count one logged question (``BotState.on_question``)."""
        self.questions.labels(status).inc()
        self.answer_seconds.observe(seconds)

    def exposition(self) -> bytes:
        """Every metric, in the text format Prometheus scrapes."""
        return generate_latest(self.registry)


class MetricsHandler(tornado.web.RequestHandler):
    """GET /metrics: the application's metrics in Prometheus's text format."""

    SUPPORTED_METHODS = ("GET",)

    def initialize(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def get(self) -> None:
        body = self.metrics.exposition()
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.set_header("Cache-Control", "no-store")
        self.finish(body)
