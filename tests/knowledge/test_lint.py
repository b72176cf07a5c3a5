"""Warnings about valid claims likely to be answered badly: one test per warning, each at its place."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.store.lint import describe, lint
from knowledge.store.loader import inspect

HEAD = """\
source:
  id: briefing
  outlet: Team News
claims:
"""


def claim(cid: str, statement: str, questions: list[str], keywords: list[str] | None = None) -> str:
    text = f"  - id: {cid}\n    statement: {statement}\n    attributed_to: Someone\n    questions:\n"
    text += "".join(f"      - {q}\n" for q in questions)
    if keywords:
        text += f"    keywords: [{', '.join(keywords)}]\n"
    return text


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # so that warnings name the files a.yaml, b.yaml


def warnings(directory: Path) -> list[str]:
    found = inspect(directory)
    assert found.problems == []
    return [f"{Path(w.file).name}:{w.line}:{w.col}: {w.message}" for w in lint(found.claims, found.positions)]


TWO = ["How many shells are fired per day?", "What is the daily shell use?"]


def test_a_claim_with_one_question_and_no_keywords_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + claim("lonely", "The army fires 50 shells.", ["How many shells?"]))
    (found,) = warnings(tmp_path)
    assert found.startswith("a.yaml:5:9: claim 'lonely' has one question and no keywords")


def test_one_question_with_keywords_or_two_questions_is_enough(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        HEAD
        + claim("keyworded", "The army fires 50 shells.", ["How many shells?"], ["artillery"])
        + claim("asked-twice", "The navy has ten ships.", ["How many ships?", "What is the fleet size?"])
    )
    assert warnings(tmp_path) == []


def test_the_same_question_under_two_claims_in_two_files_is_warned_about_at_the_second(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + claim("army-shells", "The army fires 50 shells.", TWO))
    (tmp_path / "b.yaml").write_text(
        HEAD.replace("briefing", "other")
        + claim("navy-shells", "The navy fires 5 shells.", ["How many shells are fired a day?", "Navy guns?"])
    )
    (found,) = warnings(tmp_path)
    assert found.startswith(
        "b.yaml:9:9: claim 'navy-shells' asks nearly the same question as claim 'army-shells' (a.yaml:9:9)"
    )


def test_different_questions_sharing_words_are_not_warned_about(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        HEAD
        + claim("army-shells", "The army fires 50 shells.", TWO)
        + claim("army-rockets", "The army fires 9 rockets.", ["How many rockets are launched per week?", "Rocket use?"])
    )
    assert warnings(tmp_path) == []


def test_a_keyword_naming_what_another_claim_is_about_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        HEAD
        + claim(
            "najin-containers",
            "13,000 containers went through Najin.",
            ["How many containers via Najin?", "Najin traffic?"],
        )
        + claim("shells-by-rail", "Shells went to Russia by rail.", TWO, ["rail", "Najin"])
    )
    (found,) = warnings(tmp_path)
    assert found.startswith("a.yaml:17:22: keyword 'Najin' of claim 'shells-by-rail' names 'Najin'")


def test_a_keyword_number_the_claim_does_not_say_is_warned_about_but_13000_matches_13_000(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        HEAD + claim("containers", "13,000 containers went by sea.", TWO, ["13000", "2 million"])
    )
    (found,) = warnings(tmp_path)
    assert "keyword '2 million' of claim 'containers' names '2'" in found


def test_an_alias_keyword_no_claim_says_is_not_warned_about(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        HEAD + claim("nk-shells", "North Korea sent shells to Russia.", TWO, ["DPRK", "Russian", "Korean"])
    )
    assert warnings(tmp_path) == []


def test_claim_ids_one_character_apart_are_warned_about(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        HEAD
        + claim("shell-use", "The army fires 50 shells.", TWO)
        + claim("shells-use", "The navy has ten ships.", ["How many ships?", "What is the fleet size?"])
        + claim("ship-count", "The navy has ten boats.", ["How many boats?", "Boat numbers?"])
    )
    (found,) = warnings(tmp_path)
    assert found.startswith("a.yaml:11:9: claim id 'shells-use' differs by one character from 'shell-use' (a.yaml:5:9)")


def test_a_warning_is_described_with_its_line_caret_and_hint(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + claim("lonely", "The army fires 50 shells.", ["How many shells?"]))
    found = inspect(tmp_path)
    (warning,) = lint(found.claims, found.positions)
    lines = describe(warning, "warning").splitlines()
    assert ": warning: claim 'lonely'" in lines[0]
    assert lines[1:3] == ["      - id: lonely", "            ^"]
    assert lines[3].startswith("  hint: add two or three more questions")


def test_questions_that_differ_only_in_a_number_or_name_are_not_the_same(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        HEAD
        + claim(
            "unit-1", "Unit 1 fired 7 shells at Arden.", ["How many shells did unit 1 fire?", "What did Arden get?"]
        )
        + claim("unit-2", "Unit 2 fired 9 shells at Bree.", ["How many shells did unit 2 fire?", "What did Bree get?"])
    )
    assert [w for w in warnings(tmp_path) if "same question" in w] == []


@pytest.mark.parametrize("claims", [2_000])
def test_lint_of_thousands_of_claims_is_quick(tmp_path: Path, claims: int) -> None:
    import time

    body = "".join(
        claim(
            f"claim-{n}",
            f"Unit {n} fired {n * 7} shells at Target{n}.",
            [f"How many shells did unit {n} fire?", f"What did unit {n} hit at Target{n}?"],
            [f"Target{n}"],
        )
        for n in range(claims)
    )
    (tmp_path / "a.yaml").write_text(HEAD + body)
    found = inspect(tmp_path)
    start = time.perf_counter()
    lint(found.claims, found.positions)
    assert time.perf_counter() - start < 10
