"""Regression and benchmark questions: run them through a KnowledgeBase and score the outcome.

The metrics are those of the shared ``score.py``, so the figures `groundbot eval` prints
can be compared with any other system scored there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.matcher import Answer


@dataclass(frozen=True)
class Question:
    """One evaluation question and the claim ids that would be right (empty: must refuse)."""

    text: str
    expect: frozenset[str]


def load_questions(path: Path | str) -> list[Question]:
    """Read a questions file: a YAML list of ``{question, expect}``."""
    items = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or []
    out = []
    for item in items:
        expect = item.get("expect")
        ids = expect if isinstance(expect, list) else ([expect] if expect else [])
        out.append(Question(str(item["question"]), frozenset(ids)))
    return out


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
