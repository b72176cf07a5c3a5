"""`groundbot check`: every problem in every file in one run, each with its line, a caret and a
hint where one is obvious; then warnings, which fail the run only with --strict."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.knowledge.test_loader import GOOD, write


def check(*args: str):
    return CliRunner().invoke(cli, ["check", *args], env={"GROUNDBOT_KNOWLEDGE": None})


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # so that check names the files a.yaml, b.yaml


def places(output: str) -> list[str]:
    """The file:line:col: message lines of ``check``'s output."""
    return [line for line in output.splitlines() if ".yaml:" in line and not line.startswith(" ")]


MIXED = """\
source:
  id: briefing
  outlet: Team News
  outlet: Again
claims:
  - id: first-claim
    statement: The army fires 50,000 shells per day.
    attributed_to: General Alpha
    colour: red
    questions: [How many shells per day?]
  - id: Bad Id
    statement: Something.
    attributed_to: Someone
    questions: [What?]
  - id: no-statement
    attributed_to: Someone
    questions: [Where?]
  - id: first-claim
    statement: Twice.
    attributed_to: Someone
    said_on: 2024-13
    questions: [When?]
  - id: shared
    statement: Shared across files.
    attributed_to: Someone
    questions: [Shared?, Shared again?]
"""


def test_every_kind_of_problem_in_one_file_is_reported_in_one_run(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", MIXED)
    write(tmp_path, "b.yaml", GOOD.replace("id: briefing", "id: other").replace("first-claim", "shared"))
    result = check(str(tmp_path))
    assert result.exit_code == 1
    assert places(result.output) == [
        "a.yaml:4:3: duplicate key 'outlet' (first at line 3)",
        "a.yaml:9:5: unknown key 'colour' in claims[0]",
        "a.yaml:11:9: claims[1].id: must be a slug of lowercase letters, digits and single hyphens",
        "a.yaml:15:5: missing required field 'claims[2].statement'",
        "a.yaml:21:14: claims[3].said_on: 2024-13 is not a real month",
        "b.yaml:8:9: duplicate claim id 'shared' (also at a.yaml:23:9)",
    ]


def test_a_duplicate_claim_id_is_not_hidden_by_schema_errors_in_the_same_file(tmp_path: Path) -> None:
    text = GOOD + "  - id: first-claim\n    statement: Again.\n    attributed_to: X\n    questions: [Again?]\n"
    text += "  - id: broken\n    questions: [Broken?]\n"
    write(tmp_path, "a.yaml", text)
    found = places(check(str(tmp_path)).output)
    assert any(line.startswith("a.yaml:13:9: duplicate claim id 'first-claim'") for line in found), found
    assert any("missing required field 'claims[2].statement'" in line for line in found), found


def test_each_problem_shows_its_line_and_a_caret_under_the_column(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("    questions:", "    colour: red\n    questions:"))
    lines = check(str(tmp_path)).output.splitlines()
    at = next(i for i, line in enumerate(lines) if "unknown key 'colour'" in line)
    assert lines[at + 1] == "        colour: red"
    assert lines[at + 2] == "        ^"


def test_an_unclosed_quote_is_reported_where_it_opens_with_a_hint(tmp_path: Path) -> None:
    text = GOOD.replace("statement: The army fires 50,000 shells per day.", 'statement: "The army fires')
    text += "".join(f"  # filler line {i}\n" for i in range(19))
    write(tmp_path, "a.yaml", text)
    result = check(str(tmp_path))
    assert result.exit_code == 1
    (first, *_) = places(result.output)
    assert first.startswith("a.yaml:9:16: not valid YAML")
    assert "hint: this quote is never closed" in result.output


def test_a_colon_inside_a_value_gets_the_hint_to_quote_it(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("The army fires", "Update: the army fires"))
    result = check(str(tmp_path))
    assert result.exit_code == 1
    assert places(result.output)[0].startswith("a.yaml:9:22: not valid YAML: mapping values are not allowed")
    assert "must be quoted" in result.output


def test_warnings_are_printed_with_their_place_but_do_not_fail_the_check(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)  # one question, no keywords
    result = check(str(tmp_path))
    assert result.exit_code == 0
    assert places(result.output) == [
        "a.yaml:8:9: warning: claim 'first-claim' has one question and no keywords: "
        "people who ask it another way will often be refused"
    ]
    assert result.output.splitlines()[-1].endswith("1 warning(s)")


def test_strict_fails_the_check_on_warnings(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    assert check("--strict", str(tmp_path)).exit_code == 1
    write(tmp_path, "a.yaml", GOOD + "      - How many shells are fired each day?\n")
    assert check("--strict", str(tmp_path)).exit_code == 0


def test_the_bundled_knowledge_has_no_problem_and_no_warning() -> None:
    result = check("--strict")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_check_reads_the_file_size_limit_from_the_environment(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    result = CliRunner().invoke(
        cli, ["check", str(tmp_path)], env={"GROUNDBOT_KNOWLEDGE": None, "GROUNDBOT_MAX_FILE_BYTES": "100"}
    )
    assert result.exit_code == 1
    assert places(result.output) == ["a.yaml:1:1: file is larger than 100 bytes"]


def test_a_bad_limit_setting_is_named_not_a_traceback(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    result = CliRunner().invoke(
        cli, ["check", str(tmp_path)], env={"GROUNDBOT_KNOWLEDGE": None, "GROUNDBOT_MAX_DEPTH": "0"}
    )
    assert result.exit_code == 1
    assert "GROUNDBOT_MAX_DEPTH: must be a whole number, 1 or more" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
