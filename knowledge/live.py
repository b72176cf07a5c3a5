"""The knowledge in service, and reloading it: build beside, swap on success, release the old.

A reload reads every knowledge file into a *new* store in a worker thread while the
caller's event loop keeps answering from the current one. Only when the whole load
succeeds does one assignment put the new store in service; readers take ``current``
afresh for each question, so a question sees either the old store or the new one, whole.
On any problem the current store simply stays.

One writer of the knowledge directory: a reload (``/reload``, the watcher's) and a publish
(``/publish``: validate, write, reload) each hold one lock from start to end, so two
publishes never both validate against the directory as it was and both write; a publish
whose reload fails puts the directory back as it was, so the directory always loads.

The swap happens on the event loop. Questions are answered off it, by one worker thread
(``answer``), and the old store is closed only once the batch answering from it is done,
so no question is inside a closed store; nothing else holds it, so its memory goes with it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from knowledge.answering.answer import Answer
from knowledge.base import Changes, KnowledgeBase
from knowledge.store import publishing
from knowledge.store.loader import DEFAULT_LIMITS, KnowledgeError, Limits, Problem, knowledge_files

logger = logging.getLogger(__name__)

# What the watcher compares: each knowledge file's path, inode, modification time and size.
# The inode catches a file replaced by a rename with the same size and time.
Snapshot = frozenset[tuple[str, int, int, int]]
# Questions handed to the worker thread at once, at most: a bound on how long the last of
# a batch waits for the first.
BATCH = 32
# Loads of one reload, at most, when the files keep changing while they are read: the
# last load is kept whatever happens, and the watcher looks again.
LOAD_TRIES = 3


@dataclass(frozen=True)
class ReloadOutcome:
    """The outcome of one reload: the changes, or every problem found (and the old store kept)."""

    ok: bool
    claims: int
    sources: int
    changes: Changes = field(default_factory=lambda: Changes((), (), ()))
    problems: tuple[Problem, ...] = ()
    at: float = field(default_factory=time.time)  # when it finished (time.time())


PublishStatus = Literal["published", "refused", "confirm", "rolled_back", "undo_failed"]


@dataclass(frozen=True)
class PublishOutcome:
    """What one publish did.

    - ``published``: written and reloaded (``reload`` says what changed);
    - ``refused``: not valid (``problems``); nothing written;
    - ``confirm``: valid, but it takes more claims away from the version it replaces than
      allowed without a confirmation (``plan.removed``); nothing written;
    - ``rolled_back``: written, but the knowledge did not load with it (``problems``), so the
      directory was put back as it was and the store in service stayed;
    - ``undo_failed``: as ``rolled_back``, but putting the directory back failed too (the
      last problem says why): the file is still there, for a person to remove.
    """

    status: PublishStatus
    plan: publishing.Plan | None = None
    published: publishing.Published | None = None
    reload: ReloadOutcome | None = None
    problems: tuple[Problem, ...] = ()


def snapshot(path: Path) -> Snapshot:
    """Every knowledge file under ``path`` with its inode, mtime and size; empty if the path is gone."""
    try:
        files = knowledge_files(path)
    except KnowledgeError:
        return frozenset()
    found = set()
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            try:  # a broken link is a change too: the load will say what is wrong with it
                stat = file.lstat()
            except OSError:  # deleted between listing and stat
                continue
        found.add((str(file), stat.st_ino, stat.st_mtime_ns, stat.st_size))
    return frozenset(found)


def _unexpected(path: Path, err: BaseException) -> Problem:
    """An error the loader has no file:line:col for, as a problem at the knowledge path."""
    where = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    # An OSError's reason without its file name (often a random temporary one), so the same
    # failure reads the same each time and moderators are told it once; the log has it all.
    reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    return Problem(where, 1, 1, f"could not load the knowledge: {type(err).__name__}: {reason}")


class LiveKnowledge:
    """The knowledge base serving right now, and the one way to replace it; one reload at a time."""

    def __init__(self, current: KnowledgeBase, embeddings_dir: Path | None = None):
        self.current = current
        self.path = current.path
        # Where the semantic tier caches its vectors; None keeps to the lexical matcher.
        self.embeddings_dir = embeddings_dir
        self._lock = asyncio.Lock()
        self.seen: Snapshot = snapshot(self.path)  # the files as the last load read them
        self._reading: Snapshot = self.seen  # the files as the load in progress (or the last) found them
        self.last_reload: ReloadOutcome | None = None  # the latest reload's outcome, for health
        self.good_reloads = 0  # reloads that worked, the watcher's and /reload's alike
        self.failed_reloads = 0  # reloads (or watcher passes) that failed, the store in service kept
        self._asked: deque[tuple[str, asyncio.Future[Answer]]] = deque()
        self._answering: asyncio.Task[None] | None = None
        self._in_use = asyncio.Lock()  # held while a batch answers from ``current``

    @classmethod
    async def load(
        cls, path: Path | None, limits: Limits = DEFAULT_LIMITS, *, embeddings_dir: Path | None = None
    ) -> "LiveKnowledge":
        """Load the knowledge at ``path`` (default: the bundled one) off the event loop.

        With ``embeddings_dir``, the semantic tier is built in the background: the knowledge
        answers lexically at once and with the fused matcher when the embeddings are ready.
        """
        kb = await asyncio.to_thread(KnowledgeBase.load, path, limits=limits)
        if embeddings_dir is not None:
            kb.start_semantic(embeddings_dir)
        return cls(kb, embeddings_dir)

    async def answer(self, question: str) -> Answer:
        """Answer ``question`` off the event loop, from the knowledge in service.

        One worker thread answers, a batch of waiting questions at a time: the event loop
        goes on taking updates and sending replies while the matcher and the embedding model
        work, and questions are answered one after another, never two inside the matcher.
        """
        future: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._asked.append((question, future))
        if self._answering is None or self._answering.done():
            self._answering = asyncio.create_task(self._answer_asked(), name="groundbot answering")
        return await future

    async def _answer_asked(self) -> None:
        while self._asked:
            batch = [self._asked.popleft() for _ in range(min(BATCH, len(self._asked)))]
            batch = [(q, f) for q, f in batch if not f.done()]  # an asker cancelled meanwhile
            if not batch:
                continue
            async with self._in_use:
                answers = await asyncio.to_thread(_answer_each, self.current, [q for q, _ in batch])
            for (_, future), found in zip(batch, answers):
                if future.done():
                    continue
                if isinstance(found, Exception):
                    future.set_exception(found)
                else:
                    future.set_result(found)

    async def reload(self) -> ReloadOutcome:
        """Load the knowledge anew and swap it in if, and only if, the whole load succeeds.

        Never raises (but for cancellation): any failure is an outcome with its problems,
        and the current store stays in service.
        """
        async with self._lock:
            return await self._reload_locked()

    async def _reload_locked(self) -> ReloadOutcome:
        return self._note(await self._reload())

    def _note(self, outcome: ReloadOutcome) -> ReloadOutcome:
        """Keep ``outcome`` as the last reload's (for health) and count it (for /metrics)."""
        self.last_reload = outcome
        self.good_reloads += outcome.ok
        self.failed_reloads += not outcome.ok
        return outcome

    async def publish(
        self,
        raw: bytes,
        name: str,
        *,
        history_dir: Path,
        max_claims: int,
        confirm_over: int,
        confirmed: frozenset[str] = frozenset(),
    ) -> PublishOutcome:
        """Validate ``raw``, write it into the knowledge directory and reload, as one change.

        Holds the writer's lock throughout, so a concurrent publish validates against this
        one's result. A publish taking more than ``confirm_over`` claims away from the
        version it replaces is only written when those claims are all in ``confirmed``.
        If the reload fails, the file is taken back out (or the replaced version restored)
        and the store in service stays. Never raises (but for cancellation).
        """
        async with self._lock:
            try:
                planned = await asyncio.to_thread(
                    publishing.plan, raw, name, self.path, max_claims=max_claims, limits=self.current.limits
                )
            except KnowledgeError as err:
                return PublishOutcome("refused", problems=tuple(err.problems))
            except Exception as err:  # the validator's bug, or the directory vanished: refused, not a crash
                logger.exception("Validating a published file failed unexpectedly")
                return PublishOutcome("refused", problems=(_unexpected(self.path, err),))
            if len(planned.removed) > confirm_over and not set(planned.removed) <= confirmed:
                return PublishOutcome("confirm", planned)
            try:
                done = await asyncio.to_thread(publishing.write, planned, history_dir)
            except OSError as err:
                logger.exception("Could not write a published file")
                return PublishOutcome("refused", planned, problems=(_unexpected(planned.target, err),))
            outcome = await self._reload_locked()
            if outcome.ok:
                return PublishOutcome("published", planned, done, outcome)
            # The store in service was loaded from the directory as it was: put it back so,
            # and the next reload, start-up or `groundbot check` sees a directory that loads.
            try:
                await asyncio.to_thread(publishing.undo, done)
            except OSError as err:  # the disk filled or the directory went read-only meanwhile
                logger.exception("Could not put the knowledge directory back after a failed publish")
                problem = Problem(str(done.path), 1, 1, f"could not be taken back out: {err.strerror or err}")
                return PublishOutcome("undo_failed", planned, done, outcome, (*outcome.problems, problem))
            self.seen = await asyncio.to_thread(snapshot, self.path)
            logger.warning("Published file %s taken back out: the knowledge did not load with it", done.path.name)
            return PublishOutcome("rolled_back", planned, done, outcome, outcome.problems)

    async def _reload(self) -> ReloadOutcome:
        old = self.current
        try:
            new, changes, before = await self._load_settled(old)
        except KnowledgeError as err:
            # The watcher tries again when these files change, not on every look.
            self.seen = self._reading
            logger.warning("Reload failed with %d problem(s); still serving %d claims", len(err.problems), len(old))
            return ReloadOutcome(False, len(old), len(old.sources), problems=tuple(err.problems))
        except Exception as err:  # the loader's bug, or MemoryError: still one problem, never a crash
            self.seen = self._reading
            logger.exception("Reload failed unexpectedly; still serving %d claims", len(old))
            return ReloadOutcome(False, len(old), len(old.sources), problems=(_unexpected(self.path, err),))
        self.current = new
        self.seen = before
        async with self._in_use:  # a batch may still be answering from the old store
            old.close()
        logger.info(
            "Reloaded %d claims: %d added, %d removed, %d edited",
            len(new),
            len(changes.added),
            len(changes.removed),
            len(changes.edited),
        )
        return ReloadOutcome(True, len(new), len(new.sources), changes)

    async def _load_settled(self, old: KnowledgeBase) -> tuple[KnowledgeBase, Changes, Snapshot]:
        """Load beside ``old``; if the files changed while they were read, load them again.

        Returns the new store, its changes, and the snapshot of the files it was read from.
        """
        for attempt in range(1, LOAD_TRIES + 1):
            before = self._reading = await asyncio.to_thread(snapshot, self.path)
            try:
                new, changes = await asyncio.to_thread(self._load_beside, old)
            except KnowledgeError:
                # A file caught mid-write fails to load: fail only if it has stopped changing.
                if attempt < LOAD_TRIES and await asyncio.to_thread(snapshot, self.path) != before:
                    continue
                raise
            if attempt == LOAD_TRIES or await asyncio.to_thread(snapshot, self.path) == before:
                return new, changes, before
            logger.info("Knowledge files changed while they were read; reading them again")
            new.close()
        raise AssertionError("unreachable")  # the last attempt returns or raises

    def _load_beside(self, old: KnowledgeBase) -> tuple[KnowledgeBase, Changes]:
        new = KnowledgeBase.load(self.path, limits=old.limits)
        if self.embeddings_dir is not None:
            # The old store answers meanwhile, so the new one is swapped in with its semantic
            # tier ready; the cache holds every unchanged text, so only edits are embedded.
            new.start_semantic(self.embeddings_dir, background=False)
        return new, new.changes_since(old)

    async def watch(
        self, interval: float, report: Callable[[ReloadOutcome], Awaitable[None]], settle: float = 0.0
    ) -> None:
        """Reload whenever the knowledge files change, and ``report`` each outcome. Runs until cancelled.

        A change is loaded once the files have stood still for ``settle`` seconds, seen by
        at least two identical looks ``interval`` apart (see ``_watch_once``).

        A pass that fails in any way is logged with its stack trace and reported (once per
        distinct failure), and the watching goes on. A failed reload is reported once per
        distinct set of problems, so a broken file the watcher looks at again is not told twice.
        """
        told: frozenset[str] = frozenset()  # the problems of the last failure reported
        told_after = self.good_reloads  # a reload that worked since then makes a failure news again
        while True:
            await asyncio.sleep(interval)
            try:
                outcome = await self._watch_once(interval, settle)
            except asyncio.CancelledError:
                raise
            except Exception as err:
                problem = _unexpected(self.path, err)
                if frozenset([str(problem)]) != told:
                    logger.exception("The knowledge watcher's pass failed; still watching")
                outcome = self._note(
                    ReloadOutcome(False, len(self.current), len(self.current.sources), problems=(problem,))
                )
            if outcome is None:
                continue
            if self.good_reloads != told_after:  # even one that worked while this pass ran
                told = frozenset()
            problems = frozenset(str(p) for p in outcome.problems)
            if not outcome.ok and problems == told:
                continue
            told = problems if not outcome.ok else frozenset()
            told_after = self.good_reloads
            try:
                await report(outcome)
            except Exception:  # telling moderators must never stop the watching
                logger.exception("Could not report a reload")

    async def _watch_once(self, interval: float, settle: float = 0.0) -> ReloadOutcome | None:
        """One look: reload if the files changed and have stood still since; None if nothing changed."""
        now = await asyncio.to_thread(snapshot, self.path)
        if now == self.seen:
            return None
        # An editor, a script or `git pull` may still be writing, and may pause between
        # chunks: load only once the files have not changed for ``settle`` seconds, and
        # never on one look alone (two identical looks at least ``interval`` apart).
        changed_at = time.monotonic()
        while True:
            await asyncio.sleep(interval)
            settled = await asyncio.to_thread(snapshot, self.path)
            if settled != now:
                now, changed_at = settled, time.monotonic()
                continue
            if time.monotonic() - changed_at >= settle:
                break
        if now == self.seen:  # a /reload got there first
            return None
        logger.info("Knowledge files changed; reloading")
        return await self.reload()

    async def close(self) -> None:
        """Close the store in service, once the batch being answered (if any) is done."""
        async with self._in_use:
            self.current.close()


def _answer_each(kb: KnowledgeBase, questions: list[str]) -> list[Answer | Exception]:
    """Each question's answer, or the error the matcher raised on it (for its asker alone)."""
    found: list[Answer | Exception] = []
    for question in questions:
        try:
            found.append(kb.answer(question))
        except Exception as err:
            found.append(err)
    return found
