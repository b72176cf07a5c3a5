"""Reloading the knowledge while the bot runs: build beside, swap on success, never fail a question.

A reload reads every knowledge file into a *new* store in a worker thread while the event
loop keeps answering from the old one. Only when the whole load succeeds does one
assignment to ``bot_data[KNOWLEDGE]`` put the new store in service; handlers read that
entry afresh for each update, so a question sees either the old store or the new one,
whole. On any problem the old store simply stays.

The old store is not closed: a handler that fetched it a moment before the swap may still
be using it, and it closes itself when the last such reference goes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handlers.state import KNOWLEDGE, SETTINGS
from knowledge import Changes, KnowledgeBase, KnowledgeError, Problem
from knowledge.loader import BUNDLED, knowledge_files

logger = logging.getLogger(__name__)

RELOADER = "reloader"

# What the watcher compares: each knowledge file's path, modification time and size.
Snapshot = frozenset[tuple[str, int, int]]


@dataclass(frozen=True)
class Reload:
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


class Reloader:
    """Reloads the knowledge at ``path`` into ``bot_data``; one reload at a time."""

    def __init__(self, bot_data: MutableMapping[str, Any], path: Path | None):
        self.bot_data = bot_data
        self.path = Path(path) if path is not None else BUNDLED
        self.lock = asyncio.Lock()
        self.seen: Snapshot | None = None  # the files as the last reload (or start-up) read them

    async def reload(self) -> Reload:
        """Load the knowledge anew and swap it in if, and only if, the whole load succeeds."""
        async with self.lock:
            before = await asyncio.to_thread(snapshot, self.path)
            old: KnowledgeBase = self.bot_data[KNOWLEDGE]
            try:
                new, changes = await asyncio.to_thread(self._load_beside, old)
            except KnowledgeError as err:
                self.seen = before
                logger.warning("Reload failed with %d problem(s); still serving %d claims",
                               len(err.problems), len(old))
                return Reload(False, len(old), len(old.sources), problems=tuple(err.problems))
            self.bot_data[KNOWLEDGE] = new
            self.seen = before
            logger.info("Reloaded %d claims: %d added, %d removed, %d edited",
                        len(new), len(changes.added), len(changes.removed), len(changes.edited))
            return Reload(True, len(new), len(new.sources), changes)

    def _load_beside(self, old: KnowledgeBase) -> tuple[KnowledgeBase, Changes]:
        new = KnowledgeBase.load(self.path, limits=old.limits)
        return new, new.changes_since(old)

    async def watch(self, interval: float, report: Callable[[Reload], Awaitable[None]]) -> None:
        """Reload whenever the knowledge files change, and ``report`` each outcome. Runs until cancelled."""
        if self.seen is None:
            self.seen = await asyncio.to_thread(snapshot, self.path)
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


def reloader(bot_data: MutableMapping[str, Any]) -> Reloader:
    """The application's Reloader, made on first use from its settings."""
    if RELOADER not in bot_data:
        settings = bot_data.get(SETTINGS)
        bot_data[RELOADER] = Reloader(bot_data, getattr(settings, "knowledge", None))
    return bot_data[RELOADER]
