"""Long polling that confirms nothing before it is answered or kept.

PTB's Updater advances the offset as soon as it has fetched updates, so a crash loses
everything fetched and not yet answered. This poller first keeps each update it takes
in the event log (``Ledger.keep``, one commit per batch) and confirms only past updates
that are kept or finished: if the log cannot keep them, ``offset`` stays at the oldest
one in hand and Telegram delivers it again. Kept updates not finished are handled after
a restart (bot/runtime.py). At most ``window`` updates are in hand at once (bounded
prefetch); an update delivered again that is in hand or recorded as handled is skipped.
Each update is parsed on its own: one that cannot be is dropped (``Ledger.parsed``), and
the rest of its batch is answered.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Sequence

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application

from bot.ledger import Ledger
from bot.scheduler import FairScheduler

logger = logging.getLogger("groundbot.polling")

BATCH = 100  # Telegram's most updates per getUpdates
# While updates are in hand, Telegram answers getUpdates at once with them again: wait for
# one to finish (or this long) before asking, rather than spin.
RECHECK = 0.25
READ_SLACK = 10  # seconds a getUpdates may take beyond its long-poll timeout

# getUpdates through do_api_request is deliberate (see fetch_once); PTB warns about it.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'")


class Poller:
    """Fetch updates into ``app.update_queue``, never confirming one that is still in hand."""

    def __init__(
        self,
        app: Application,
        ledger: Ledger,
        *,
        window: int,
        timeout: int,
        allowed_updates: Sequence[str] | None = None,
    ):
        self.app = app
        self.ledger = ledger
        self.window = max(1, window)
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.next_id: int | None = None  # one past the highest update taken or skipped
        processor = app.update_processor
        self.scheduler = processor if isinstance(processor, FairScheduler) else None
        self.stopping = False

    def offset(self) -> int | None:
        """The offset to confirm: the oldest update in hand, else one past the last one seen."""
        oldest = self.ledger.oldest()
        return oldest if oldest is not None else self.next_id

    async def fetch_once(self, timeout: int) -> int:
        """One getUpdates: queue the new updates there is room for; return how many were new."""
        offset = self.offset()
        room = self.window - len(self.ledger.in_hand)
        wait = timeout if not self.ledger.in_hand else 0
        kwargs: dict[str, object] = {"limit": BATCH, "timeout": wait}
        if offset is not None:
            kwargs["offset"] = offset
        if self.allowed_updates is not None:
            kwargs["allowed_updates"] = self.allowed_updates
        # The raw JSON, not Update objects: under a flood most updates are ones already seen,
        # and parsing each of them again (and serialising them to keep) is what would limit the rate.
        raw = await self.app.bot.do_api_request("getUpdates", api_kwargs=kwargs, read_timeout=wait + READ_SLACK)
        if offset is not None:
            self.ledger.forget_below(offset)
        items = [u for u in raw if isinstance(u, dict) and isinstance(u.get("update_id"), int)]
        seen = self.ledger.seen(u["update_id"] for u in items)
        taken: list[tuple[dict, Update]] = []
        for data in items:
            if data["update_id"] not in seen and self._silenced(data):
                self.ledger.finish(data["update_id"])  # dropped without parsing: a flood costs little
            elif data["update_id"] not in seen:
                if room <= 0:
                    break  # bounded prefetch: the rest stay unconfirmed and come again
                update = self.ledger.parsed(data, self.app.bot)  # None: dropped, finished, never kept
                if update is not None:
                    taken.append((data, update))
                    room -= 1
            self._passed(data["update_id"])
        self.ledger.keep([data for data, _ in taken])
        for _, update in taken:
            self.ledger.take(update.update_id)
            await self.app.update_queue.put(update)
        return len(taken)

    def _silenced(self, data: dict) -> bool:
        message = data.get("message")
        sender = message.get("from") if isinstance(message, dict) else None
        user_id = sender.get("id") if isinstance(sender, dict) else None
        return self.scheduler is not None and isinstance(user_id, int) and self.scheduler.silenced(user_id)

    def _passed(self, update_id: int) -> None:
        if self.next_id is None or update_id >= self.next_id:
            self.next_id = update_id + 1

    async def run(self) -> None:
        """Poll until cancelled; network trouble is logged and retried with a growing pause."""
        pause = 1.0
        while not self.stopping:
            try:
                self.ledger.changed.clear()
                fresh = await self.fetch_once(self.timeout)
                pause = 1.0
            except RetryAfter as err:
                await asyncio.sleep(_seconds(err.retry_after))
                continue
            except (InvalidToken, Conflict):
                raise
            except (NetworkError, TelegramError) as err:
                logger.warning("getUpdates failed (%s); trying again in %.0f s", type(err).__name__, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 30.0)
                continue
            if self.ledger.in_hand and (not fresh or len(self.ledger.in_hand) >= self.window):
                await self._settle(self.window // 2 if fresh else len(self.ledger.in_hand) - 1)

    async def _settle(self, target: int) -> None:
        """Wait until at most ``target`` updates are in hand, or RECHECK s.

        With a full window, wait for half of it: fetching room for one update at a time is slow.
        """
        deadline = asyncio.get_running_loop().time() + RECHECK
        while len(self.ledger.in_hand) > max(0, target):
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return
            self.ledger.changed.clear()
            # asyncio.wait, not wait_for: Python 3.11's wait_for can swallow a cancellation
            # that lands as the event is set, and then polling would never stop.
            waiter = asyncio.ensure_future(self.ledger.changed.wait())
            try:
                await asyncio.wait({waiter}, timeout=left)
            finally:
                waiter.cancel()

    async def confirm(self, offset: int | None) -> None:
        """Tell Telegram every update below ``offset`` is done (a getUpdates that waits for nothing)."""
        if offset is None:
            return
        await self.app.bot.get_updates(offset=offset, limit=1, timeout=0, allowed_updates=self.allowed_updates)


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if total is not None else float(value)  # type: ignore[arg-type]
