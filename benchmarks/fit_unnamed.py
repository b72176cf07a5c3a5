"""Fit ``Thresholds.unnamed_overlap`` and ``Thresholds.personal_overlap``: how much a question
that names no one must share with a claim's closest phrasing before the lexical matcher answers
it, in general and when the question is about the asker or the bot and the claim is not.

    .venv/bin/python benchmarks/fit_unnamed.py

Data, read in place from ../shared/eval: the CLINC150 validation questions against CLINC's
claims (where plain questions naming no one are the rule), and the same questions, each once,
against the bundled knowledge, which was written for none of them ("small talk": any card
there is wrong). Every question goes once through the matcher's stages (``fit.Prepared``)
and is decided with both rules off; each pair of cuts then keeps the answers whose question
names something or whose overlap reaches the cut that applies to it. The pair is chosen on
the even positions (right answers minus wrong answers minus small talk answered); the odd
positions are held out and printed beside it.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EVAL  # noqa: E402
from fit import Prepared  # noqa: E402

from knowledge import Thresholds  # noqa: E402
from knowledge.answering.evaluation import Question, load_questions  # noqa: E402
from knowledge.store.loader import BUNDLED  # noqa: E402

CUTS = range(0, 75, 5)
# (half, right, names something, overlap, question and claim: one about the asker or bot, one not)
Answered = tuple[int, bool, bool, float, bool]


def answered(knowledge: Path | None, questions: list[Question]) -> list[Answered]:
    """Every question the lexical matcher answers with the rules off, with what the cuts look at."""
    prepared = Prepared(knowledge if knowledge is not None else BUNDLED, questions, semantic=False)
    off = Thresholds(unnamed_overlap=0.0, personal_overlap=0.0)
    out = []
    for i, (q, (query, scored)) in enumerate(zip(questions, prepared.items)):
        if not scored:
            continue
        decision = prepared.kb.matcher.decide(query, scored, off)
        if decision.status == "answered":
            top = decision.ranked[0]
            apart = query.personal and not top.row.personal
            out.append((i % 2, top.row.id in q.expect, bool(query.names), top.overlap, apart))
    prepared.kb.close()
    return out


def kept(r: Answered, unnamed: int, personal: int) -> bool:
    """Whether an answer stands with these cuts."""
    return r[2] or r[3] >= (max(unnamed, personal) if r[4] else unnamed)


def main() -> None:
    clinc = load_questions(EVAL / "clinc150" / "questions-val.yaml")
    seen: set[str] = set()
    small_talk = [Question(q.text, frozenset(), q.line) for q in clinc if not (q.text in seen or seen.add(q.text))]
    clinc_answers = answered(EVAL / "clinc150" / "knowledge", clinc)  # out-of-scope ones answered count as wrong
    off = answered(None, small_talk)
    best = None
    print("unnamed cut, personal cut | fit: CLINC right, wrong, small talk answered, net | held out: the same")
    for unnamed in CUTS:
        for personal in (c for c in CUTS if c >= unnamed):
            row = []
            for half in (0, 1):
                stand = [r for r in clinc_answers if r[0] == half and kept(r, unnamed, personal)]
                right = sum(r[1] for r in stand)
                wrong = len(stand) - right
                talk = sum(1 for r in off if r[0] == half and kept(r, unnamed, personal))
                row.append((right, wrong, talk, right - wrong - talk))
            print(unnamed, personal, "|", row[0], "|", row[1])
            if best is None or row[0][3] > best[2][0][3]:
                best = (unnamed, personal, row)
    assert best is not None
    print(f"\nchosen: unnamed_overlap = {best[0]}, personal_overlap = {best[1]} "
          f"(fit {best[2][0]}, held out {best[2][1]})")


if __name__ == "__main__":
    main()
