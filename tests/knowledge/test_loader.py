"""Knowledge files: every problem is reported as file:line:col, and nothing bad loads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from knowledge import KnowledgeBase, KnowledgeError
from knowledge.store.loader import cores, load_claims

GOOD = """\
source:
  id: briefing
  title: A briefing
  outlet: Team News
  url: https://example.org/a
  published: 2024-05-01
claims:
  - id: first-claim
    statement: The army fires 50,000 shells per day.
    attributed_to: General Alpha
    questions:
      - How many shells per day?
"""


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_claims(path)
    return [f"{Path(p.file).name}:{p.line}:{p.col}: {p.message}" for p in caught.value.problems]


def test_a_good_file_loads_with_its_source_and_position(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    (claim,) = load_claims(tmp_path)
    assert claim.id == "first-claim"
    assert claim.source.outlet == "Team News"
    assert str(claim.source.published) == "2024-05-01"
    assert claim.line == 8


def test_an_unknown_key_is_reported_at_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD.replace("    questions:", "    speaker: Bob\n    questions:"))
    assert problems(path) == ["a.yaml:11:5: unknown key 'speaker' in claims[0]"]


def test_a_missing_field_is_reported_at_its_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD.replace("    attributed_to: General Alpha\n", ""))
    assert problems(path) == ["a.yaml:8:5: missing required field 'claims[0].attributed_to'"]


def test_a_duplicate_yaml_key_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD.replace("  outlet: Team News\n", "  outlet: Team News\n  outlet: Other\n"))
    assert problems(path) == ["a.yaml:5:3: duplicate key 'outlet' (first at line 4)"]


def test_an_empty_question_list_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a.yaml", GOOD.replace("    questions:\n      - How many shells per day?\n", "    questions: []\n")
    )
    assert problems(path) == ["a.yaml:11:16: claims[0].questions: needs at least one question"]


def test_a_non_http_url_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD.replace("https://example.org/a", "ftp://example.org/a"))
    assert problems(path) == ["a.yaml:5:8: source.url: must be an http:// or https:// URL"]


def test_an_impossible_date_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD.replace("2024-05-01", "2024-02-30"))
    (message,) = problems(path)
    assert message.startswith("a.yaml:6:14: source.published:")


def test_a_bad_slug_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD.replace("id: first-claim", "id: First Claim"))
    assert problems(path) == [
        "a.yaml:8:9: claims[0].id: must be a slug of lowercase letters, digits and single hyphens"
    ]


def test_a_file_that_is_not_utf8_names_the_bad_byte(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", GOOD.encode("utf-8").replace(b"Alpha", b"Alph\xe9"))
    assert problems(path) == ["a.yaml:10:32: file is not UTF-8 text"]


def test_a_file_that_is_not_yaml_names_the_place(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "source: [unclosed\nclaims: {}\n")
    (message,) = problems(path)
    assert message.startswith("a.yaml:2:") and "not valid YAML" in message


def test_a_file_that_is_a_list_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "- just\n- a list\n")
    assert problems(path) == ["a.yaml:1:1: expected a mapping with 'source' and 'claims'"]


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", "")
    assert problems(path) == ["a.yaml:1:1: empty file: expected 'source' and 'claims'"]


def test_duplicate_claim_ids_across_files_name_both_places(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD.replace("id: briefing", "id: other"))
    (message,) = problems(tmp_path)
    assert message.startswith("b.yaml:8:9: duplicate claim id 'first-claim' (also at ")
    assert message.endswith("a.yaml:8:9)")


def test_duplicate_source_ids_name_both_places(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD.replace("id: first-claim", "id: second-claim"))
    (message,) = problems(tmp_path)
    assert message.startswith("b.yaml:2:7: duplicate source id 'briefing' (also at ")


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("  outlet: Team News\n", ""))
    write(tmp_path, "b.yaml", GOOD.replace("id: briefing", "id: b").replace("id: first-claim", "id: Bad Id"))
    found = problems(tmp_path)
    assert [m.split(":")[0] for m in found] == ["a.yaml", "b.yaml"]


def test_a_missing_path_is_an_error_not_a_crash(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere") == ["nowhere:1:1: no such file or directory"]


def test_a_directory_without_knowledge_files_is_an_error(tmp_path: Path) -> None:
    assert problems(tmp_path) == [f"{tmp_path.name}:1:1: no .yaml knowledge files found"]


def test_the_bundled_knowledge_loads_cleanly() -> None:
    kb = KnowledgeBase.load()
    assert len(kb) >= 20
    assert all(c.source.id == "nk-munitions-2023" for c in kb.claims())


@pytest.mark.parametrize(
    "written,stored", [("2024-06-12", "2024-06-12"), ("2024-06", "2024-06"), ('"2024-06-12"', "2024-06-12")]
)
def test_said_on_takes_a_date_or_a_month_and_the_store_returns_it(tmp_path: Path, written: str, stored: str) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("    questions:", f"    said_on: {written}\n    questions:"))
    kb = KnowledgeBase.load(tmp_path)
    try:
        assert kb.claim("first-claim").said_on == stored
        assert kb.answer("How many shells per day?").to_dict()["claim"]["said_on"] == stored
    finally:
        kb.close()


@pytest.mark.parametrize(
    "written,message",
    [
        ("June 2024", "must be a date YYYY-MM-DD or a month YYYY-MM"),
        ("2024-02-30", "2024-02-30 is not a real date"),
        ("2024-13", "2024-13 is not a real month"),
    ],
)
def test_a_bad_said_on_is_a_problem_at_its_value(tmp_path: Path, written: str, message: str) -> None:
    path = write(tmp_path, "a.yaml", GOOD.replace("    questions:", f"    said_on: {written}\n    questions:"))
    assert problems(path) == [f"a.yaml:11:14: claims[0].said_on: {message}"]


def test_a_claim_without_said_on_has_none(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    (claim,) = load_claims(tmp_path)
    assert claim.said_on is None


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is Linux-only")
def test_cores_counts_only_the_cores_this_process_may_run_on():
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})  # as `taskset -c 0` or a one-CPU container would
        assert cores() == 1
    finally:
        os.sched_setaffinity(0, allowed)
    assert cores() == len(allowed)
