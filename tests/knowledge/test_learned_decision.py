"""The learned answer decision (opt-in): ranked by the model's probability, answered only when
likely and clearly ahead, never with a claim that is a near miss; and ``explain`` says why."""

from __future__ import annotations

import json

import pytest

from knowledge import KnowledgeBase
from knowledge.answering.decision import rank, settle
from knowledge.answering.explanation import explain
from knowledge.answering.features import FEATURES, Evidence
from knowledge.answering.model import AnswerModel, shipped
from knowledge.answering.scoring import Scored
from knowledge.answering.veto import Objection
from tests.knowledge.test_pipeline import query, row


@pytest.fixture(scope="module")
def learned() -> KnowledgeBase:
    return KnowledgeBase.load(models=shipped())


def evidence(claim_id: str, cosine: float, objections: tuple[Objection, ...] = ()) -> Evidence:
    values = tuple(1.0 if name == "bias" else cosine if name == "cosine" else 0.0 for name in FEATURES)
    return Evidence(Scored(row(claim_id, "shell fire day"), 50.0, cosine, 0.5), values, objections)


MODEL = AnswerModel(tuple(-3.0 if n == "bias" else 8.0 if n == "cosine" else 0.0 for n in FEATURES), 0.6, 0.2, 0.4)


def test_candidates_are_ranked_by_probability_and_equal_ones_keep_retrieval_order():
    ranked = rank([evidence("low", 0.2), evidence("first", 0.9), evidence("second", 0.9)], MODEL)
    assert [e.scored.row.id for e in ranked] == ["first", "second", "low"]
    assert ranked[0].scored.score == ranked[1].scored.score > ranked[2].scored.score


def test_a_likely_candidate_clearly_ahead_is_answered():
    decision = settle(query(), rank([evidence("a", 0.9), evidence("b", 0.2)], MODEL), MODEL)
    assert (decision.status, decision.ranked[0].row.id) == ("answered", "a")


def test_two_likely_candidates_alike_are_offered_as_a_choice():
    decision = settle(query(), rank([evidence("a", 0.9), evidence("b", 0.88)], MODEL), MODEL)
    assert decision.status == "ambiguous"


def test_an_unlikely_best_candidate_is_refused():
    decision = settle(query(), rank([evidence("a", 0.3), evidence("b", 0.1)], MODEL), MODEL)
    assert (decision.status, decision.reason) == ("refused", "no claim fits well enough")


def test_a_near_miss_is_refused_however_likely_the_model_finds_it():
    other_name = (Objection("names", "the best claim does not mention ukrain"),)
    decision = settle(query(), rank([evidence("a", 0.99, other_name), evidence("b", 0.1)], MODEL), MODEL)
    assert (decision.status, decision.reason) == ("refused", "the best claim does not mention ukrain")


def test_the_shipped_model_answers_a_plain_question_with_its_claim(learned: KnowledgeBase):
    answer = learned.answer("How many artillery shells does Russia fire per day?")
    assert answer.status == "answered"
    assert answer.claim is not None and answer.claim.id == "russia-daily-shell-use"


def test_the_shipped_model_never_answers_about_another_country_with_a_claim_about_russia(learned: KnowledgeBase):
    answer = learned.answer("How many artillery shells does Ukraine fire per day?")
    assert answer.status != "answered" or answer.claim is None or answer.claim.id != "russia-daily-shell-use"


def test_explain_names_the_objection_and_the_probability_of_each_candidate():
    kb = KnowledgeBase.load()
    why = explain(kb.matcher, "How many artillery shells does Ukraine fire per day?")
    text = "\n".join(why.lines())
    assert why.decided_by == "the rules"
    assert text.startswith("refused: the best claim does not mention ukrain")
    assert "objection: the best claim does not mention ukrain" in text
    assert "1. russia-daily-shell-use: probability" in text
    assert "mentions every name and number asked about: no" in text
    assert "asks for a count: the claim gives one" in text


def test_explain_says_what_a_when_question_lacks():
    kb = KnowledgeBase.load()
    text = "\n".join(explain(kb.matcher, "When does North Korea mass-produce conventional weapons?").lines())
    assert "asks for a time: the claim gives none" in text


def test_the_explanation_as_json_carries_every_feature_of_each_candidate():
    kb = KnowledgeBase.load(models=shipped())
    found = explain(kb.matcher, "How many artillery shells does Russia fire per day?").to_dict()
    assert found["decided_by"] == "the answer model"
    first = found["candidates"][0]
    assert list(first["features"]) == list(FEATURES)
    assert 0.0 <= first["probability"] <= 1.0
    json.dumps(found)  # plain data all the way down
