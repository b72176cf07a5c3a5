"""The application shell: the one place that wires settings, knowledge and handlers together."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChosenInlineResultHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest
from tornado.httpserver import HTTPServer

from bot import health, logs, metrics, runtime, scheduler, signals
from bot.config import Settings
from bot.sending import RetryingRequest
from handlers import access, activity, ask, basics, buttons, drafting, errors, inline, moderation, render
from handlers.state import CONTEXT_TYPES, App
from knowledge.activity.events import EventLog
from knowledge.live import LiveKnowledge, ReloadOutcome

logger = logging.getLogger("groundbot")

# Updates handled at once. Matching is quick and CPU-bound, but a reply can wait seconds
# on a slow Bot API: concurrency keeps one stuck chat from holding up the others.
CONCURRENT_UPDATES = 32
# Flood-control (429) retries per request, each after Telegram's retry_after.
FLOOD_RETRIES = 3
# Connections for the bot's requests (not getUpdates): python-telegram-bot's default.
CONNECTIONS = 256

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
    secrets = (
        settings.token.get_secret_value(),
        settings.webhook_secret.get_secret_value() if settings.webhook_secret else "",
    )
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    logs.install(handler, log_questions=settings.log_questions)  # no update payloads at DEBUG
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


# The updates the bot asks Telegram for; anything else is never sent to it.
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "chosen_inline_result"]


def commands() -> list[BotCommand]:
    """The command menu everyone sees (registered with setMyCommands at start-up)."""
    return [
        BotCommand("ask", "Ask a question (in groups: /ask your question)"),
        BotCommand("topics", "What I can answer, by source and tag"),
        BotCommand("sources", "The documents my claims come from"),
        BotCommand("claim", "Show one claim by its id"),
        BotCommand("help", "How to ask me"),
    ]


def register_handlers(app: App, settings: Settings) -> None:
    """Add every handler to ``app``, in the order they must be tried.

    Within a group, the first handler whose filter matches an update handles it and the
    rest never see it; lower groups run first.
    """
    rules = access.Access.from_settings(settings)
    moderators = access.moderators_filter(rules)
    private_moderators = moderators & filters.ChatType.PRIVATE
    awaiting_article = drafting.AwaitingArticle(app.bot_data.awaiting_article)
    document = filters.Document.ALL
    text_message = filters.UpdateType.MESSAGE & filters.TEXT  # edits are not questions
    # Every update, even one the allow-lists turn away, is activity for the health
    # endpoint's "last update" (group -2: before anything can stop it).
    app.add_handler(activity.handler(), group=-2)
    # Allow-lists before everything (group -1): outsiders get one polite line, or silence
    # in groups, and ApplicationHandlerStop keeps every other handler from seeing them.
    app.add_handler(access.gate(rules), group=-1)
    app.add_handlers(
        [
            # Commands first, in private and groups alike (`/cmd@other_bot` is left to that bot).
            CommandHandler("start", basics.start),
            CommandHandler("help", basics.help_command),
            CommandHandler("topics", basics.topics),
            CommandHandler("sources", basics.sources),
            CommandHandler("claim", basics.claim),
            CommandHandler("ask", ask.ask_command),
            # Moderator commands, then "moderators only" for everyone else; before the
            # unknown-command catch-all below.
            CommandHandler("reload", moderation.reload, filters=moderators),
            CommandHandler("unanswered", moderation.unanswered, filters=moderators),
            CommandHandler("stats", moderation.stats, filters=moderators),
            CommandHandler(list(moderation.COMMANDS), access.moderators_only),
            # Drafting, for moderators in private chats: /draft (with the article, a .txt
            # captioned /draft, or the article as the next message) and /publish (a .yaml
            # captioned /publish, or a reply to one); "moderators only" for everyone else.
            CommandHandler("draft", drafting.draft, filters=private_moderators),
            MessageHandler(private_moderators & document & drafting.DRAFT_CAPTION, drafting.draft),
            CommandHandler("publish", drafting.publish, filters=private_moderators),
            MessageHandler(private_moderators & document & drafting.PUBLISH_CAPTION, drafting.publish),
            MessageHandler(private_moderators & awaiting_article & filters.TEXT & ~filters.COMMAND, drafting.article),
            CommandHandler(list(drafting.COMMANDS), access.moderators_only),
            MessageHandler(document & (drafting.DRAFT_CAPTION | drafting.PUBLISH_CAPTION), access.moderators_only),
            # Private chat: any other command is unknown, any text is a question, anything
            # else (stickers, photos…) gets a hint.
            MessageHandler(
                filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND, ask.unknown_command
            ),
            MessageHandler(filters.ChatType.PRIVATE & text_message, ask.private_question),
            MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, ask.not_text),
            # Groups: a command named for this bot (/cmd@this_bot) that it does not have gets
            # the pointer to /help; a bare /cmd may be another bot's and is left alone.
            MessageHandler(
                filters.ChatType.GROUPS & filters.UpdateType.MESSAGE & access.COMMAND_TO_THIS_BOT, ask.unknown_command
            ),
            # Groups: only a mention of the bot or a reply to it; other chatter is ignored.
            MessageHandler(
                filters.ChatType.GROUPS & text_message & ~filters.COMMAND & ask.ADDRESSED_TO_BOT, ask.group_question
            ),
            # Buttons: "Did you mean…" picks, 👍/👎, a publish's confirmation (the handler
            # checks who presses it), and anything else (old or garbled data).
            CallbackQueryHandler(buttons.pick, pattern=r"^pick:"),
            CallbackQueryHandler(buttons.feedback, pattern=r"^fb:"),
            CallbackQueryHandler(drafting.confirm_publish, pattern=r"^pub:"),
            CallbackQueryHandler(buttons.expired),
            # Inline mode: @bot words, in any chat; and a card posted from its results.
            InlineQueryHandler(inline.inline_query),
            ChosenInlineResultHandler(inline.chosen),
        ]
    )
    app.add_error_handler(errors.on_error)


class Lifecycle:
    """What runs beside the handlers: opened in post_init, closed in post_shutdown."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.health_server: HTTPServer | None = None
        self.metrics: metrics.Metrics | None = None  # set by build_application, once there is an application
        self.watcher: asyncio.Task[None] | None = None

    async def post_init(self, app: App) -> None:
        """Start health, load the knowledge, open the event log, publish the menu, start the watcher."""
        settings, state = self.settings, app.bot_data
        # Health first, so a probe during a long knowledge load sees "not loaded yet", not nothing.
        self.health_server = health.start(app, settings, self.metrics)
        state.live = await LiveKnowledge.load(
            settings.knowledge, settings.limits, embeddings_dir=settings.data_dir if settings.semantic else None
        )
        state.event_log = EventLog(
            settings.events_path,
            hash_users=settings.hash_user_ids,
            retention_days=settings.retention_days,
            timeout=settings.events_timeout,
            id_key=settings.id_key.get_secret_value().encode() if settings.id_key else None,
        )
        try:
            await app.bot.set_my_commands(commands())
        except TelegramError as err:  # the menu is a convenience: answer questions anyway
            logger.warning("Could not set the command menu: %s", type(err).__name__)
        kb = state.knowledge
        logger.info("Serving %d claims from %d source(s) as @%s", len(kb), len(kb.sources), app.bot.username)
        if settings.watch_knowledge:
            self.watcher = asyncio.create_task(
                state.live.watch(settings.watch_interval, self._reporter(app), settings.watch_settle),
                name="groundbot knowledge watcher",
            )
            logger.info(
                "Watching %s for changes every %gs (loaded once unchanged for %gs)",
                state.live.path,
                settings.watch_interval,
                settings.watch_settle,
            )

    def _reporter(self, app: App) -> Callable[[ReloadOutcome], Awaitable[None]]:
        moderators = sorted(self.settings.moderators)

        async def report(outcome: ReloadOutcome) -> None:
            texts = render.reload_messages(outcome, prefix="Knowledge files changed. ")
            await moderation.tell_moderators(app.bot, moderators, texts)

        return report

    async def post_shutdown(self, app: App) -> None:
        """Stop health and the watcher, then close the event log and the knowledge."""
        if self.health_server is not None:
            await health.stop(self.health_server)
            self.health_server = None
        if self.watcher is not None:  # no reload may start on a closing event log
            self.watcher.cancel()
            await asyncio.gather(self.watcher, return_exceptions=True)
            self.watcher = None
        state = app.bot_data
        if state.live is not None:
            await state.live.close()
            state.live = None
        if state.event_log is not None:
            state.event_log.close()
            state.event_log = None
            logger.info("Stopped; event log closed.")


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    rate_limiter: BaseRateLimiter | None = None,
) -> App:
    """The bot, ready to run: handlers registered; knowledge and event log open in post_init.

    ``request`` replaces the HTTP client (tests and benchmarks pass a recording one);
    ``rate_limiter`` replaces the AIORateLimiter that paces sends to Telegram's flood limits.
    """
    lifecycle = Lifecycle(settings)
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                # A card's source link is in the card; a preview would double its height.
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                # A group question deleted before the answer went out still gets its answer.
                allow_sending_without_reply=True,
            )
        )
        .rate_limiter(rate_limiter or AIORateLimiter(max_retries=FLOOD_RETRIES))
        .concurrent_updates(
            scheduler.FairScheduler(
                scheduler.Limits(CONCURRENT_UPDATES, settings.user_pending, settings.user_per_minute)
            )
            if settings.fair_scheduling
            else CONCURRENT_UPDATES
        )
        .post_init(lifecycle.post_init)
        .post_shutdown(lifecycle.post_shutdown)
    )
    # Every request but getUpdates retries transient failures (bot/sending.py); the poller
    # retries getUpdates itself, and must see a failure at once to keep its offset right.
    timeout = settings.request_timeout
    if request is not None:
        builder = builder.get_updates_request(request)
    else:
        request = HTTPXRequest(
            connection_pool_size=CONNECTIONS,
            read_timeout=timeout,
            write_timeout=timeout,
            connect_timeout=timeout,
            pool_timeout=timeout,
        )
        # getUpdates long-polls for its own timeout on top of this read timeout.
        builder = builder.get_updates_read_timeout(timeout).get_updates_connect_timeout(timeout)
    builder = builder.request(RetryingRequest(request, attempts=settings.send_attempts))
    app: App = builder.build()
    app.bot_data.settings = settings
    # /metrics, on the health port: questions counted as they are logged, the rest read at each scrape.
    lifecycle.metrics = metrics.Metrics(app)
    app.bot_data.on_question = lifecycle.metrics.question
    register_handlers(app, settings)
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
        runtime.run(app, settings, ALLOWED_UPDATES)
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
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=settings.drop_pending_updates,
            stop_signals=None,
        )
    else:
        logger.info("Starting long polling")
        app.run_polling(
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=settings.drop_pending_updates,
            stop_signals=None,
        )
