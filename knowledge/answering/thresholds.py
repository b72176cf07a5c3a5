"""``Thresholds``: every weight and threshold of the answer decision, lexical and fused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Thresholds:
    """Every weight and threshold of the matcher: when to answer, offer a choice, or refuse.

    Defaults hold across every data set we test. The ``semantic_*`` fields apply once the
    semantic tier is ready, when the score is the fused one (``fuse``); they were fitted by
    ``benchmarks/fit.py`` on visible data only (benchmarks/RESULTS.md).
    """

    answer: float = 60.0
    margin: float = 10.0
    ambiguous: float = 45.0
    # A "Did you mean…" must at least be about what was asked: half its weight covered.
    ambiguous_coverage: float = 0.5
    # The lexical matcher answers a question that names no one and nothing only if it shares
    # this much (0-100, weighted) with the claim's closest phrasing.
    unnamed_overlap: float = 25.0
    # ...and, when it is about the one asking or the one asked ("how many days off have I
    # used?", "thanks for your help") and no text of the claim is, this much.
    personal_overlap: float = 60.0
    # How many claims FTS5 retrieves, how many of them are scored in full (characters
    # and overlap, the costly parts), and how many of the question's terms go to FTS5.
    retrieve: int = 12
    scored_in_full: int = 5
    max_query_terms: int = 16
    # The semantic tier: nearest claims added to the FTS5 hits, the cosine's share of the
    # fused score, and the thresholds on that score.
    neighbours: int = 8
    semantic_weight: float = 0.7
    semantic_answer: float = 50.0
    semantic_margin: float = 4.0
    semantic_ambiguous: float = 40.0
    semantic_ambiguous_coverage: float = 0.3
    # Below this cosine for every candidate the embedding has no opinion: lexical decides.
    semantic_floor: float = 0.3
    # A when/how-many question whose best claim cannot say may be answered by the best
    # candidate that can (issue 12.7); off only to measure what it changes.
    kind_fallback: bool = True
    semantic: bool = field(default=False, compare=False)

    def fuse(self, lexical: float, cosine: float) -> float:
        """The score of a candidate: lexical alone, or blended with 100 x its cosine."""
        if not self.semantic:
            return lexical
        return (1 - self.semantic_weight) * lexical + self.semantic_weight * 100 * cosine

    def far_from_all(self, cosines: Iterable[float]) -> bool:
        """Whether the fused matcher finds nothing like the question: every candidate's cosine
        below ``semantic_floor`` (never with the lexical matcher alone)."""
        return self.semantic and max(cosines) < self.semantic_floor

    def active(self, semantic: bool) -> "Thresholds":
        """These thresholds as the matcher applies them with the semantic tier on or off."""
        if not semantic:
            return self
        return replace(
            self,
            answer=self.semantic_answer,
            margin=self.semantic_margin,
            ambiguous=self.semantic_ambiguous,
            ambiguous_coverage=self.semantic_ambiguous_coverage,
            semantic=True,
        )
