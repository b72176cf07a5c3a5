"""Near misses made from knowledge files: each changes one thing its claim does not say,
and no claim is ever the answer to a near miss made from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.answering.near_misses import near_misses
from knowledge.store.loader import BUNDLED, load_claims
from knowledge.store.schema import Claim

HARBOUR = [
    Claim(
        id="lusitania-sold-ferries",
        statement="Lusitania sold four ferries to Caldera in 2029.",
        attributed_to="Ana Ruiz",
        questions=["Did Lusitania sell ferries to Caldera?"],
    ),
    Claim(
        id="harbour-jobs",
        statement="The harbour employs 350 people, according to the port authority of Brava.",
        attributed_to="Port authority",
        questions=["Does the harbour in Brava employ 350 people?"],
    ),
    Claim(
        id="bridge-opened-2031",
        statement="The new bridge over the Tamo opened in March 2031.",
        attributed_to="Ben Ode",
        questions=["When did the bridge over the Tamo open in 2031?"],
    ),
]


def made(kind: str) -> list[tuple[str, str]]:
    return [(n.claim_id, n.question) for n in near_misses(HARBOUR) if n.kind == kind]


def test_a_name_is_swapped_for_another_name_of_the_store():
    swapped = dict(made("name"))
    assert swapped["lusitania-sold-ferries"] != HARBOUR[0].questions[0]
    assert any(other in swapped["lusitania-sold-ferries"] for other in ("Brava", "Tamo"))


def test_giver_and_receiver_are_turned_round():
    assert ("lusitania-sold-ferries", "Did Caldera sell ferries to Lusitania?") in made("direction")


def test_a_number_is_changed_and_a_year_moved():
    assert made("number") == [("harbour-jobs", "Does the harbour in Brava employ 1057 people?")]
    assert ("bridge-opened-2031", "When did the bridge over the Tamo open in 2022?") in made("year")


def test_a_time_is_asked_only_of_claims_that_give_none():
    asked = [claim for claim, _ in made("time")]
    assert "harbour-jobs" in asked
    assert "bridge-opened-2031" not in asked


def test_the_words_of_someone_who_did_not_say_it_are_asked_for():
    for claim, question in made("speaker"):
        said_by = next(c.attributed_to for c in HARBOUR if c.id == claim)
        assert question.startswith("What did ") and said_by not in question


def test_the_same_claims_always_give_the_same_near_misses():
    assert near_misses(HARBOUR) == near_misses(list(HARBOUR))


@pytest.mark.parametrize("semantic", [False])
def test_no_bundled_claim_answers_a_near_miss_made_from_it(semantic: bool, tmp_path: Path):
    kb = KnowledgeBase.load(BUNDLED)
    misses = near_misses(load_claims(BUNDLED))
    assert len(misses) > 50
    wrong = [(n.kind, n.question) for n in misses if (a := kb.answer(n.question)).claim and a.claim.id == n.claim_id]
    assert wrong == []
