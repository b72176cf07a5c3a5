"""Hostile and unlucky knowledge files dropped into a watched directory: the watcher never dies.

Each failure reaches the moderators once, as its file:line:col problem; the bot keeps
answering from the last good store meanwhile; health shows the failed reload; and a later
good edit still loads. The bot runs in process against the recording Bot API.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import health
from tests.conftest import ANSWERED
from tests.telegram_fakes import ALICE, BotAPI, Call, RunningBot, private_message, running_bot

INTERVAL = 0.2  # the watcher's look interval in these tests: quick, and still two looks apart
MODERATOR = ALICE["id"]
ROOT = os.geteuid() == 0

NEW_CLAIM = """\
source:
  id: later-briefing
  outlet: Team News
claims:
  - id: depot-crates
    statement: The northern depot stores 4,000 crates of spare parts.
    attributed_to: Colonel Gamma
    questions:
      - How many crates does the northern depot store?
"""
NEW_QUESTION = "How many crates does the northern depot store?"


@pytest.fixture
def watched(bot_settings):
    return bot_settings.model_copy(
        update={
            "moderators": frozenset({MODERATOR}),
            "watch_knowledge": True,
            "watch_interval": INTERVAL,
            "watch_settle": 2 * INTERVAL,
        }
    )


def told(api: BotAPI) -> list[str]:
    """What the moderator has been sent so far."""
    return [c.text or "" for c in api.calls_to("sendMessage") if c.params.get("chat_id") == MODERATOR]


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)


async def still_answers(bot: RunningBot) -> Call:
    reply = await bot.reply_to(private_message(ANSWERED))
    assert "50,000 shells" in (reply.text or ""), reply.text
    return reply


def last_reload(bot: RunningBot) -> dict:
    _, body = health.report(bot.app, bot.app.bot_data.settings, time.time())
    return body


def deep(kb: Path) -> str:
    (kb / "deep.yaml").write_text("a: " + "[" * 600 + "]" * 600 + "\n", encoding="utf-8")
    return "knowledge/deep.yaml:1:35: nested more than 32 levels deep"


def not_utf8_name(kb: Path) -> str:
    with open(os.fsencode(kb) + b"/bad-\xff.yaml", "wb") as handle:
        handle.write(NEW_CLAIM.encode())
    return "knowledge/bad-\\xff.yaml:1:1: the file name is not UTF-8 text"


def unreadable_file(kb: Path) -> str:
    path = kb / "locked.yaml"
    path.write_text(NEW_CLAIM, encoding="utf-8")
    path.chmod(0)
    return "knowledge/locked.yaml:1:1: cannot read the file: permission denied"


def unreadable_dir(kb: Path) -> str:
    sub = kb / "more"
    sub.mkdir()
    (sub / "new.yaml").write_text(NEW_CLAIM, encoding="utf-8")
    sub.chmod(0)
    return "knowledge/more:1:1: cannot list the directory: permission denied"


def broken_link(kb: Path) -> str:
    (kb / "link.yaml").symlink_to(kb / "gone.yaml")
    return "knowledge/link.yaml:1:1: broken symbolic link"


def repair(kb: Path) -> None:
    """Undo what any of the hostile makers did, so the directory loads again."""
    for path in list(kb.rglob("*")) + [Path(os.fsdecode(os.fsencode(kb) + b"/bad-\xff.yaml"))]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    for name in os.listdir(os.fsencode(kb)):
        path = Path(os.fsdecode(os.fsencode(kb) + b"/" + name))
        if path.name != "team.yaml":
            if path.is_dir() and not path.is_symlink():
                for inner in path.iterdir():
                    inner.unlink()
                path.rmdir()
            else:
                path.unlink()


needs_non_root = pytest.mark.skipif(ROOT, reason="root reads any file or directory whatever its mode")


@pytest.mark.parametrize(
    "make",
    [
        deep,
        not_utf8_name,
        broken_link,
        pytest.param(unreadable_file, marks=needs_non_root),
        pytest.param(unreadable_dir, marks=needs_non_root),
    ],
)
async def test_a_hostile_file_is_told_once_the_bot_keeps_answering_and_a_later_good_edit_loads(watched, seed_kb, make):
    async with running_bot(watched) as bot:
        claims = len(bot.knowledge)
        expected = make(seed_kb)
        await until(lambda: any(expected in t for t in told(bot.api)), 5, f"the moderator told {expected!r}")
        await still_answers(bot)
        assert len(bot.knowledge) == claims
        report = last_reload(bot)
        assert report["last_reload"]["ok"] is False and report["last_reload"]["problems"] == 1
        assert any(p.startswith("last reload failed with 1 problem(s)") for p in report["problems"])
        assert "last reload FAILED at " in health.summary(report)  # what `groundbot health` prints

        # Looking at the same broken files again tells nobody anything new.
        await asyncio.sleep(INTERVAL * 6)
        assert sum(expected in t for t in told(bot.api)) == 1

        repair(seed_kb)
        (seed_kb / "new.yaml").write_text(NEW_CLAIM, encoding="utf-8")
        await until(lambda: len(bot.knowledge) == claims + 1, 5, "the good edit loaded")
        reply = await bot.reply_to(private_message(NEW_QUESTION))
        assert "4,000 crates" in (reply.text or "")
        assert last_reload(bot)["last_reload"]["ok"] is True
        assert any("Reloaded" in t for t in told(bot.api))


async def test_an_unexpected_error_in_a_reload_is_logged_with_its_trace_told_once_and_watching_goes_on(
    watched, seed_kb, monkeypatch, caplog
):
    async with running_bot(watched) as bot:
        claims = len(bot.knowledge)
        # Every new store is built in a temporary file: with nowhere to put it, the load fails
        # outside any knowledge file, with an OSError the loader has no file:line:col for.
        monkeypatch.setattr(tempfile, "tempdir", str(seed_kb.parent / "no-such-directory"))
        (seed_kb / "new.yaml").write_text(NEW_CLAIM, encoding="utf-8")
        await until(lambda: any("could not load the knowledge" in t for t in told(bot.api)), 5, "the moderator told")
        await still_answers(bot)
        assert any(r.exc_info and r.exc_info[0] is FileNotFoundError for r in caplog.records)

        # The same failure again: logged, not told twice.
        (seed_kb / "new.yaml").write_text(NEW_CLAIM + "\n", encoding="utf-8")
        await asyncio.sleep(INTERVAL * 6)
        assert sum("could not load the knowledge" in t for t in told(bot.api)) == 1

        monkeypatch.undo()
        (seed_kb / "new.yaml").write_text(NEW_CLAIM, encoding="utf-8")
        await until(lambda: len(bot.knowledge) == claims + 1, 5, "the good edit loaded")


def many_files(kb: Path, files: int, claims: int) -> None:
    for f in range(files):
        lines = ["source:", f"  id: bulk-{f}", "  outlet: Test Wire", "claims:"]
        for i in range(claims):
            lines += [
                f"  - id: bulk-{f}-{i}",
                f"    statement: Depot {f}-{i} stores {i * 37} crates of part {f}.",
                f"    attributed_to: Officer {i % 23}",
                "    questions:",
                f"      - How many crates does depot {f}-{i} store?",
            ]
        (kb / f"bulk-{f:02d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


async def test_a_file_deleted_while_a_reload_reads_it_leaves_the_bot_answering_and_watching(watched, seed_kb):
    async with running_bot(watched) as bot:
        claims = len(bot.knowledge)
        live = bot.app.bot_data.live
        many_files(seed_kb, 30, 60)  # a load long enough to delete a file in the middle of it
        (seed_kb / "zz-last.yaml").write_text(NEW_CLAIM, encoding="utf-8")
        await until(lambda: live._lock.locked(), 10, "a reload started")
        (seed_kb / "zz-last.yaml").unlink()
        await until(lambda: not live._lock.locked(), 20, "the reload finished")
        await still_answers(bot)
        vanished = [t for t in told(bot.api) if "zz-last.yaml:1:1: the file vanished while it was being read" in t]
        # Deleted before the reload listed it, the file is simply not loaded; deleted after,
        # the reload fails with that one problem: either way the watcher then loads the rest.
        assert len(vanished) <= 1
        await until(lambda: len(bot.knowledge) == claims + 30 * 60, 20, "the files left loaded")
        assert bot.knowledge.claim("depot-crates") is None


HALF = (
    NEW_CLAIM
    + """\
  - id: depot-trucks
    statement: The northern depot keeps 300 trucks.
    attributed_to: Colonel Gamma
    questions:
      - How many trucks does the northern depot keep?
