"""Reloading the live knowledge: the new store replaces the old one only when it loads, and the old one is released."""

from __future__ import annotations

import asyncio
import gc
import os
from pathlib import Path

import pytest

from knowledge.live import LiveKnowledge, ReloadOutcome

CLAIMS = 300  # enough that a leaked store would show in the process's memory


def write_store(directory: Path, claims: int = CLAIMS) -> None:
    lines = ["source:", "  id: generated", "  outlet: Test Wire", "claims:"]
    for i in range(claims):
        lines += [
            f"  - id: claim-{i}",
            f"    statement: Depot {i} in region {i % 17} stores {i * 37} crates of spare parts number {i}.",
            f"    attributed_to: Officer {i % 23}",
            "    questions:",
            f"      - How many crates does depot {i} store?",
            f"      - What does depot {i} in region {i % 17} hold?",
        ]
    (directory / "generated.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def open_store_files() -> int:
    """How many file descriptors of this process point at a knowledge store."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed while listing
            continue
        if "groundbot-store-" in target:
            count += 1
    return count


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
async def test_fifty_reloads_leave_one_open_store_and_memory_flat(tmp_path: Path) -> None:
    write_store(tmp_path)
    gc.collect()  # stores other tests dropped close now, not in the middle of the count
    already_open = open_store_files()  # stores other tests in this process still hold
    live = await LiveKnowledge.load(tmp_path)
    try:
        assert (await live.reload()).ok
        gc.collect()
        after_first = rss_bytes()
        for _ in range(49):
            assert (await live.reload()).ok
        gc.collect()
        assert open_store_files() == already_open + 1
        assert rss_bytes() <= after_first * 1.10
        assert len(live.current) == CLAIMS
    finally:
        await live.close()
    assert open_store_files() == already_open


async def test_a_failed_reload_keeps_the_current_store_open_and_serving(tmp_path: Path) -> None:
    write_store(tmp_path, claims=3)
    live = await LiveKnowledge.load(tmp_path)
    try:
        before = live.current
        (tmp_path / "broken.yaml").write_text("source: {id: broken, outlet: X}\nclaims:\n  - {id: a, statement: S}\n")
        outcome = await live.reload()
        assert not outcome.ok and outcome.problems
        assert live.current is before
        assert live.current.answer("How many crates does depot 1 store?").status == "answered"
    finally:
        await live.close()


async def test_a_successful_reload_closes_the_store_it_replaces(tmp_path: Path) -> None:
    write_store(tmp_path, claims=3)
    live = await LiveKnowledge.load(tmp_path)
    try:
        old = live.current
        write_store(tmp_path, claims=4)
        outcome = await live.reload()
        assert outcome.ok and outcome.changes.added == ("claim-3",)
        assert live.current is not old
        with pytest.raises(Exception, match="closed"):
            old.store.db.execute("select 1")
    finally:
        await live.close()


async def test_the_watcher_tells_a_failure_once_and_again_after_a_reload_worked_in_between(tmp_path: Path) -> None:
    write_store(tmp_path, claims=3)
    live = await LiveKnowledge.load(tmp_path)
    failures: list[ReloadOutcome] = []

    async def report(outcome: ReloadOutcome) -> None:
        if not outcome.ok:
            failures.append(outcome)

    async def until_failures(n: int) -> None:
        for _ in range(200):
            if len(failures) >= n:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"{len(failures)} failure(s) told, expected {n}")

    watcher = asyncio.create_task(live.watch(0.05, report))
    broken = tmp_path / "broken.yaml"
    try:
        broken.write_text("source: {id: broken, outlet: X}\nclaims:\n  - {id: a, statement: S}\n")
        await until_failures(1)
        broken.touch()  # looked at again, still broken in the same way: not told again
        await asyncio.sleep(0.5)
        assert len(failures) == 1

        broken.unlink()
        assert (await live.reload()).ok  # a moderator's /reload in between
        broken.write_text("source: {id: broken, outlet: X}\nclaims:\n  - {id: a, statement: S}\n")
        await until_failures(2)
        assert failures[0].problems == failures[1].problems
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await live.close()
