"""The fair scheduler in-process: chats take turns, limits drop with one notice, a stall shows in health."""

from __future__ import annotations

import asyncio

from telegram import Update
from telegram.ext import ApplicationBuilder

from bot import health
from bot.config import Settings
from bot.scheduler import FairScheduler, Limits
from tests.telegram_fakes import TOKEN, private_message


def person(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": f"P{user_id}"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def run_all(scheduler: FairScheduler, updates: list[dict], ran: list[int]) -> None:
    async def handle(update_id: int) -> None:
        ran.append(update_id)
        await asyncio.sleep(0)

    await asyncio.gather(*(scheduler.process_update(Update.de_json(u, None), handle(u["update_id"])) for u in updates))


async def test_a_chat_with_many_waiting_updates_takes_turns_with_a_chat_that_has_one():
    scheduler = FairScheduler(Limits(slots=1, user_pending=0, user_per_minute=0))
    busy = [private_message(f"q{i}", sender=person(1)) for i in range(6)]
    other = private_message("hello", sender=person(2))
    ran: list[int] = []
    await run_all(scheduler, busy + [other], ran)
    assert len(ran) == 7
    assert ran.index(other["update_id"]) <= 2  # one busy update before it, not all six


async def test_a_user_over_the_limit_gets_one_notice_and_every_update_still_counts_as_finished():
    clock = Clock()
    scheduler = FairScheduler(Limits(slots=4, user_pending=0, user_per_minute=2), clock=clock)
    notices: list[int] = []

    async def notice(update: Update) -> None:
        notices.append(update.update_id)

    scheduler.send_slow_down = notice
    finished: list[int] = []
    scheduler.on_finished = finished.append
    flood = [private_message(f"q{i}", sender=person(7)) for i in range(5)]
    ran: list[int] = []
    await run_all(scheduler, flood, ran)
    await asyncio.sleep(0)
    assert ran == [u["update_id"] for u in flood[:2]]
    assert notices == [flood[2]["update_id"]]  # one notice, then silence
    assert sorted(finished) == sorted(u["update_id"] for u in flood)  # dropped ones are done too

    clock.now += 61  # the window has passed: the user may ask again
    later = private_message("again", sender=person(7))
    await run_all(scheduler, [later], ran)
    assert ran[-1] == later["update_id"]


async def test_health_says_degraded_when_updates_wait_and_none_has_finished_for_the_stall_time(clean_env):
    clock = Clock()
    scheduler = FairScheduler(Limits(slots=1, user_pending=0, user_per_minute=0), clock=clock)
    app = ApplicationBuilder().token(TOKEN).concurrent_updates(scheduler).build()
    settings = Settings(token=TOKEN, stall_after=30)
    release = asyncio.Event()

    async def stuck() -> None:
        await release.wait()

    first = asyncio.ensure_future(
        scheduler.process_update(Update.de_json(private_message("a", sender=person(1)), None), stuck())
    )
    second = asyncio.ensure_future(
        scheduler.process_update(Update.de_json(private_message("b", sender=person(2)), None), stuck())
    )
    await asyncio.sleep(0.01)
    assert health.stall_problem(app, settings) is None
    clock.now += 31
    assert "1 update(s) waiting, none handled for 31 s" == health.stall_problem(app, settings)
    release.set()
    await asyncio.gather(first, second)
    assert health.stall_problem(app, settings) is None