"""
)


async def test_a_file_written_in_two_chunks_is_never_served_half_written(watched, seed_kb):
    interval = 2.0  # GROUNDBOT_WATCH_INTERVAL's default: the chunks come 1.6 s apart
    settings = watched.model_copy(update={"watch_interval": interval, "watch_settle": interval})
    async with running_bot(settings) as bot:
        claims = len(bot.knowledge)
        sizes: list[int] = []

        async def watch_sizes() -> None:
            while True:
                sizes.append(len(bot.knowledge))
                await asyncio.sleep(0.02)

        watcher = asyncio.create_task(watch_sizes())
        try:
            path = seed_kb / "depot.yaml"
            # The watcher looks every interval from start-up: half an interval in, a look then
            # falls between the chunks, which a watcher without the debounce would load.
            await asyncio.sleep(interval * 0.5)
            # The first chunk alone is a valid file with one of the two claims.
            with path.open("w", encoding="utf-8") as out:
                out.write(NEW_CLAIM)
                out.flush()
                await asyncio.sleep(interval * 0.8)  # the writer pauses between chunks
                out.write(HALF[len(NEW_CLAIM) :])
            await until(lambda: len(bot.knowledge) == claims + 2, 6 * interval, "the whole file loaded")
            await asyncio.sleep(0.1)
        finally:
            watcher.cancel()
        assert set(sizes) == {claims, claims + 2}, "a half-written file was served"
        assert not any("❌" in t for t in told(bot.api))
