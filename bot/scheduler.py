"""Fair scheduling: no one chat or user can hold the shared handler slots.

python-telegram-bot hands every update to an update processor, which decides when its
handler runs. PTB's own processor is one FIFO semaphore, so a flood from one chat fills
every slot, and a group reply that AIORateLimiter holds back for Telegram's 20-a-minute
group limit keeps its slot while it waits. ``FairScheduler`` replaces it:

- each chat has its own queue, and at most one of its updates runs at a time; free slots
  go to the chats round-robin, so a bystander waits for at most one update per busy chat;
- each user may have at most ``user_pending`` updates waiting or running and
  ``user_per_minute`` in any 60 s; past that the first extra message gets one short
  "slow down" reply, the rest are dropped in silence until the window passes (in groups too);
- a group's messages are admitted only while the group has send budget left (Telegram's
  20 messages a minute per group): a question the bot could not answer for minutes is
  dropped at once instead of waiting in a slot.

Every update ends in ``on_finished(update_id)``, whether it was handled or dropped, so
the intake (bot/polling.py, bot/webhook.py) knows it may be confirmed to Telegram.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger("groundbot.scheduler")

SLOW_DOWN = "You're asking faster than I can answer. Please wait a minute, then ask again."
WINDOW = 60.0  # seconds: the per-minute limits' window
GROUP_SENDS_PER_MINUTE = 20  # Telegram's flood limit for messages to one group
# A reply goes out a little after its question is admitted: a slightly longer window keeps
# the sends themselves under Telegram's limit rather than earning a 429 and a minute's wait.
GROUP_WINDOW = WINDOW + 5.0


@dataclass(frozen=True)
class Limits:
    """The scheduler's settings; a limit of 0 turns that limit off."""

    slots: int = 32
    user_pending: int = 3
    user_per_minute: int = 20
    group_per_minute: int = GROUP_SENDS_PER_MINUTE


@dataclass
class _User:
    pending: int = 0
    recent: deque[float] = field(default_factory=deque)
    warned_until: float = 0.0


@dataclass
class _Sends:
    """The times a group's sends were granted; at most ``rate`` in any ``GROUP_WINDOW``."""

    rate: int
    granted: deque[float] = field(default_factory=deque)
    warned_until: float = 0.0

    def take(self, now: float) -> bool:
        while self.granted and now - self.granted[0] >= GROUP_WINDOW:
            self.granted.popleft()
        if len(self.granted) >= self.rate:
            return False
        self.granted.append(now)
        return True


