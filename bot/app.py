"""The application shell: the one place that wires settings, knowledge and handlers together."""

from __future__ import annotations

import asyncio
import logging
import re
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, BaseRateLimiter, Defaults
from telegram.request import BaseRequest

import handlers
from bot import health, runtime, scheduler, signals
from bot.config import Settings
from handlers import moderation
from handlers.state import EVENTS, KNOWLEDGE, SETTINGS
from knowledge import KnowledgeBase
from knowledge.events import EventLog

logger = logging.getLogger("groundbot")

# Updates handled at once. Matching is quick and CPU-bound, but a reply can wait seconds
# on a slow Bot API: concurrency keeps one stuck chat from holding up the others.
CONCURRENT_UPDATES = 32
# Flood-control (429) retries per request, each after Telegram's retry_after.
FLOOD_RETRIES = 3

# Anything shaped like a bot token, in case one that is not ours shows up in a message.
_TOKEN_SHAPE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")


class RedactingFormatter(logging.Formatter):
    """A Formatter that blanks the bot token (and anything token-shaped) out of every line."""

    def __init__(self, fmt: str, secrets: tuple[str, ...] = ()):
        super().__init__(fmt)
        self.secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[REDACTED]")
        return _TOKEN_SHAPE.sub("[REDACTED]", text)


def configure_logging(settings: Settings) -> None:
    """Log to stderr at the configured level, with the token redacted from every line."""
    secrets = (settings.token.get_secret_value(),
               settings.webhook_secret.get_secret_value() if settings.webhook_secret else "")
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


async def post_init(app: Application) -> None:
    """Load the knowledge, open the event log, and publish the command menu."""
    settings: Settings = app.bot_data[SETTINGS]
    # Health first, so a probe during a long knowledge load sees "not loaded yet", not nothing.
    await health.start(app)
    # Building the store is CPU work: keep it off the event loop.
    kb = await asyncio.to_thread(KnowledgeBase.load, settings.knowledge)
    app.bot_data[KNOWLEDGE] = kb
    app.bot_data[EVENTS] = EventLog(
        settings.events_path, hash_users=settings.hash_user_ids, retention_days=settings.retention_days
    )
    try:
        await app.bot.set_my_commands(handlers.commands())
    except TelegramError as err:  # the menu is a convenience: answer questions anyway
        logger.warning("Could not set the command menu: %s", type(err).__name__)
    logger.info("Serving %d claims from %d source(s) as @%s", len(kb), len(kb.sources), app.bot.username)
    moderation.start_watching(app)  # only if GROUNDBOT_WATCH_KNOWLEDGE is on


async def post_shutdown(app: Application) -> None:
    """Close the event log and the knowledge base opened by post_init."""
    await health.stop(app)
    await moderation.stop_watching(app)  # no reload may start on a closing event log
    events = app.bot_data.pop(EVENTS, None)
    kb = app.bot_data.pop(KNOWLEDGE, None)
    if kb is not None:
        kb.close()
    if events is not None:
        events.close()
        logger.info("Stopped; event log closed.")


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    """The bot, ready to run: handlers registered; knowledge and event log open in post_init.

    ``request`` replaces the HTTP client (tests and benchmarks pass a recording one);
    ``rate_limiter`` replaces the AIORateLimiter that paces sends to Telegram's flood limits.
    """
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(settings.base_url)
        .defaults(Defaults(
            parse_mode=ParseMode.HTML,
            # A card's source link is in the card; a preview would double its height.
            link_preview_options=LinkPreviewOptions(is_disabled=True),
            # A group question deleted before the answer went out still gets its answer.
            allow_sending_without_reply=True,
        ))
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=FLOOD_RETRIES))
        .concurrent_updates(
            scheduler.FairScheduler(scheduler.Limits(CONCURRENT_UPDATES, settings.user_pending,
                                                     settings.user_per_minute))
            if settings.fair_scheduling else CONCURRENT_UPDATES)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        timeout = settings.request_timeout
        builder = builder.read_timeout(timeout).write_timeout(timeout).connect_timeout(timeout).pool_timeout(timeout)
        # getUpdates long-polls for its own timeout on top of this read timeout.
        builder = builder.get_updates_read_timeout(timeout).get_updates_connect_timeout(timeout)
    app = builder.build()
    app.bot_data[SETTINGS] = settings
    handlers.register(app)
    return app


def run(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM: long polling, or a webhook server when one is configured.

    Updates that arrived while the bot was down are answered, unless
    GROUNDBOT_DROP_PENDING_UPDATES is on. With GROUNDBOT_FAIR_SCHEDULING (the default)
    bot/runtime.py runs it: updates are confirmed only once answered, and a stop takes at
    most GROUNDBOT_STOP_GRACE seconds plus closing. Without it, PTB's run_* methods: on the
    first stop signal the bot confirms every update fetched, answers them all, then stops.
    """
    app = build_application(settings)
    if settings.fair_scheduling:
        runtime.run(app, settings, handlers.ALLOWED_UPDATES)
        return
    loop = asyncio.new_event_loop()  # PTB runs on the current loop: ours, with our signal handlers
    asyncio.set_event_loop(loop)
    signals.install(loop)
    if settings.webhook_url and settings.webhook_secret:
        logger.info("Starting webhook on %s:%d", settings.listen, settings.port)
        app.run_webhook(
            listen=settings.listen,
            port=settings.port,
            url_path=urlsplit(settings.webhook_url).path.lstrip("/"),
            webhook_url=settings.webhook_url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=handlers.ALLOWED_UPDATES,
            drop_pending_updates=settings.drop_pending_updates,
            stop_signals=None,
        )
    else:
        logger.info("Starting long polling")
        app.run_polling(
            allowed_updates=handlers.ALLOWED_UPDATES,
            drop_pending_updates=settings.drop_pending_updates,
            stop_signals=None,
        )

