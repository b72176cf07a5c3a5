"""The answering stages: each one's output is the next one's input, and each runs on hand-made input."""

from __future__ import annotations

import json
import typing

from knowledge.answering import analysis, decision, retrieval, scoring
from knowledge.answering.analysis import Query
from knowledge.answering.decision import decide
from knowledge.answering.scoring import Scored
from knowledge.answering.thresholds import Thresholds
from knowledge.answering.veto import veto
from knowledge.store.database import Row


def test_each_stage_returns_what_the_next_stage_takes():
    chain = [
        (analysis.analyse, None, "return"),
        (retrieval.retrieve, "q", "return"),
        (scoring.score, "hits", "return"),
        (decision.decide, "scored", "return"),
    ]
    hints = [typing.get_type_hints(stage) for stage, _, _ in chain]
    assert hints[1]["q"] is hints[0]["return"] is Query
    assert hints[2]["hits"] == hints[1]["return"]
    assert hints[3]["scored"] == hints[2]["return"]
    assert hints[3]["return"] is decision.Decision


def query(**fields: typing.Any) -> Query:
    base: dict[str, typing.Any] = dict(
        question="How many shells does Ukraine fire a day?",
        text="how mani shell doe ukrain fire a day",
        terms=["shell", "ukrain", "fire", "day"],
        weights={"shell": 2.0, "ukrain": 2.0, "fire": 1.0, "day": 1.0},
        total=6.0,
        names=[],
        asked=None,
        counted=(),
        speaker=(),
    )
    return Query(**{**base, **fields})


def row(claim_id: str, vocabulary: str, texts: list[str] | None = None) -> Row:
    words = frozenset(vocabulary.split())
    return Row(claim_id, json.dumps(texts or [vocabulary]), words, True, frozenset())


PROPER = frozenset({"russia", "ukrain"})


def test_a_name_the_claim_never_mentions_vetoes_it():
    q = query(names=["ukrain"])
    about_russia = Scored(row("russia-shells", "russia fire shell day"), 80.0, 0.0, 0.7)
    assert veto(q, about_russia, PROPER, 0.5) == "the best claim does not mention ukrain"


def test_a_claim_that_covers_every_name_is_not_vetoed():
    q = query(names=["ukrain"])
    about_ukraine = Scored(row("ukraine-shells", "ukrain fire shell day"), 80.0, 0.0, 1.0)
    assert veto(q, about_ukraine, PROPER, 0.5) == ""


def test_two_claims_scoring_alike_are_offered_as_a_choice():
    t = Thresholds()
    first = Scored(row("a", "shell fire day"), 70.0, 0.0, 0.9, overlap=60.0)
    second = Scored(row("b", "shell fire day"), 68.0, 0.0, 0.9, overlap=60.0)
    made = decide(query(names=["ukrain"]), [second, first], t, t, PROPER)
    assert made.status == "refused"  # both miss "ukrain"
    made = decide(query(), [second, first], t, t, PROPER)
    assert (made.status, made.reason) == ("ambiguous", "several claims fit")
    assert [s.row.id for s in made.ranked] == ["a", "b"]
    assert [s.score for s in made.ranked] == [70.0, 68.0]


def test_a_clear_leader_is_answered_and_ranked_first():
    t = Thresholds()
    leader = Scored(row("a", "shell fire day"), 90.0, 0.0, 1.0, overlap=80.0)
    other = Scored(row("b", "tank"), 30.0, 0.0, 0.2, overlap=10.0)
    made = decide(query(), [other, leader], t, t, PROPER)
    assert made.status == "answered"
    assert made.ranked[0].row.id == "a"
