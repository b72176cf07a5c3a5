"""The documented configuration stays the real one: every setting in example.env and the README, links that resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import Settings, env_name
from tests.deploy.files import DEPLOY, ROOT, env_file
from tests.handlers.test_question_log import LINE
from tests.telegram_fakes import TOKEN

README = ROOT / "README.md"
EXAMPLE = DEPLOY / "example.env"


def example_blocks() -> dict[str, tuple[str, str]]:
    """Variable -> (its comment lines joined into one, its value), from example.env.

    A variable line is ``NAME=value``, or ``#NAME=`` when commented out (the default applies).
    """
    blocks, comment = {}, []
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"#?(GROUNDBOT_[A-Z_]+)=(.*)", line):
            blocks[match[1]] = (" ".join(comment), match[2])
            comment = []
        elif line.startswith("# "):
            comment.append(line[2:])
        else:
            comment = []
    return blocks


def readme_rows() -> dict[str, tuple[str, str]]:
    """Variable -> (default, description) from the README's settings table."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"\| `(GROUNDBOT_[A-Z_]+)` \| (.*?) \| (.*) \|", line):
            rows[match[1]] = (match[2], match[3])
    return rows


def expected_row(name: str) -> str:
    field = Settings.model_fields[name]
    return f"| `{env_name(name)}` | … | {field.description} |"


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_in_example_env_with_its_help_text(name):
    blocks = example_blocks()
    variable = env_name(name)
    assert variable in blocks, f"example.env lacks {variable}"
    comment, _ = blocks[variable]
    assert Settings.model_fields[name].description in comment, f"example.env: the comment above {variable}"
    assert "Default: " in comment


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_in_the_readme_settings_table_with_its_help_text(name):
    rows = readme_rows()
    assert env_name(name) in rows, f"README settings table lacks a row like:\n{expected_row(name)}"
    assert rows[env_name(name)][1] == Settings.model_fields[name].description, (
        f"README row out of date; should read:\n{expected_row(name)}"
    )


def test_example_env_and_the_readme_list_no_setting_the_code_does_not_have():
    known = {env_name(n) for n in Settings.model_fields}
    assert set(example_blocks()) == known
    assert set(readme_rows()) == known
    assert list(readme_rows()) == [env_name(n) for n in Settings.model_fields]  # same order as the code


def test_example_env_holds_no_secret_and_sets_nothing_but_the_empty_token():
    assert env_file(EXAMPLE) == {"GROUNDBOT_TOKEN": ""}
    for path in DEPLOY.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\d{6,}:[A-Za-z0-9_-]{30,}", text), f"{path.name} holds something token-shaped"


def test_example_env_with_only_the_token_filled_in_gives_the_documented_defaults(clean_env):
    from bot.config import load_settings

    (clean_env / ".env").write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("\nGROUNDBOT_TOKEN=\n", f"\nGROUNDBOT_TOKEN={TOKEN}\n")
    )
    assert load_settings() == Settings(token=TOKEN, _env_file=None)


def test_the_documented_log_lines_have_the_format_the_bot_writes():
    for path in (README, DEPLOY / "README.md"):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "groundbot.questions: " in line]
        assert lines, path.name
        for line in lines:
            assert LINE.match(line.split("groundbot.questions: ", 1)[1]), line


def anchors(markdown: str) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    prose = re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)  # a "# comment" in a code block is no heading
    for heading in re.findall(r"^#{1,6} (.+)$", prose, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize(
    "path", [README, DEPLOY / "README.md", ROOT / "knowledge" / "README.md"], ids=lambda p: str(p.relative_to(ROOT))
)
def test_relative_links_and_anchors_resolve(path: Path):
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.name}: broken link {target}"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked.read_text(encoding="utf-8")), f"{path.name}: no heading for {target}"
