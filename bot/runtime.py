"""Running the application: start, serve updates until a stop signal, stop within a bound.

Used instead of PTB's ``run_polling``/``run_webhook`` so that updates are confirmed to
Telegram only once kept in the event log or finished (bot/ledger.py, bot/polling.py,
bot/webhook.py), and a stop takes at most ``GROUNDBOT_STOP_GRACE`` seconds for the
handlers plus a few seconds of closing: whatever is not answered by then is answered
after the restart (kept), or delivered again by Telegram (not confirmed).

An update whose reply could not be sent (the error handler notes it in ``BotState.unsent``)
is left unfinished (``Ledger.leave``): answered after the restart, not confirmed and lost.
If polling dies, the process stops and exits 1, so a supervisor restarts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from urllib.parse import urlsplit

from telegram.ext import Application

from bot import signals
from bot.config import Settings
from bot.ledger import Ledger
from bot.polling import Poller
from bot.scheduler import FairScheduler
from bot.webhook import WebhookServer
from handlers.state import App

logger = logging.getLogger("groundbot")

CONFIRM_WITHIN = 2.0  # seconds for the last getUpdates that confirms what was finished
LONG_POLL = 10  # seconds a getUpdates waits for news


class Runtime:
    """One run of the bot: ``start()``, then ``stop()`` after the stop signal."""

    def __init__(self, app: App, settings: Settings, allowed_updates: list[str]):
        self.app = app
        self.settings = settings
        self.allowed_updates = allowed_updates
        self.ledger = Ledger(lambda: app.bot_data.event_log, on_drop=self._count_drop)
        self.poller: Poller | None = None
        self.webhook: WebhookServer | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._initialized = self._started = False
        self.failure: BaseException | None = None  # what stopped the intake, if anything did

    @property
    def scheduler(self) -> FairScheduler | None:
        processor = self.app.update_processor
        return processor if isinstance(processor, FairScheduler) else None

    async def start(self) -> None:
        """Initialise the application, then start polling or the webhook server."""
        settings, app = self.settings, self.app
        if self.scheduler is not None:
            self.scheduler.on_finished = self._done
        await app.initialize()
        self._initialized = True
        if app.post_init:
            await app.post_init(app)
        await app.start()
        self._started = True
        earlier = self.ledger.kept_earlier(settings.update_attempts)
        if earlier:
            logger.info("Answering %d update(s) taken in hand before the last stop.", len(earlier))
        for data in earlier:
            update = self.ledger.parsed(data, app.bot)  # one that cannot be parsed is dropped, not fatal
            if update is None:
                continue
            self.ledger.take(update.update_id)
            self.ledger.kept.add(update.update_id)
            await app.update_queue.put(update)
        if settings.webhook_url and settings.webhook_secret:
            secret = settings.webhook_secret.get_secret_value()
            self.webhook = WebhookServer(
                app,
                self.ledger,
                listen=settings.listen,
                port=settings.port,
                path=urlsplit(settings.webhook_url).path,
                secret=secret,
                max_body=settings.webhook_max_body,
                answer_within=settings.stop_grace * 2,
            )
            await app.bot.set_webhook(
                settings.webhook_url,
                secret_token=secret,
                allowed_updates=self.allowed_updates,
                drop_pending_updates=settings.drop_pending_updates,
            )
            self.webhook.start()
            logger.info("Starting webhook on %s:%d", settings.listen, settings.port)
        else:
            await app.bot.delete_webhook(drop_pending_updates=settings.drop_pending_updates)
            self.poller = Poller(
                app,
                self.ledger,
                window=settings.prefetch_window,
                timeout=LONG_POLL,
                allowed_updates=self.allowed_updates,
            )
            self._poll_task = asyncio.ensure_future(self.poller.run())
            self._poll_task.add_done_callback(self._stop_on_failure)
            logger.info("Starting long polling")

    def _count_drop(self) -> None:
        self.app.bot_data.updates_dropped += 1

    def _done(self, update_id: int) -> None:
        """The scheduler is through with ``update_id``: finished, or left for the restart if its reply failed."""
        unsent = self.app.bot_data.unsent
        if update_id in unsent:
            unsent.discard(update_id)
            self.ledger.leave(update_id)
        else:
            self.ledger.finish(update_id)

    def _stop_on_failure(self, task: asyncio.Task[None]) -> None:
        """Polling ended by an error: stop the bot, and make ``run`` exit 1 so a supervisor restarts it."""
        if task.cancelled() or task.exception() is None:
            return
        self.failure = task.exception()
        logger.error("Polling stopped: %s; stopping, to exit with status 1.", type(self.failure).__name__)
        raise SystemExit(1)  # ends run_forever (asyncio re-raises SystemExit from a callback)

    async def stop(self) -> None:
        """Stop fetching, give the handlers GROUNDBOT_STOP_GRACE seconds, confirm what finished, close."""
        app = self.app
        if self.poller is not None and self._poll_task is not None:
            self.poller.stopping = True
            while not self._poll_task.done():
                self._poll_task.cancel()
                await asyncio.wait({self._poll_task}, timeout=0.5)
        if self.webhook is not None:
            self.webhook.state["stopping"] = True
            self.webhook.server.stop()
        stopping = None
        if self._started:
            # PTB's stop runs beside the drain: it logs "Application is stopping" now and
            # finishes once every update task has ended, which the drain bounds.
            if self.scheduler is not None:
                self.scheduler.close()
            stopping = asyncio.ensure_future(app.stop())
        if self.scheduler is not None:
            await self.scheduler.drain(self.settings.stop_grace)
        if stopping is not None:
            await stopping
        offset = self.poller.offset() if self.poller is not None else None
        self.ledger.record()
        left = self.ledger.abandon()
        if left:
            logger.info(
                "Stopping with %d update(s) unanswered: kept or not confirmed, so answered after the restart.",
                len(left),
            )
        if self.poller is not None and self._started:
            try:
                await asyncio.wait_for(self.poller.confirm(offset), CONFIRM_WITHIN)
            except Exception as err:  # a restart skips what was handled anyway
                logger.warning("Could not confirm the finished updates: %s", type(err).__name__)
        if self.webhook is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.webhook.stop(), CONFIRM_WITHIN)
        if self._started:
            if app.post_stop:
                await app.post_stop(app)
        if self._initialized:
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)


def run(app: Application, settings: Settings, allowed_updates: list[str]) -> None:
    """Run until SIGINT or SIGTERM (see bot/signals.py), then stop within the grace; exit 1 if polling died."""
    loop = asyncio.new_event_loop()  # PTB runs on the current loop: ours, with our signal handlers
    asyncio.set_event_loop(loop)
    signals.install(loop)
    runtime = Runtime(app, settings, allowed_updates)
    try:
        loop.run_until_complete(runtime.start())
        loop.run_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        try:
            loop.run_until_complete(runtime.stop())
        finally:
            loop.close()
    if runtime.failure is not None:
        # Not 0: systemd's Restart=on-failure and Docker's on-failure restart only a failed process.
        raise SystemExit(1)
