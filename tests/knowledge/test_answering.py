"""Answering from the live knowledge: off the event loop, in batches, and never from a closed store."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.live import BATCH, LiveKnowledge
from knowledge.matcher import Answer
from tests.knowledge.test_live import write_store

QUESTIONS = [f"How many crates does depot {i} store?" for i in range(80)]


def best(answer: Answer) -> str | None:
    """The id of the claim nearest the question (these depots' questions are often ambiguous)."""
    return answer.candidates[0].claim.id if answer.candidates else None


class RecordingKnowledgeBase(KnowledgeBase):
    """The real knowledge base, recording each batch it answers and the thread it ran in."""

    batches: list[tuple[int, int]]  # (questions, thread id)

    def answer_many(self, questions: Sequence[str]) -> list[Answer]:
        self.batches.append((len(questions), threading.get_ident()))
        return super().answer_many(questions)


class GatedKnowledgeBase(KnowledgeBase):
    """The real knowledge base, whose batches wait until the test opens the gate."""

    started: threading.Event
    gate: threading.Event

    def answer_many(self, questions: Sequence[str]) -> list[Answer]:
        self.started.set()
        assert self.gate.wait(30), "the test never opened the gate"
        if "explode" in questions:
            raise RuntimeError("the matcher broke")
        return super().answer_many(questions)


@pytest.fixture
def depots(tmp_path: Path) -> Path:
    write_store(tmp_path, claims=100)
    return tmp_path


@pytest.fixture
async def gated(depots: Path):
    kb = GatedKnowledgeBase.load(depots)
    kb.started, kb.gate = threading.Event(), threading.Event()
    live = LiveKnowledge(kb)
    yield live
    kb.gate.set()
    await live.close()


async def test_questions_asked_at_once_are_answered_in_batches_off_the_event_loop(depots: Path) -> None:
    kb = RecordingKnowledgeBase.load(depots)
    kb.batches = []
    live = LiveKnowledge(kb)
    try:
        answers = await asyncio.gather(*(live.answer(q) for q in QUESTIONS))
        assert [a.question for a in answers] == QUESTIONS
        assert [a.to_dict() for a in answers] == [kb.answer(q).to_dict() for q in QUESTIONS]
        sizes = [n for n, _ in kb.batches]
        assert sizes == [BATCH, BATCH, len(QUESTIONS) - 2 * BATCH]
        assert threading.get_ident() not in {thread for _, thread in kb.batches}
    finally:
        await live.close()


async def test_the_event_loop_goes_on_while_a_batch_is_answered(gated: LiveKnowledge) -> None:
    asked = asyncio.create_task(gated.answer(QUESTIONS[0]))
    assert await asyncio.to_thread(gated.current.started.wait, 10)
    await asyncio.sleep(0.05)  # the loop runs other work: the batch is not on it
    assert not asked.done()
    gated.current.gate.set()
    assert best(await asked) == "claim-0"


async def test_a_reload_waits_for_the_batch_answering_from_the_old_store_before_closing_it(
    gated: LiveKnowledge, depots: Path
) -> None:
    old = gated.current
    asked = asyncio.create_task(gated.answer(QUESTIONS[7]))
    assert await asyncio.to_thread(old.started.wait, 10)
    write_store(depots, claims=50)
    reload = asyncio.create_task(gated.reload())
    while gated.current is old:  # the new store loads in a worker thread
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert not reload.done()
    old.store.db.execute("select 1")  # still open
    old.gate.set()
    assert best(await asked) == "claim-7"
    outcome = await reload
    assert outcome.ok and outcome.claims == 50
    with pytest.raises(Exception, match="closed"):
        old.store.db.execute("select 1")
    assert best(await gated.answer(QUESTIONS[70])) != "claim-70"  # the new store has no depot 70


async def test_a_matcher_error_reaches_the_askers_of_its_batch_and_the_next_batch_is_answered(
    gated: LiveKnowledge,
) -> None:
    first = asyncio.create_task(gated.answer(QUESTIONS[1]))
    assert await asyncio.to_thread(gated.current.started.wait, 10)
    doomed = [asyncio.create_task(gated.answer(q)) for q in ("explode", QUESTIONS[2])]
    await asyncio.sleep(0)
    gated.current.gate.set()
    assert best(await first) == "claim-1"
    for task in doomed:
        with pytest.raises(RuntimeError, match="the matcher broke"):
            await task
    assert best(await gated.answer(QUESTIONS[3])) == "claim-3"


async def test_an_asker_that_gives_up_costs_the_others_nothing(gated: LiveKnowledge) -> None:
    first = asyncio.create_task(gated.answer(QUESTIONS[4]))
    assert await asyncio.to_thread(gated.current.started.wait, 10)
    impatient = asyncio.create_task(gated.answer(QUESTIONS[5]))
    patient = asyncio.create_task(gated.answer(QUESTIONS[6]))
    await asyncio.sleep(0)
    impatient.cancel()
    gated.current.gate.set()
    assert best(await first) == "claim-4"
    assert best(await patient) == "claim-6"
    assert impatient.cancelled()
