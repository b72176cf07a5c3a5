"""Property tests: no string makes the matcher raise, and the outcome is always well formed."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge import KnowledgeBase

KB = KnowledgeBase.load()

NASTY = st.sampled_from(
    [
        '"',
        "*",
        "NEAR(",
        "AND",
        "OR",
        "NOT",
        "-",
        ":",
        "^",
        "(",
        ")",
        "{",
        "}",
        "'; DROP TABLE claims; --",
        "\u200b",
        "\u202e",
        "\x00",
        "\ufeff",
        "🇺🇦",
        "שלום",
        "مرحبا",
        "Ⅻ",
        "ﬁ",
        "é",
        "\n",
        "\t",
        "…",
        "40,000",
        "2.5",
    ]
)
QUESTIONS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(NASTY, st.text(max_size=12)), max_size=40).map(" ".join),
)


def well_formed(question: str) -> None:
    answer = KB.answer(question)
    assert answer.status in {"answered", "ambiguous", "refused"}
    assert 0 <= answer.score <= 100
    assert len(answer.candidates) <= 5
    assert (answer.claim is not None) == (answer.status == "answered")
    answer.to_dict()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(QUESTIONS)
def test_any_string_gets_a_well_formed_answer(question: str) -> None:
    well_formed(question)


def test_very_long_and_empty_questions_get_answers() -> None:
    for question in ["", " ", "\n\t", "shells " * 2000, "x" * 10_000, "🚀" * 3000, '"' * 5000]:
        well_formed(question)


def test_fts5_syntax_in_a_question_is_just_words() -> None:
    plain = KB.answer("How many shells does Russia fire per day")
    noisy = KB.answer('How* many "shells" near(does Russia) fire: per -day and or')
    assert noisy.claim == plain.claim
    shouting = KB.answer('How* many "shells" NEAR(does Russia) fire: per -day AND OR')
    assert shouting.candidates[0].claim == plain.claim
