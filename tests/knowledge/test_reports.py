"""Grouping unanswered questions and counting stats, on rows made by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.activity.reports import Asked, build_stats, group_unanswered, same_question, stats_text, unanswered_text

RUSSIA = "How many shells does Russia fire per day?"


def refused(question: str, at: str = "2024-05-01T00:00:00", claim_id: str | None = None, score: float = 0.0) -> Asked:
    return Asked(question=question, at=at, kind="refused", claim_id=claim_id, score=score)


@pytest.mark.parametrize(
    "other",
    [
        "how many shells does russia fire per day",
        "How many shels does Russia fire each day?",
        "russia shells per day",
        "Per day, how many shells does Russia fire?",
    ],
)
def test_the_same_question_in_other_words_is_the_same_question(other: str):
    assert same_question(RUSSIA, other)


@pytest.mark.parametrize(
    "other",
    [
        "How many shells does Ukraine fire per day?",
        "How many drones does Iran send per month?",
        "Who is the CEO of Acme?",
    ],
)
def test_a_question_about_something_else_is_not(other: str):
    assert not same_question(RUSSIA, other)


def test_questions_naming_different_numbers_are_different():
    assert not same_question("Did Russia fire 40,000 shells?", "Did Russia fire 60000 shells?")
    assert same_question("Did Russia fire 40,000 shells?", "did russia fire 40000 shells")


def test_groups_are_most_asked_first_with_their_counts_and_variants():
    rows = [
        refused("Who is the CEO of Acme?"),
        refused(RUSSIA),
        refused("russia shells per day"),
        refused("how many shells does russia fire per day"),
        refused("How many shells does Ukraine fire per day?"),
    ]
    groups = group_unanswered(rows)
    # RUSSIA was asked twice (case aside): its first wording leads the group.
    assert [(g.question, g.count) for g in groups] == [
        (RUSSIA, 3),
        ("Who is the CEO of Acme?", 1),
        ("How many shells does Ukraine fire per day?", 1),
    ]
    assert groups[0].variants == ["russia shells per day"]


def test_the_leading_wording_is_the_one_typed_most():
    rows = [refused("russia shells per day"), refused(RUSSIA), refused(RUSSIA.lower()), refused(RUSSIA.lower())]
    (group,) = group_unanswered(rows)
    assert group.question == RUSSIA.lower()
    assert group.count == 4
    assert group.variants == ["russia shells per day"]


def test_equally_asked_groups_come_most_recent_first():
    rows = [refused("Who is the CEO of Acme?", at="2024-05-01"), refused("Where is the office?", at="2024-05-03")]
    assert [g.question for g in group_unanswered(rows)] == ["Where is the office?", "Who is the CEO of Acme?"]


def test_a_group_shows_the_best_scoring_nearest_claim():
    rows = [
        refused(RUSSIA, claim_id="russia-shell-production-plan", score=40.0),
        refused("russia shells per day", claim_id="russia-daily-shell-use", score=55.0),
        Asked(RUSSIA, "2024-05-02", "downvoted", "russia-daily-shell-use", 70.0),
    ]
    (group,) = group_unanswered(rows)
    assert (group.claim_id, group.score) == ("russia-daily-shell-use", 70.0)
    assert (group.refused, group.downvoted) == (2, 1)


questions = st.lists(
    st.sampled_from([RUSSIA, "russia shells per day", "Who is the CEO of Acme?", "", "?!", "Где офис?", "40,000"])
    | st.text(max_size=40),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(questions)
def test_grouping_counts_every_question_exactly_once(texts: list[str]):
    groups = group_unanswered([refused(t) for t in texts])
    assert sum(g.count for g in groups) == len(texts)
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)


def test_the_unanswered_text_names_count_wording_and_nearest_claim():
    rows = [
        refused(RUSSIA, claim_id="russia-daily-shell-use", score=55.4),
        refused("russia shells per day"),
        refused("Who is the CEO of Acme?"),
    ]
    statements = {"russia-daily-shell-use": "The Russian army consumes 40,000 shells per day."}
    text = unanswered_text(group_unanswered(rows), 7, statements.get)
    assert text.splitlines() == [
        "Unanswered in the last 7 days: 2 question(s), asked 3 time(s).",
        f"1. ×2 “{RUSSIA}” (2 refused)",
        "   also asked as: “russia shells per day”",
        "   nearest: russia-daily-shell-use (score 55): The Russian army consumes 40,000 shells per day.",
        "2. ×1 “Who is the CEO of Acme?” (1 refused)",
        "   nearest: none (no claim shares a word)",
    ]


def test_a_nearest_claim_no_longer_in_the_store_says_so():
    text = unanswered_text(group_unanswered([refused(RUSSIA, claim_id="gone", score=50)]), 1, {}.get)
    assert "nearest: gone (score 50) (no longer in the store)" in text
    assert "the last day" in text


def test_an_empty_report_says_there_is_nothing():
    assert unanswered_text([], None) == "Nothing unanswered in all time."


def test_stats_text_reads_as_shares_and_counts():
    until = dt.datetime(2024, 5, 8, tzinfo=dt.timezone.utc)
    stats = build_stats(
        [
            ("answered", "a", "private", "u1", 10.0),
            ("answered", "a", "group", "u2", 30.0),
            ("refused", None, "private", "u1", 20.0),
            ("ambiguous", None, "private", None, 0.0),
        ],
        [(1, "a"), (-1, "a")],
        1,
        days=7,
        since=until - dt.timedelta(days=7),
        until=until,
    )
    assert stats_text(stats, 7).splitlines() == [
        "Stats for the last 7 days: 4 question(s) from 2 people.",
        "answered 50% (2), ambiguous 25% (1), refused 25% (1)",
        "by chat: private 3, group 1",
        "“Did you mean…” options picked: 1",
        "feedback: 1 👍, 1 👎",
        "top claims: a ×2",
        "most 👎: a ×1",
        "answer time: median 20 ms, p95 30 ms",
    ]
    assert stats.to_dict()["shares"] == {"answered": 0.5, "ambiguous": 0.25, "refused": 0.25}
    assert stats.to_dict()["picked"] == 1


def test_stats_of_an_empty_period_have_no_shares():
    stats = build_stats([], [], days=1, since=None, until=dt.datetime(2024, 5, 8, tzinfo=dt.timezone.utc))
    assert stats.share("answered") == 0.0
    assert stats_text(stats, 1).splitlines() == [
        "Stats for the last day: 0 question(s) from 0 people.",
        "feedback: 0 👍, 0 👎",
    ]
