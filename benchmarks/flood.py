"""Floods and bystanders: who asks, when they asked, and how long each waited for a reply."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from benchmarks.seed import ANSWERED, REFUSED
from benchmarks.telegram_server import FakeTelegram
from benchmarks.telegram_updates import TEAM_GROUP, group_message, private_message


def people(first_id: int, n: int, name: str = "Person") -> list[dict]:
    """``n`` distinct users, so each reply's chat says whose question it answers."""
    return [{"id": first_id + i, "is_bot": False, "first_name": f"{name} {i}"} for i in range(n)]


def questions(askers: list[dict]) -> list[dict]:
    """One private question from each asker, answered and refused alternately."""
    return [private_message(ANSWERED if i % 2 else REFUSED, sender=p) for i, p in enumerate(askers)]


def group_flood(n: int, members: list[dict]) -> list[dict]:
    """``n`` `/ask` commands in one group, from ``members`` in turn."""
    return [group_message(f"/ask {ANSWERED}", sender=members[i % len(members)], chat=TEAM_GROUP) for i in range(n)]


def interleave(flood: list[dict], others: list[dict]) -> list[dict]:
    """``others`` spread evenly through ``flood``, the way they would arrive during it."""
    out, step = [], max(1, len(flood) // max(1, len(others)))
    others = list(others)
    for i, update in enumerate(flood):
        if i % step == 0 and others:
            out.append(others.pop(0))
        out.append(update)
    return out + others


@dataclass
class Waits:
    """Seconds from the push to the first reply, per bystander; missing ones never got one."""

    seconds: list[float]
    missing: int

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("inf")

    @property
    def p95(self) -> float:
        if not self.seconds:
            return float("inf")
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]

    @property
    def max(self) -> float:
        return max(self.seconds) if self.seconds else float("inf")


def trickle(telegram: FakeTelegram, updates: list[dict], every: float) -> dict[int, float]:
    """Push ``updates`` one at a time, ``every`` seconds apart; return each chat's push time."""
    pushed = {}
    for update in updates:
        telegram.push(update)
        pushed[update["message"]["chat"]["id"]] = time.monotonic()
        time.sleep(every)
    return pushed


def bystander_waits(telegram: FakeTelegram, pushed: dict[int, float], timeout: float) -> Waits:
    """Wait up to ``timeout`` s for each chat in ``pushed`` to get a reply; the seconds each waited."""
    deadline = time.monotonic() + timeout
    while True:
        first: dict[int, float] = {}
        for call in telegram.api.calls_to("sendMessage"):
            chat = call.params.get("chat_id")
            if call.status == 200 and chat in pushed and chat not in first:
                first[chat] = call.at
        if len(first) == len(pushed) or time.monotonic() > deadline:
            return Waits([t - pushed[c] for c, t in first.items()], len(pushed) - len(first))
        time.sleep(0.05)


def replies_to(telegram: FakeTelegram, chat_ids: set[int]) -> dict[int, int]:
    """How many messages each of ``chat_ids`` got."""
    counts = {c: 0 for c in chat_ids}
    for call in telegram.api.calls_to("sendMessage"):
        if call.status == 200 and call.params.get("chat_id") in counts:
            counts[call.params["chat_id"]] += 1
    return counts
