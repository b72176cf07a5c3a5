"""The ledger of updates in hand: what may be confirmed to Telegram, and what was already answered.

An update is *in hand* from the moment the intake (polling or webhook) passes it to the
application until the scheduler reports it finished (answered, or deliberately dropped).
Taking it in hand first keeps its JSON in the event log (``spool``); finishing records its
``update_id`` there, so an update Telegram delivers again after a crash or restart is
recognised and skipped, and a kept one not yet finished is handled after the restart.
An update is confirmed to Telegram only once kept or finished: if the event log cannot
keep it, the polling offset stays at it, and Telegram delivers it again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable

from knowledge.activity.events import EventLog

logger = logging.getLogger("groundbot.ledger")

# Finished updates are recorded in batches: one commit per update would cap a flood's
# drop rate at the disk's commit rate. A crash forgets at most this many seconds of them.
RECORD_EVERY = 0.05


class Ledger:
    """Updates in hand and updates finished since the last confirmed offset."""

    def __init__(self, events: Callable[[], EventLog | None]):
        self._events = events
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

    def kept_earlier(self) -> list[dict]:
        """Updates kept by an earlier run and never finished (it crashed or stopped), oldest first."""
        events = self._events()
        if events is None:
            return []
        kept = []
        for update_id, body in events.spooled():
            try:
                kept.append(json.loads(body))
            except ValueError:  # a damaged row: Telegram still has the update unless it was confirmed
                logger.warning("A kept update (%d) is not JSON; skipped", update_id)
        return kept

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
