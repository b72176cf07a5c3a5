"""The ledger of updates in hand: what may be confirmed to Telegram, and what was already answered.

An update is *in hand* from the moment the intake (polling or webhook) passes it to the
application until the scheduler reports it finished (answered, or deliberately dropped).
Taking it in hand first keeps its JSON in the event log (``spool``); finishing records its
``update_id`` there, so an update Telegram delivers again after a crash or restart is
recognised and skipped, and a kept one not yet finished is handled after the restart.
An update is confirmed to Telegram only once kept or finished: if the event log cannot
keep it, the polling offset stays at it, and Telegram delivers it again.

An update whose reply could not be sent is *left* (``leave``): out of hand but not finished,
so it stays in the spool and is answered after a restart. Each start counts one more
attempt for every kept update (``kept_earlier``); one taken in hand ``update_attempts``
times, or that cannot be parsed at all (``parsed``), is *dropped*: logged by update_id and
reason, recorded as handled so it leaves the spool, and counted (``on_drop``, /stats).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from telegram import Bot, Update

from knowledge.activity.events import EventLog
from knowledge.activity.update_records import DropReason

logger = logging.getLogger("groundbot.ledger")

# Finished updates are recorded in batches: one commit per update would cap a flood's
# drop rate at the disk's commit rate. A crash forgets at most this many seconds of them.
RECORD_EVERY = 0.05


class Ledger:
    """Updates in hand and updates finished since the last confirmed offset."""

    def __init__(self, events: Callable[[], EventLog | None], on_drop: Callable[[], None] = lambda: None):
        self._events = events
        self._on_drop = on_drop  # counts a dropped update (for the health report)
        self.in_hand: dict[int, asyncio.Future[None]] = {}
        self.finished: set[int] = set()  # finished, not yet below the confirmed offset
        self.kept: set[int] = set()  # in hand and in the event log: safe to confirm
        self.changed = asyncio.Event()
        self._unrecorded: list[int] = []
        self._flush: asyncio.TimerHandle | None = None

    def take(self, update_id: int) -> asyncio.Future[None]:
        """Note ``update_id`` as in hand; the future resolves when it is finished."""
        future = self.in_hand.get(update_id)
        if future is None:
            future = self.in_hand[update_id] = asyncio.get_running_loop().create_future()
        return future

    def keep(self, updates: list[dict]) -> bool:
        """Write these updates (Telegram's JSON) to the event log, one commit, so a crash cannot lose them.

        False if that failed: then they are not confirmed until finished.
        """
        events = self._events()
        if events is None or not updates:
            return False
        # A failing log says so (and logs it once); the updates are then not confirmed until finished.
        if not events.spool([(u["update_id"], json.dumps(u)) for u in updates]):
            return False
        self.kept.update(u["update_id"] for u in updates)
        return True

    def kept_earlier(self, most_attempts: int) -> list[dict[str, Any]]:
        """Updates kept by an earlier run and never finished (it crashed, stopped, or could not send), oldest first.

        Each counts one more attempt; one past ``most_attempts``, or not JSON, is dropped instead.
        """
        events = self._events()
        if events is None:
            return []
        kept = []
        for row in events.retake():
            if row.attempts > most_attempts:
                self.drop(row.update_id, "attempts", f"taken in hand {most_attempts} times without an answer")
                continue
            try:
                data = json.loads(row.body)
            except ValueError:
                data = None
            if isinstance(data, dict) and data.get("update_id") == row.update_id:
                kept.append(data)
            else:
                self.drop(row.update_id, "unreadable", "kept, but not as a JSON object")
        return kept

    def parsed(self, data: dict[str, Any], bot: Bot) -> Update | None:
        """The ``Update`` in Telegram's JSON ``data``; None once dropped, if it cannot be parsed."""
        try:
            update = Update.de_json(data, bot)
        except Exception as err:  # any shape PTB cannot read: drop this update, never stop the intake
            self.drop(data["update_id"], "unreadable", f"cannot be parsed ({type(err).__name__})")
            return None
        if update is None:  # PTB's answer to an empty object
            self.drop(data["update_id"], "unreadable", "cannot be parsed (empty)")
        return update

    def drop(self, update_id: int, reason: DropReason, detail: str) -> None:
        """Give up on ``update_id`` unanswered: log it (never its content), record it handled and dropped, count it."""
        logger.warning("Dropped update %d unanswered: %s", update_id, detail)
        self._on_drop()
        events = self._events()
        if events is not None:
            events.record_dropped(update_id, reason)
        self.finish(update_id)

    def leave(self, update_id: int) -> None:
        """Its reply could not be sent: out of hand, not finished, so a restart answers it (from the spool).

        One that is not kept stays in hand instead: unconfirmed, so Telegram delivers it again.
        """
        if update_id not in self.kept:
            return
        self.kept.discard(update_id)
        future = self.in_hand.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(None)
        self.changed.set()

    def finish(self, update_id: int) -> None:
        """Release ``update_id``; it is recorded as handled in the event log within ``RECORD_EVERY`` s."""
        self._unrecorded.append(update_id)
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(RECORD_EVERY, self.record)
        self.finished.add(update_id)
        self.kept.discard(update_id)
        future = self.in_hand.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(None)
        self.changed.set()

    def record(self) -> None:
        """Write the finished updates to the event log, one commit for all (called by ``finish``, and on stop)."""
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        ids, self._unrecorded = self._unrecorded, []
        events = self._events()
        if events is None or not ids:
            return
        # A failing log must not hold up answers: it logs the failure once, and a redelivery may repeat one.
        events.mark_handled(ids)

    def seen(self, update_ids: Iterable[int]) -> set[int]:
        """Which of ``update_ids`` are in hand or already handled (in this run or an earlier one)."""
        ids = list(update_ids)
        known = {u for u in ids if u in self.in_hand or u in self.finished}
        rest = [u for u in ids if u not in known]
        events = self._events()
        if rest and events is not None:
            known |= events.handled(rest)
        return known

    def oldest(self) -> int | None:
        """The lowest update id in hand and not kept in the event log, if any: what must stay unconfirmed."""
        unkept = [u for u in self.in_hand if u not in self.kept]
        return min(unkept) if unkept else None

    def forget_below(self, offset: int) -> None:
        """Telegram has confirmed everything below ``offset``: it will not come again."""
        self.finished = {u for u in self.finished if u >= offset}

    def abandon(self) -> list[int]:
        """On stop: give up the updates still in hand (they stay unconfirmed); return their ids."""
        ids = sorted(self.in_hand)
        for future in self.in_hand.values():
            if not future.done():
                future.cancel()
        self.in_hand.clear()
        self.kept.clear()
        return ids
