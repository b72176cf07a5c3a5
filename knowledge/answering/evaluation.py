"""Regression and benchmark questions: run them through a KnowledgeBase and score the outcome.

The metrics are those of the shared ``score.py``, so the figures `groundbot eval` prints
can be compared with any other system scored there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.answering.answer import Answer


@dataclass(frozen=True)
class Question:
    """One evaluation question and the claim ids that would be right (empty: must refuse).

    ``line`` is where its ``expect`` (else the question) is in the file, 1-based; 0 when unknown.
    """

    text: str
    expect: frozenset[str]
    line: int = 0


def load_questions(path: Path | str) -> list[Question]:
    """Read a questions file: a YAML list of ``{question, expect}``, each with its line."""
    loader = yaml.CSafeLoader(Path(path).read_text(encoding="utf-8"))
    try:
        # One parse gives the nodes, for their lines, and the data built from them.
        root = loader.get_single_node()
        items = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    out = []
    for i, item in enumerate(items or []):
        expect = item.get("expect")
        ids = expect if isinstance(expect, list) else ([expect] if expect else [])
        out.append(Question(str(item["question"]), frozenset(ids), _line(root, i)))
    return out


def _line(root: yaml.Node, i: int) -> int:
    """The 1-based line of item ``i``'s ``expect`` value in a sequence of mappings, else of the item."""
    item = root.value[i] if isinstance(root, yaml.SequenceNode) and i < len(root.value) else None
    if not isinstance(item, yaml.MappingNode):
        return 0
    for key, value in item.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "expect":
            return int(value.start_mark.line) + 1
    return int(item.start_mark.line) + 1


def unknown_ids(questions: list[Question], known: Callable[[str], bool]) -> list[tuple[Question, str]]:
    """Each (question, id) whose ``expect`` names a claim id for which ``known`` is false, in file order."""
    return [(q, claim_id) for q in questions for claim_id in sorted(q.expect) if not known(claim_id)]


# What each metric of ``metrics`` means, one line each, for `groundbot eval`'s report.
MEANINGS = {
    "in_scope": "questions with an expected claim",
    "out_of_scope": "questions that must be refused (expect: null)",
    "answered_correct": "share of in-scope questions answered with a right claim",
    "clarify_with_right_option": 'share of in-scope questions given a "Did you mean…" with a right claim in its first three options',
    "wrong_claim": 'share of in-scope questions answered with a wrong claim OR given a "Did you mean…" '
    "without a right claim in its first three options (split below)",
    "refused_in_scope": "share of in-scope questions refused",
    "ambiguous_in_scope": 'share of in-scope questions given a "Did you mean…", with or without a right option',
    "oos_refused": 'share of out-of-scope questions refused or given a "Did you mean…" (no card shown)',
    "oos_answered": "share of out-of-scope questions answered with a card: answers that should not exist",
    "precision_of_answers": "right cards / all cards shown, out-of-scope answers included",
    "map_at_5": "mean average precision of the right claims among the top five candidates (in-scope)",
}


def wrong_claim_split(questions: list[Question], answers: list[Answer]) -> tuple[int, int]:
    """What ``wrong_claim`` counts, apart: (answered with a wrong claim, "Did you mean…" without a right option)."""
    answered = clarified = 0
    for q, a in zip(questions, answers, strict=True):
        if not q.expect:
            continue
        if a.status == "answered" and (a.claim is None or a.claim.id not in q.expect):
            answered += 1
        elif a.status == "ambiguous" and not q.expect & {c.claim.id for c in a.candidates[:3]}:
            clarified += 1
    return answered, clarified


def as_expected(question: Question, answer: Answer) -> bool:
    """Strict pass/fail: in-scope questions must be answered with a right claim, others refused."""
    if question.expect:
        return answer.status == "answered" and answer.claim is not None and answer.claim.id in question.expect
    return answer.status != "answered"


def metrics(questions: list[Question], answers: list[Answer], map5: bool = False) -> dict[str, Any]:
    """The same metrics, with the same names and rounding, as ``shared/eval/score.py``."""
    n = dict.fromkeys(
        [
            "in_scope",
            "out_of_scope",
            "in_correct",
            "in_wrong",
            "in_clarify",
            "in_ambiguous",
            "in_refused",
            "oos_answered",
            "oos_refused",
        ],
        0,
    )
    ap = []
    for q, a in zip(questions, answers, strict=True):
        cands = [c.claim.id for c in a.candidates][:5]
        got = a.claim.id if a.claim else None
        if q.expect:
            n["in_scope"] += 1
            if a.status == "answered":
                n["in_correct" if got in q.expect else "in_wrong"] += 1
            elif a.status == "ambiguous":
                n["in_ambiguous"] += 1
                n["in_clarify" if q.expect & set(cands[:3]) else "in_wrong"] += 1
            else:
                n["in_refused"] += 1
            if map5:
                hits = total = 0.0
                for rank, c in enumerate(cands, 1):
                    if c in q.expect:
                        hits += 1
                        total += hits / rank
                ap.append(total / min(len(q.expect), 5))
        else:
            n["out_of_scope"] += 1
            n["oos_answered" if a.status == "answered" else "oos_refused"] += 1

    def share(k: str, d: str) -> float:
        return round(n[k] / n[d], 4)

    out: dict[str, Any] = {"in_scope": n["in_scope"], "out_of_scope": n["out_of_scope"]}
    if n["in_scope"]:
        for key, k in [
            ("answered_correct", "in_correct"),
            ("clarify_with_right_option", "in_clarify"),
            ("wrong_claim", "in_wrong"),
            ("refused_in_scope", "in_refused"),
            ("ambiguous_in_scope", "in_ambiguous"),
        ]:
            out[key] = share(k, "in_scope")
    if n["out_of_scope"]:
        out["oos_refused"] = share("oos_refused", "out_of_scope")
        out["oos_answered"] = share("oos_answered", "out_of_scope")
    answered = n["in_correct"] + n["in_wrong"] - (n["in_ambiguous"] - n["in_clarify"]) + n["oos_answered"]
    if answered:
        out["precision_of_answers"] = round(n["in_correct"] / answered, 4)
    if ap:
        out["map_at_5"] = round(sum(ap) / len(ap), 4)
    return out
