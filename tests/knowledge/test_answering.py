"""Answering from the live knowledge: off the event loop, one question at a time, never from a closed store."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.answering.answer import Answer
from knowledge.live import LiveKnowledge
from tests.knowledge.test_live import write_store

QUESTIONS = [f"How many crates does depot {i} store?" for i in range(80)]


def best(answer: Answer) -> str | None:
    """The id of the claim nearest the question (these depots' questions are often ambiguous)."""
    return answer.candidates[0].claim.id if answer.candidates else None


class RecordingKnowledgeBase(KnowledgeBase):
    """The real knowledge base, recording the threads it answers in and how many answer at once."""

    threads: set[int]
    inside = 0
    most_inside = 0

    def answer(self, question: str) -> Answer:
        self.threads.add(threading.get_ident())
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            return super().answer(question)
        finally:
            self.inside -= 1


class GatedKnowledgeBase(KnowledgeBase):
    """The real knowledge base, whose answers wait until the test opens the gate."""

    started: threading.Event
    gate: threading.Event

    def answer(self, question: str) -> Answer:
        self.started.set()
        assert self.gate.wait(30), "the test never opened the gate"
        if question == "explode":
            raise RuntimeError("the matcher broke")
        return super().answer(question)


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


async def test_questions_asked_at_once_are_answered_one_at_a_time_off_the_event_loop(depots: Path) -> None:
    kb = RecordingKnowledgeBase.load(depots)
    kb.threads = set()
    live = LiveKnowledge(kb)
    try:
        answers = await asyncio.gather(*(live.answer(q) for q in QUESTIONS))
        assert [a.to_dict() for a in answers] == [kb.answer(q).to_dict() for q in QUESTIONS]
        assert kb.most_inside == 1
        assert len(kb.threads) >= 2 and threading.get_ident() in kb.threads  # the check above ran here
        kb.threads.discard(threading.get_ident())
        assert kb.threads  # the asked ones ran elsewhere
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


async def test_a_matcher_error_reaches_its_own_asker_alone(
    gated: LiveKnowledge,
) -> None:
    first = asyncio.create_task(gated.answer(QUESTIONS[1]))
    assert await asyncio.to_thread(gated.current.started.wait, 10)
    doomed, spared = asyncio.create_task(gated.answer("explode")), asyncio.create_task(gated.answer(QUESTIONS[2]))
    await asyncio.sleep(0)
    gated.current.gate.set()
    assert best(await first) == "claim-1"
    with pytest.raises(RuntimeError, match="the matcher broke"):
        await doomed
    assert best(await spared) == "claim-2"  # asked in the same batch
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
