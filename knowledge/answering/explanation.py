"""Why a question was answered, offered a choice or refused, in a moderator's words.

``explain`` runs the answering stages as ``Matcher.answer`` does and keeps the decision, and,
for the top candidates, what the answer model read of each (``features.Evidence``) and the
probability it gave (the shipped model's, when the rules decide); ``Explanation.lines`` says
it in plain words ("names the speaker asked about: yes; asks for a time: the claim gives
none"), so a moderator can see why a question was refused and what to add.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.answering.analysis import Query
from knowledge.answering.decision import Decision, judge, settle
from knowledge.answering.features import FEATURES, Evidence
from knowledge.answering.matcher import Matcher
from knowledge.answering.model import AnswerModel, shipped

SHOWN = 3  # candidates explained
WEIGHTIEST = 3  # features named as weighing most, for each


@dataclass(frozen=True)
class Explanation:
    """The decision on a question, who made it, and the evidence of the top candidates as the
    answer ``model`` reads it."""

    question: str
    decision: Decision
    decided_by: str  # "the rules" or "the answer model"
    model: AnswerModel
    query: Query
    evidence: list[Evidence]

    def lines(self) -> list[str]:
        """The explanation as lines of plain text."""
        m, d = self.model, self.decision
        out = [
            f"{d.status}{': ' + d.reason if d.reason else ''} (decided by {self.decided_by})",
            f"the answer model answers at {m.answer:.2f} or more with a lead of {m.margin:.2f}, "
            f"offers a choice at {m.ambiguous:.2f} or more",
        ]
        if not self.evidence:
            out.append("no candidate claim: the question shares no looked-up word with the store")
        for rank, e in enumerate(self.evidence[:SHOWN], 1):
            out.append(f"{rank}. {e.scored.row.id}: probability {e.scored.score / 100:.2f}")
            out.extend(f"   {line}" for line in describe(self.query, e, m))
        return out

    def to_dict(self) -> dict[str, object]:
        """The explanation for ``ask --json --explain``."""
        return {
            "decided_by": self.decided_by,
            "candidates": [
                {
                    "id": e.scored.row.id,
                    "probability": round(e.scored.score / 100, 4),
                    "features": {name: round(v, 4) for name, v in zip(FEATURES, e.values)},
                    "objections": [o.reason for o in e.objections],
                }
                for e in self.evidence[:SHOWN]
            ],
            "answer": self.model.answer,
            "margin": self.model.margin,
            "ambiguous": self.model.ambiguous,
        }


def explain(matcher: Matcher, question: str) -> Explanation:
    """The decision on ``question`` with the evidence behind it (the stages ``Matcher.answer`` runs)."""
    q, scored, t = matcher.candidates(question, matcher.semantic)
    deciding = matcher.model(t)
    model = deciding or shipped().active(t.semantic)
    judged = judge(q, scored, model, matcher.store.proper, t)
    if not scored:
        decision = Decision("refused", matcher.none_found(q), [])
    else:
        decision = settle(q, judged, model) if deciding is not None else matcher.decide(q, scored, t)
    return Explanation(question, decision, "the answer model" if deciding else "the rules", model, q, judged)


def describe(q: Query, e: Evidence, model: AnswerModel) -> list[str]:
    """What the model read of one candidate, in plain words."""
    v = dict(zip(FEATURES, e.values))
    s = e.scored
    lines = [
        f"meaning: cosine {s.cosine:.2f} ({v['cosine lead']:+.2f} on the next)"
        if s.cosine
        else "meaning: not compared (lexical matcher)",
        f"words: covers {s.coverage:.0%} of the question's weight, overlap {s.overlap:.0f}/100, "
        f"lexical {s.lexical:.0f}/100 ({100 * v['lexical lead']:+.0f} on the next)",
    ]
    if q.speaker:
        lines.append(f"names the speaker asked about ({' '.join(q.speaker)}): {_yes(v['the speaker asked about'])}")
    if q.names:
        lines.append(f"mentions every name and number asked about: {_yes(v['every name covered'])}")
    if q.asked:
        gives = "gives one" if not v["asks for a kind the claim does not give"] else "gives none"
        lines.append(f"asks for a {q.asked}: the claim {gives}")
    lines.extend(f"objection: {o.reason}" for o in e.objections)
    weighty = sorted(model.contributions(e.values)[1:], key=lambda c: abs(c[1]), reverse=True)[:WEIGHTIEST]
    lines.append("weighs most: " + ", ".join(f"{name} {c:+.1f}" for name, c in weighty if c))
    return lines


def _yes(value: float) -> str:
    return "yes" if value else "no"
