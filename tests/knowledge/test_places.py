"""A country's other names (capital, official names, initials, demonym) cover one another in
the names veto, but never swap one country for another or lean on who merely speaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.answering.places import named_otherwise
from knowledge.store.text import terms

# Claims written as a busy moderator would: one question each, no keywords, no synonyms.
BRIEFING = """\
source:
  id: briefing
  title: Briefing
  outlet: Wire
claims:
  - id: resources-in-north-korea
    statement: Russia could find useful resources in North Korea, such as artillery shells.
    attributed_to: Yohann Michel
    questions:
      - Could Russia find resources in North Korea?
  - id: drones-from-tehran
    statement: Moscow turned to Tehran for hundreds of explosive drones.
    attributed_to: Wire
    questions:
      - Where did Moscow get drones?
  - id: daily-shells
    statement: According to Kyiv, the Russian army fires 40,000 to 60,000 shells per day.
    attributed_to: Kyiv
    questions:
      - How many shells does the Russian army fire per day?
"""


@pytest.fixture(scope="module")
def briefing(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    path: Path = tmp_path_factory.mktemp("briefing")
    (path / "briefing.yaml").write_text(BRIEFING, encoding="utf-8")
    return KnowledgeBase.load(path)


@pytest.mark.parametrize(
    "question, claim_id",
    [
        ("Could Moscow find useful resources in Pyongyang?", "resources-in-north-korea"),
        ("Could Russia find useful resources in the DPRK?", "resources-in-north-korea"),
        ("Did Russia get its explosive drones from Iran?", "drones-from-tehran"),
    ],
)
def test_a_capital_or_initials_in_the_question_are_covered_by_the_country_in_the_claim(
    briefing: KnowledgeBase, question: str, claim_id: str
) -> None:
    answer = briefing.answer(question)
    assert (answer.status, answer.claim.id if answer.claim else None) == ("answered", claim_id)


def test_another_country_is_still_refused(briefing: KnowledgeBase) -> None:
    answer = briefing.answer("Could Russia find useful resources in South Korea?")
    assert answer.status == "refused"
    assert "south" in answer.reason or "korea" in answer.reason or "seoul" in answer.reason


def test_a_country_that_only_speaks_in_the_claim_does_not_cover_the_question(briefing: KnowledgeBase) -> None:
    answer = briefing.answer("How many shells does Ukraine fire per day?")
    assert answer.status == "refused"
    assert answer.reason == "the best claim does not mention ukrain"


def test_a_name_of_several_words_counts_only_when_the_question_has_them_all() -> None:
    claim = set(terms("Pyongyang supplied the shells"))
    assert named_otherwise("korea", terms("Did North Korea supply shells?"), claim)
    assert not named_otherwise("korea", terms("Did South Korea supply shells?"), claim)
    assert not named_otherwise("korea", terms("Did Korea supply shells?"), claim)


def test_a_word_that_names_no_country_is_never_covered() -> None:
    assert not named_otherwise("wagner", terms("Did Wagner get shells?"), set(terms("Russia got shells")))
