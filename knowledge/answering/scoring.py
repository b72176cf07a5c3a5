"""Stage ``score``: ``Hit``s -> ``Scored`` candidates, each with its lexical score and cosine.

Every hit is first ranked by the cheap parts (coverage of the question's weight, BM25
relative to the best hit, fused with the cosine); the character-level likeness and the term
overlap, the costly parts, are spent only on the few that could still come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.answering.analysis import Query
from knowledge.answering.retrieval import Hit
from knowledge.answering.thresholds import Thresholds
from knowledge.answering.vocabulary import Vocabulary
from knowledge.store.database import Row

# The score's parts, out of 100: how much of the question's weight the claim covers, how
# alike its closest phrasings read, their weighted term overlap, and BM25 relative to the
# best hit. Chosen jointly on CLINC150 validation, CheckThat 2020 training and the bundled
# regression questions (benchmarks/RESULTS.md), never per data set.
W_COVERAGE, W_SIMILARITY, W_OVERLAP, W_BM25 = 25.0, 50.0, 8.0, 17.0


@dataclass(slots=True)
class Scored:
    """One candidate claim with its scores: lexical (0-100), cosine, the share of the
    question's weight it covers, its overlap with its closest phrasing (0-100), and the
    fused ``score`` it is ranked by (given by ``decision.ranked``, which makes new ones).

    Never changed once made; not frozen, as a frozen dataclass costs five times as much to
    make, on the answering path.
    """

    row: Row
    lexical: float
    cosine: float
    coverage: float
    overlap: float = 0.0
    score: float = 0.0


def score(q: Query, hits: list[Hit], keep: int, t: Thresholds, vocabulary: Vocabulary) -> list[Scored]:
    """The lexical score (0-100) and cosine of each hit; the best ``keep`` scored in full."""
    rows = vocabulary.store.rows([hit.rowid for hit in hits])
    best_bm25 = max((hit.relevance for hit in hits), default=0.0) or 1.0
    # Rank every hit by the cheap parts, then spend the character-level comparisons
    # on the few that could still come first.
    cheap = []
    for hit in hits:
        row = rows[hit.rowid]
        coverage = sum(w for term, w in q.weights.items() if term in row.vocabulary) / q.total
        partial = W_COVERAGE * coverage + W_BM25 * hit.relevance / best_bm25
        estimate = partial / (W_COVERAGE + W_BM25) * 100  # the lexical score, on the cheap parts
        cheap.append((t.fuse(estimate, hit.cosine), estimate, partial, coverage, hit.cosine, row))
    cheap.sort(key=lambda c: c[0], reverse=True)
    if not q.named and t.far_from_all(c[4] for c in cheap[:keep]):
        # Refused whatever the costly parts say (``decide``): nothing like the question. Its
        # candidates, for moderators, keep the cheap parts' estimate and order.
        return [
            Scored(row, round(estimate, 2), cosine, coverage) for _, estimate, _, coverage, cosine, row in cheap[:keep]
        ]
    scored = []
    for _, _, partial, coverage, cosine, row in cheap[:keep]:
        overlap = _overlap(row, q.weights, q.total, vocabulary)
        lexical = partial + W_SIMILARITY * _similarity(row, q.text) / 100 + W_OVERLAP * overlap / 100
        scored.append(Scored(row, round(lexical, 2), cosine, coverage, overlap))
    return scored


def _similarity(row: Row, text: str) -> float:
    """Character-level likeness to the claim's two closest phrasings (0-100)."""
    scores = sorted((fuzz.token_sort_ratio(text, p) + fuzz.token_set_ratio(text, p)) / 2 for p in row.texts)
    return sum(scores[-2:]) / len(scores[-2:])


def _overlap(row: Row, weights: dict[str, float], total: float, vocabulary: Vocabulary) -> float:
    """Weighted Dice overlap of terms with the claim's two closest phrasings (0-100).

    Unlike coverage it also penalises what a phrasing says that the question does not.
    """
    idf, unknown = vocabulary.idf, vocabulary.unknown_idf
    scores = []
    for phrasing_terms in row.term_sets:
        weight = shared = 0.0
        for term in phrasing_terms:  # one loop for both sums: this runs ~30 times a question
            weight += idf.get(term, unknown)
            shared += weights.get(term, 0.0)
        scores.append(200 * shared / (total + weight) if total + weight else 0.0)
    scores.sort()
    return sum(scores[-2:]) / len(scores[-2:])
