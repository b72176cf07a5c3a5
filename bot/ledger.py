"""The ledger of updates in hand: what may be confirmed to Telegram, and what was already answered.

An update is *in hand* from the moment the intake (polling or webhook) passes it to the
application until the scheduler reports it finished (answered, or deliberately dropped).
Finishing records its ``update_id`` in the event log first, so an update Telegram
delivers again after a crash or restart is recognised and skipped. The polling intake
confirms to Telegram only offsets below the oldest update still in hand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable

from knowledge.events import EventLog

logger = logging.getLogger("groundbot.ledger")


class Ledger:
    """Updates in hand and updates finished since the last confirmed offset."""

    def __init__(self, events: Callable[[], EventLog | None]):
        self._events = events
        self.in_hand: dict[int, asyncio.Future[None]] = {}
        self.finished: set[int] = set()  # finished, not yet below the confirmed offset
        self.changed = asyncio.Event()
        self._warned = False

    def take(self, update_id: int) -> asyncio.Future[None]:
        """Note ``update_id`` as in hand; the future resolves when it is finished."""
        future = self.in_hand.get(update_id)
        if future is None:
            future = self.in_hand[update_id] = asyncio.get_running_loop().create_future()
        return future

    def finish(self, update_id: int) -> None:
        """Record ``update_id`` as handled (event log first), then release it."""
        events = self._events()
        if events is not None:
            try:
                events.mark_handled([update_id])
            except Exception as err:  # a failing log must not hold up answers; a redelivery may repeat one
                if not self._warned:
                    logger.warning("Could not record handled updates in the event log: %s", type(err).__name__)
                    self._warned = True
        self.finished.add(update_id)
        future = self.in_hand.pop(update_id, None)
        if future is not None and not future.done():
            future.set_result(None)
        self.changed.set()

    def seen(self, update_ids: Iterable[int]) -> set[int]:
        """Which of ``update_ids`` are in hand or already handled (in this run or an earlier one)."""
        ids = list(update_ids)
        known = {u for u in ids if u in self.in_hand or u in self.finished}
        rest = [u for u in ids if u not in known]
        events = self._events()
        if rest and events is not None:
            try:
                known |= events.handled(rest)
            except Exception as err:
                logger.warning("Could not read handled updates from the event log: %s", type(err).__name__)
        return known

    def oldest(self) -> int | None:
        """The lowest update id still in hand, if any."""
        return min(self.in_hand) if self.in_hand else None

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
        return ids
