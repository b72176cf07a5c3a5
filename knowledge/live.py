"""The knowledge in service, and reloading it: build beside, swap on success, release the old.

A reload reads every knowledge file into a *new* store in a worker thread while the
caller's event loop keeps answering from the current one. Only when the whole load
succeeds does one assignment put the new store in service; readers take ``current``
afresh for each question, so a question sees either the old store or the new one, whole.
On any problem the current store simply stays.

The swap and the closing of the old store happen on the event loop, between questions:
readers use ``current`` synchronously on that loop, so none is inside the old store when
it closes, and nothing else holds it, so its memory goes with it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.base import Changes, KnowledgeBase
from knowledge.loader import DEFAULT_LIMITS, KnowledgeError, Limits, Problem, knowledge_files

logger = logging.getLogger(__name__)

# What the watcher compares: each knowledge file's path, modification time and size.
Snapshot = frozenset[tuple[str, int, int]]


@dataclass(frozen=True)
class ReloadOutcome:
    """The outcome of one reload: the changes, or every problem found (and the old store kept)."""

    ok: bool
    claims: int
    sources: int
    changes: Changes = field(default_factory=lambda: Changes((), (), ()))
    problems: tuple[Problem, ...] = ()


def snapshot(path: Path) -> Snapshot:
    """Every knowledge file under ``path`` with its mtime and size; empty if the path is gone."""
    try:
        files = knowledge_files(path)
    except KnowledgeError:
        return frozenset()
    found = set()
    for file in files:
        try:
            stat = file.stat()
        except FileNotFoundError:  # deleted between listing and stat
            continue
        found.add((str(file), stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


class LiveKnowledge:
    """The knowledge base serving right now, and the one way to replace it; one reload at a time."""

    def __init__(self, current: KnowledgeBase):
        self.current = current
        self.path = current.path
        self._lock = asyncio.Lock()
        self.seen: Snapshot = snapshot(self.path)  # the files as the last load read them

    @classmethod
    async def load(cls, path: Path | None, limits: Limits = DEFAULT_LIMITS) -> "LiveKnowledge":
        """Load the knowledge at ``path`` (default: the bundled one) off the event loop."""
        kb = await asyncio.to_thread(KnowledgeBase.load, path, limits=limits)
        return cls(kb)

    async def reload(self) -> ReloadOutcome:
        """Load the knowledge anew and swap it in if, and only if, the whole load succeeds."""
        async with self._lock:
            before = await asyncio.to_thread(snapshot, self.path)
            old = self.current
            try:
                new, changes = await asyncio.to_thread(self._load_beside, old)
            except KnowledgeError as err:
                self.seen = before
                logger.warning("Reload failed with %d problem(s); still serving %d claims", len(err.problems), len(old))
                return ReloadOutcome(False, len(old), len(old.sources), problems=tuple(err.problems))
            self.current = new
            self.seen = before
            old.close()
            logger.info(
                "Reloaded %d claims: %d added, %d removed, %d edited",
                len(new),
                len(changes.added),
                len(changes.removed),
                len(changes.edited),
            )
            return ReloadOutcome(True, len(new), len(new.sources), changes)

    def _load_beside(self, old: KnowledgeBase) -> tuple[KnowledgeBase, Changes]:
        new = KnowledgeBase.load(self.path, limits=old.limits)
        return new, new.changes_since(old)

    async def watch(self, interval: float, report: Callable[[ReloadOutcome], Awaitable[None]]) -> None:
        """Reload whenever the knowledge files change, and ``report`` each outcome. Runs until cancelled."""
        while True:
            await asyncio.sleep(interval)
            now = await asyncio.to_thread(snapshot, self.path)
            if now == self.seen:
                continue
            # An editor or `git pull` may still be writing: reload once the files stand still.
            while True:
                await asyncio.sleep(interval)
                settled = await asyncio.to_thread(snapshot, self.path)
                if settled == now:
                    break
                now = settled
            if now == self.seen:  # a /reload got there first
                continue
            logger.info("Knowledge files changed; reloading")
            outcome = await self.reload()
            try:
                await report(outcome)
            except Exception:  # telling moderators must never stop the watching
                logger.exception("Could not report a reload")

    def close(self) -> None:
        """Close the store in service."""
        self.current.close()
