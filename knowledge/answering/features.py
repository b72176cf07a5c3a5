"""What the answer model reads of one (question, candidate claim) pair: ``Evidence``.

Each feature is a number the earlier stages compute anyway: the lexical parts and the
cosine, how far the candidate leads the others on each, and the question's understanding
set against the claim (names and numbers it does not mention, a swapped key word, whose
words were asked for, giver and receiver, what kind of answer is asked for and whether the
claim can give it). ``FEATURES`` names them in the order of the model's weights.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.answering.analysis import Query
from knowledge.answering.scoring import Scored
from knowledge.answering.speakers import speaks
from knowledge.answering.thresholds import Thresholds
from knowledge.answering.veto import KINDS, Objection, objections

_KNOTS = (0.4, 0.6, 0.8)
_LEAD_KNOTS = (0.05, 0.15)

# The model's inputs, in the order of its weights (the weights file lists them too, and is
# refused when the two differ).
FEATURES: tuple[str, ...] = (
    "bias",
    "cosine",
    "cosine lead",
    "lexical",
    "lexical lead",
    "coverage",
    "overlap",
    "fused",
    "fused lead",
    "lexical x cosine",
    "coverage x cosine",
    # Hinges at fixed knots: a spline of each main score, so that a linear model can weigh
    # a cosine of 0.8 over 0.6 more than 0.4 over 0.2.
    *(f"cosine above {k}" for k in _KNOTS),
    *(f"lexical above {k}" for k in _KNOTS),
    *(f"fused lead above {k}" for k in _LEAD_KNOTS),
    "the question names someone or something",
    # How much the claim was curated: a claim with many phrasings (an intent of CLINC150)
    # is matched on them, one with a single question (a busy moderator's) on its statement,
    # and the same cosine means more in the second. Scaled to 0-1 at ten phrasings.
    "phrasings",
    "phrasings x cosine",
    "phrasings x cosine lead",
    "phrasings x lexical",
    *(f"objection: {kind}" for kind in KINDS),
    "asks for a kind the claim does not give",
    "asks for a kind the claim gives",
    "the speaker asked about",
    "every name covered",
    "names no one, little shared",
    "about you or me, the claim is not",
)


@dataclass(frozen=True)
class Evidence:
    """One candidate with its feature values (in ``FEATURES`` order) and its objections."""

    scored: Scored
    values: tuple[float, ...]
    objections: tuple[Objection, ...]


def gather(
    q: Query, scored: list[Scored], proper: frozenset[str], ambiguous_coverage: float, t: Thresholds
) -> list[Evidence]:
    """The evidence for each candidate, in the order given (``t``: the matcher's, for the
    fused score of lexical parts and cosine)."""
    cosines = [s.cosine for s in scored]
    lexicals = [s.lexical for s in scored]
    fused = [t.fuse(s.lexical, s.cosine) for s in scored]
    out = []
    for i, s in enumerate(scored):
        found = list(objections(q, s, proper, ambiguous_coverage))
        kinds = {o.kind for o in found}
        gives = bool(q.asked) and q.asked in s.row.answers
        values = (
            1.0,
            s.cosine,
            s.cosine - _best_other(cosines, i),
            s.lexical / 100,
            (s.lexical - _best_other(lexicals, i)) / 100,
            s.coverage,
            s.overlap / 100,
            fused[i] / 100,
            (fused[i] - _best_other(fused, i)) / 100,
            s.lexical / 100 * s.cosine,
            s.coverage * s.cosine,
            *(max(0.0, s.cosine - k) for k in _KNOTS),
            *(max(0.0, s.lexical / 100 - k) for k in _KNOTS),
            *(max(0.0, (fused[i] - _best_other(fused, i)) / 100 - k) for k in _LEAD_KNOTS),
            float(q.named),
            (curated := min(1.0, (len(s.row.texts) - 1) / 10)),
            curated * s.cosine,
            curated * (s.cosine - _best_other(cosines, i)),
            curated * s.lexical / 100,
            *(float(kind in kinds) for kind in KINDS),
            float(bool(q.asked) and not gives),
            float(gives and supplies(q, s)),
            float(bool(q.speaker) and speaks(q, s.row)),
            float(bool(q.names) and "names" not in kinds),
            float(not q.named) * (1 - s.overlap / 100),
            float(q.personal and not s.row.personal),
        )
        out.append(Evidence(s, values, tuple(found)))
    return out


def supplies(q: Query, s: Scored) -> bool:
    """Whether a claim unmistakably gives what ``q`` asks for: a date for "when", a count
    of the very thing counted for "how many", and any other kind it can answer."""
    if q.asked == "time":
        return "date" in s.row.answers
    if q.asked == "count":
        return "count" in s.row.answers and (not q.counted or any(w in s.row.vocabulary for w in q.counted))
    return bool(q.asked) and q.asked in s.row.answers


def _best_other(values: list[float], i: int) -> float:
    """The largest of ``values`` other than the ``i``-th (0 when there is no other)."""
    return max((v for j, v in enumerate(values) if j != i), default=0.0)
