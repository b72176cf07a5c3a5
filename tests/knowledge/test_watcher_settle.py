"""The watcher loads a change only once the files have stood still: never on one look, never half written.

Issue 26, item 3: a file written up to a claim boundary and finished seconds later was
loaded half done ("Removed (26)") and questions it answers were refused meanwhile. Real
files, a real LiveKnowledge, its real watcher.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from knowledge.live import LiveKnowledge, ReloadOutcome


def depot_file(claims: int, version: int = 0) -> str:
    lines = ["source:", "  id: depot", "  outlet: Test Wire", "claims:"]
    for i in range(claims):
        lines += [
            f"  - id: depot-{i}",
            f"    statement: Depot {i} stores {i * 37 + version} crates of spare parts.",
            "    attributed_to: Colonel Gamma",
            "    questions:",
            f"      - How many crates does depot {i} store?",
        ]
    return "\n".join(lines) + "\n"


async def watching(
    path: Path, interval: float, settle: float
) -> tuple[LiveKnowledge, list[ReloadOutcome], asyncio.Task]:
    live = await LiveKnowledge.load(path)
    outcomes: list[ReloadOutcome] = []

    async def report(outcome: ReloadOutcome) -> None:
        outcomes.append(outcome)

    return live, outcomes, asyncio.create_task(live.watch(interval, report, settle))


async def stop(live: LiveKnowledge, task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await live.close()


async def until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "not within the time"
        await asyncio.sleep(0.02)


async def test_the_watcher_never_loads_on_one_look_only_two_identical_looks(tmp_path: Path):
    (tmp_path / "depot.yaml").write_text(depot_file(5), encoding="utf-8")
    interval = 0.2
    # No settle time: only the rule of two identical looks an interval apart is under test.
    live, outcomes, task = await watching(tmp_path, interval, settle=0.0)
    try:
        # A writer that changes the file every 20 ms for 1.5 s: every look sees a change,
        # and no two looks an interval apart see the same files. A watcher that loaded on
        # one look would load (several times) here.
        end = time.monotonic() + 1.5
        version = 0
        while time.monotonic() < end:
            version += 1
            (tmp_path / "depot.yaml").write_text(depot_file(5, version), encoding="utf-8")
            await asyncio.sleep(0.02)
        assert live.good_reloads == 0 and outcomes == []
        # Once it stands still, it is loaded: once, the last version.
        await until(lambda: live.good_reloads == 1, 5 * interval + 2)
        assert live.current.claim("depot-1").statement == f"Depot 1 stores {37 + version} crates of spare parts."
        await asyncio.sleep(3 * interval)
        assert live.good_reloads == 1 and len(outcomes) == 1
    finally:
        await stop(live, task)


async def test_a_file_finished_after_a_pause_is_never_loaded_half_written(tmp_path: Path):
    (tmp_path / "depot.yaml").write_text(depot_file(30), encoding="utf-8")
    interval, settle = 0.05, 1.0
    live, outcomes, task = await watching(tmp_path, interval, settle)
    try:
        # Rewritten in place, as an editor or a script does: first up to a claim boundary
        # (a valid file with 10 of the 31 claims), then, after a pause the watcher looks
        # through many times, the rest.
        whole = depot_file(31)
        cut = whole.index("  - id: depot-10\n")
        sizes: list[int] = []
        with (tmp_path / "depot.yaml").open("w", encoding="utf-8") as out:
            out.write(whole[:cut])
            out.flush()
            for _ in range(25):  # 0.5 s: ten looks of the same half-written file
                sizes.append(len(live.current))
                await asyncio.sleep(0.02)
            out.write(whole[cut:])
        await until(lambda: live.good_reloads == 1, settle + 10 * interval + 2)
        assert set(sizes) == {30}, "the half-written file was loaded"
        [outcome] = outcomes
        assert outcome.ok and outcome.changes.added == ("depot-30",) and not outcome.changes.removed
        assert len(live.current) == 31
    finally:
        await stop(live, task)
