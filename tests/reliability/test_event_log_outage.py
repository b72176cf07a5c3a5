"""A locked or full event log delays no answer by more than GROUNDBOT_EVENTS_TIMEOUT; the answer is sent anyway."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import health
from handlers.errors import SORRY
from tests.conftest import ANSWERED, REFUSED
from tests.knowledge.test_event_log_failures import HOLD_LOCK
from tests.telegram_fakes import private_message, running_bot


@pytest.fixture
def held_lock():
    """Another process holding a log's write lock for 15 s (killed at the end)."""
    procs: list[subprocess.Popen] = []

    def hold(path: Path) -> None:
        proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout.readline().strip() == "locked"

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()


async def test_a_log_locked_by_another_process_delays_answers_by_at_most_the_timeout(bot_settings, held_lock):
    settings = bot_settings.model_copy(update={"events_timeout": 1.0})
    async with running_bot(settings) as bot:
        held_lock(bot.events.path)
        delays = []
        for text in [ANSWERED, REFUSED] * 5:
            started = time.monotonic()
            reply = await bot.reply_to(private_message(text))
            delays.append(time.monotonic() - started)
            assert reply.text != SORRY
        assert max(delays) < 1.5
        assert sum(delays) < 3.0  # one wait for the lock, then the log is skipped until its retry
        assert not bot.events.healthy


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 512 KiB tmpfs (needs root and mount rights; skipped elsewhere), unmounted at the end."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path) -> None:
    """Write to ``directory`` until its file system has no room left."""
    fd = os.open(directory / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


async def test_on_a_full_disk_every_question_is_answered(bot_settings, tiny_disk):
    settings = bot_settings.model_copy(update={"data_dir": tiny_disk / "data"})
    async with running_bot(settings) as bot:
        fill(tiny_disk)
        replies = []
        for _ in range(40):
            replies.append(await bot.reply_to(private_message(ANSWERED)))
        assert all(r.text != SORRY for r in replies)
        assert sum("50,000" in r.text for r in replies) == 40
        assert not bot.events.healthy and "full" in bot.events.problem


async def test_while_the_log_is_locked_health_says_degraded_and_the_failure_is_logged_once(
    bot_settings, held_lock, caplog
):
    settings = bot_settings.model_copy(update={"events_timeout": 0.5})
    async with running_bot(settings) as bot:
        await bot.app.start()
        try:
            healthy, before = health.report(bot.app, settings, time.time())
            assert healthy and before["status"] == "ok"
            held_lock(bot.events.path)
            started = time.monotonic()
            replies = [await bot.reply_to(private_message(text)) for text in [ANSWERED, REFUSED] * 10]
            assert time.monotonic() - started < 5.0
            assert all(r.text != SORRY for r in replies)
            healthy, during = health.report(bot.app, settings, time.time())
        finally:
            await bot.app.stop()
    assert not healthy and during["status"] == "degraded"
    assert during["problems"] == [f"event log not writable: {during['event_log']['error']}"]
    assert "locked" in during["event_log"]["error"]
    failures = [r for r in caplog.records if r.name == "knowledge.activity.events" and r.levelno >= logging.ERROR]
    assert len(failures) == 1  # once for the outage, not once per question or per health check