def chat_key(update: object) -> int | None:
    """The queue an update waits in: its chat, else its user (inline queries), else none."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            return update.effective_user.id
    return None


class FairScheduler(BaseUpdateProcessor):
    """A ``BaseUpdateProcessor`` with per-chat queues served round-robin and per-user limits."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic):
        super().__init__(max(1, limits.slots))
        self.limits = limits
        self.clock = clock
        self.on_finished: Callable[[int], None] = lambda update_id: None
        self.send_slow_down: Callable[[Update], Awaitable[Any]] = _reply_slow_down
        self._queues: dict[int | None, deque[asyncio.Future[None]]] = {}
        self._ready: deque[int | None] = deque()  # chats with a waiter and nothing running
        self._busy: set[int | None] = set()  # chats with an update running
        self._free = self.max_concurrent_updates
        self._users: dict[int, _User] = {}
        self._groups: dict[int, _Sends] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self._notices: set[asyncio.Task[Any]] = set()
        self._closing = False
        self.dropped = 0
        self.last_progress = clock()

    # --- what health and the intake read ---

    @property
    def waiting(self) -> int:
        """Updates admitted and waiting for a slot."""
        return sum(len(q) for q in self._queues.values())

    def stalled_for(self) -> float:
        """Seconds since an update last finished while others wait (0 when nothing waits)."""
        if not self.waiting:
            return 0.0
        return self.clock() - self.last_progress

    def silenced(self, user_id: int) -> bool:
        """True while ``user_id`` is over a limit and has had the notice: their updates are dropped unread."""
        state = self._users.get(user_id)
        return bool(
            state is not None
            and self.clock() < state.warned_until
            and (
                (self.limits.user_pending and state.pending >= self.limits.user_pending)
                or (self.limits.user_per_minute and len(state.recent) >= self.limits.user_per_minute)
            )
        )

    # --- BaseUpdateProcessor ---

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run one update's handlers."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up: the queues live in memory."""

    async def shutdown(self) -> None:
        """Cancel whatever is still waiting or running (see ``drain``)."""
        await self.drain(0)

    # PTB's own process_update takes a shared slot before a chat's turn comes: waiting for the
    # turn first, per chat, is what keeps one busy chat from holding every slot.
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        """Admit ``update`` or drop it, wait for its chat's turn, then run it."""
        update_id = update.update_id if isinstance(update, Update) else None
        user = None  # set once admitted: its pending count is ours to give back
        try:
            if self._closing:
                _close(coroutine)
                update_id = None  # not handled: left for Telegram to send again
                return
            if not self._admit(update):
                _close(coroutine)
                return
            key = chat_key(update)
            user = _user_id(update)
            try:
                await self._turn(key)
            except asyncio.CancelledError:
                _close(coroutine)
                update_id = None  # not handled: it must not count as finished
                raise
            if self._closing:  # given its slot just as the stop began: leave it for Telegram to resend
                self._release(key)
                _close(coroutine)
                update_id = None
                return
            task = asyncio.ensure_future(self.do_process_update(update, coroutine))
            self._running.add(task)
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                task.cancel()
                update_id = None
                raise
            finally:
                self._running.discard(task)
                if task.cancelled():
                    update_id = None
                self._release(key)
        finally:
            if user is not None and user in self._users:
                self._users[user].pending -= 1
            if update_id is not None:
                self.on_finished(update_id)

    # --- admission ---

    def _admit(self, update: object) -> bool:
        if not isinstance(update, Update) or not _counted(update):
            return True
        now = self.clock()
        user = _user_id(update)
        limits = self.limits
        chat = update.effective_chat
        in_group = chat is not None and chat.type != "private"
        if user is not None:
            state = self._users.setdefault(user, _User())
            while state.recent and now - state.recent[0] >= WINDOW:
                state.recent.popleft()
            over = (limits.user_pending and state.pending >= limits.user_pending) or (
                limits.user_per_minute and len(state.recent) >= limits.user_per_minute
            )
            if over:
                self._drop(update, "user over limit")
                if (
                    now >= state.warned_until
                    and update.message is not None
                    and (not in_group or (chat is not None and self._group_budget(chat.id, now)))
                ):
                    # One notice, then silence until the oldest counted question leaves the window.
                    state.warned_until = (state.recent[0] + WINDOW) if state.recent else now + WINDOW
                    logger.info(
                        "A user is over the question limit: one notice, then their updates are dropped for %.0f s.",
                        state.warned_until - now,
                    )
                    self._notify(update)
                return False
        if in_group and update.message is not None:
            if not self._group_budget(chat.id, now):  # type: ignore[union-attr]
                sends = self._groups[chat.id]  # type: ignore[union-attr]
                if now >= sends.warned_until:
                    sends.warned_until = sends.granted[0] + GROUP_WINDOW if sends.granted else now + GROUP_WINDOW
                    logger.info(
                        "A group is over its send limit: its questions are dropped for %.0f s.",
                        sends.warned_until - now,
                    )
                self._drop(update, "group over its send limit")
                return False
        if user is not None:
            state.recent.append(now)
            state.pending += 1
        return True

    def _group_budget(self, chat_id: int, now: float) -> bool:
        """Take one of the group's sends for this minute, if it has one left."""
        if not self.limits.group_per_minute:
            return True
        sends = self._groups.get(chat_id)
        if sends is None:
            sends = self._groups[chat_id] = _Sends(self.limits.group_per_minute)
        return sends.take(now)

    def _drop(self, update: Update, why: str) -> None:
        self.dropped += 1
        logger.debug("dropped update=%d: %s", update.update_id, why)

    def _notify(self, update: Update) -> None:
        task = asyncio.ensure_future(self.send_slow_down(update))
        self._notices.add(task)
        task.add_done_callback(self._notice_done)

    def _notice_done(self, task: asyncio.Task[Any]) -> None:
        self._notices.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.warning("Could not send the slow-down notice: %s", type(task.exception()).__name__)

    # --- slots, round-robin ---

    async def _turn(self, key: int | None) -> None:
        if self._free > 0 and key not in self._busy and not self._queues.get(key):
            self._free -= 1
            self._busy.add(key)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._queues.setdefault(key, deque())
        queue.append(waiter)
        if len(queue) == 1 and key not in self._busy:
            self._ready.append(key)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(key)  # the slot was ours: pass it on
            elif waiter in queue:
                queue.remove(waiter)
                if not queue:
                    self._queues.pop(key, None)
                    _discard(self._ready, key)
            raise

    def _release(self, key: int | None) -> None:
        self.last_progress = self.clock()
        self._busy.discard(key)
        if self._queues.get(key):
            self._ready.append(key)  # to the back of the round
        self._free += 1
        while self._free > 0 and self._ready:
            nxt = self._ready.popleft()
            queue = self._queues.get(nxt)
            if not queue:
                continue
            waiter = queue.popleft()
            if not queue:
                self._queues.pop(nxt, None)
            self._free -= 1
            self._busy.add(nxt)
            waiter.set_result(None)

    def close(self) -> None:
        """Take no more updates: from now on each one is left for after the restart."""
        self._closing = True

    async def drain(self, grace: float) -> None:
        """Stop: refuse new updates, drop the waiting ones, give running handlers ``grace`` seconds.

        Whatever does not finish is cancelled and never reported finished, so the intake
        does not confirm it and Telegram delivers it again after a restart.
        """
        self._closing = True
        for queue in list(self._queues.values()):
            for waiter in queue:
                if not waiter.done():
                    waiter.cancel()
        self._queues.clear()
        self._ready.clear()
        deadline = self.clock() + grace
        while self._running and self.clock() < deadline:
            await asyncio.wait(set(self._running), timeout=max(0.0, deadline - self.clock()))
        for task in [*self._running, *self._notices]:
            task.cancel()
        if self._running or self._notices:
            await asyncio.wait({*self._running, *self._notices}, timeout=1.0)


def _counted(update: Update) -> bool:
    """Whether the limits apply: messages for the bot and button presses.

    Inline queries arrive with every keystroke and cost no chat message, and group chatter
    the bot ignores must not use up anyone's allowance.
    """
    if update.callback_query is not None:
        return True
    message = update.message
    if message is None:
        return False
    if message.chat.type == "private":
        return True
    from telegram.ext import filters

    from handlers.ask import ADDRESSED_TO_BOT

    return bool((filters.COMMAND | ADDRESSED_TO_BOT).check_update(update))


def _user_id(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


def _close(coroutine: Awaitable[Any]) -> None:
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()  # never awaited: close it so Python does not warn


def _discard(items: deque[Any], item: Any) -> None:
    try:
        items.remove(item)
    except ValueError:
        pass


async def _reply_slow_down(update: Update) -> None:
    """The one notice a user over the limit gets."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(SLOW_DOWN, do_quote=False)
