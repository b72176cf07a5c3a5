"""The moderators' guide (knowledge/README.md) stays true to the schema and the tools."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

from knowledge import Claim, KnowledgeBase, Source
from knowledge.answering.evaluation import load_questions

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "knowledge" / "README.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)


def test_the_guide_documents_every_field_of_the_schema():
    text = GUIDE.read_text(encoding="utf-8")
    for field in [*Source.model_fields, *Claim.model_fields]:
        assert f"| `{field}` |" in text, f"the guide's tables do not describe `{field}`"


def test_the_guides_example_file_loads_and_answers_its_own_questions(tmp_path: Path):
    example = next(b for b in blocks("yaml") if b.startswith("source:"))
    (tmp_path / "example.yaml").write_text(example, encoding="utf-8")
    kb = KnowledgeBase.load(tmp_path)
    assert len(kb) == 2
    for claim in kb.claims():
        assert kb.answer(claim.questions[0]).claim == claim


def test_the_guides_questions_file_is_what_groundbot_eval_reads(tmp_path: Path):
    snippet = next(b for b in blocks("yaml") if b.startswith("- question:"))
    path = tmp_path / "questions.yaml"
    path.write_text(snippet, encoding="utf-8")
    questions = load_questions(path)
    assert [sorted(q.expect) for q in questions] == [["gas-storage-85-percent"], []]


def test_the_guides_phrasing_snippet_is_valid_yaml():
    snippet = next(b for b in blocks("yaml") if b.lstrip().startswith("questions:"))
    assert len(yaml.safe_load(snippet)["questions"]) == 4


def test_the_readme_links_to_the_guide():
    assert "(knowledge/README.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_guide_ships_with_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "README.md" in pyproject["tool"]["setuptools"]["package-data"]["knowledge"]
