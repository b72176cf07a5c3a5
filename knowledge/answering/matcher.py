"""``Matcher``: a question -> ``Answer``, through the answering stages in order.

analyse (``analysis``) -> retrieve (``retrieval``) -> score (``scoring``) -> decide
(``decision``, which applies ``veto``). Each stage is a function of its input and the
per-load ``Vocabulary``; the matcher holds what one load shares (the store, the thresholds,
the semantic tier once it is ready) and turns the decision into an ``Answer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from knowledge.answering.analysis import Query, analyse
from knowledge.answering.answer import Answer, Candidate, Status
from knowledge.answering.decision import Decision, decide
from knowledge.answering.model import AnswerModel, Models
from knowledge.answering.retrieval import Hit, retrieve
from knowledge.answering.scoring import Scored, score
from knowledge.answering.semantic import SemanticIndex
from knowledge.answering.thresholds import Thresholds
from knowledge.answering.vocabulary import Vocabulary
from knowledge.store.database import Store

NO_WORDS = "the question has no words to look up"
NO_WORD_SHARED = "no claim shares a word with the question"
ONLY_COMMON_WORDS = "the words it shares with the claims are in too many of them"


class Matcher:
    """Scores a question against a Store and decides answered / ambiguous / refused.

    One tuning object, ``Thresholds``, holds every weight and threshold of both the lexical
    and the fused matcher; with ``models`` (the answer models, ``model.shipped()``), they
    decide instead of the rules.
    """

    def __init__(self, store: Store, thresholds: Thresholds | None = None, models: Models | None = None):
        self.store = store
        self.tuning = thresholds or Thresholds()
        self._models = models
        # Set (from another thread) once the embeddings are built; read once per question.
        self.semantic: SemanticIndex | None = None
        self.vocabulary = Vocabulary(store)

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds in force: the fused ones once the semantic tier is ready."""
        return self.tuning.active(self.semantic is not None)

    @property
    def models(self) -> Models | None:
        """The answer models that decide, or None when the rules do."""
        return self._models

    def model(self, t: Thresholds) -> AnswerModel | None:
        """The answer model of the matcher ``t`` is for, or None when the rules decide."""
        return self._models.active(t.semantic) if self._models is not None else None

    @property
    def answer_score(self) -> float:
        """The candidate score at which the matcher in force answers."""
        t = self.thresholds
        model = self.model(t)
        return 100 * model.answer if model is not None else t.answer

    def answer(self, question: str, candidates: int = 5) -> Answer:
        """Answer one question, keeping the best ``candidates`` claims; never raises on any string."""
        semantic = self.semantic  # one snapshot: the tier may become ready mid-question
        q, scored, t = self.candidates(question, semantic, candidates)
        if not scored:
            return self._finish(question, [], "refused", self.none_found(q), candidates)
        decision = self.decide(q, scored, t)
        found = self._finish(question, decision.ranked, decision.status, decision.reason, candidates, decision.also)
        return replace(found, matcher="semantic") if semantic is not None else found

    def candidates(
        self, question: str, semantic: SemanticIndex | None, keep: int = 5
    ) -> tuple[Query, list[Scored], Thresholds]:
        """Stages 1 to 3 as ``answer`` runs them: the query, its scored candidates (the best
        ``keep`` at least scored in full; none when nothing was found) and the thresholds used."""
        t = self.tuning.active(semantic is not None)
        q = self.analyse(question, semantic)
        hits = self.retrieve(q, max(t.retrieve, keep), semantic) if q.terms else []
        return q, self.score(q, hits, max(t.scored_in_full, keep), t) if hits else [], t

    def none_found(self, q: Query) -> str:
        """Why no claim is a candidate for ``q``."""
        if not q.terms:
            return NO_WORDS
        return ONLY_COMMON_WORDS if any(term in self.store.df for term in q.terms) else NO_WORD_SHARED

    # The stages with this load's state, for the benchmarks that run them one at a time.

    def analyse(self, question: str, semantic: SemanticIndex | None = None) -> Query:
        """Stage 1: the question's terms (typos repaired), weights, names, kind, and vector."""
        return analyse(question, self.vocabulary, semantic)

    def retrieve(self, q: Query, limit: int, semantic: SemanticIndex | None = None) -> list[Hit]:
        """Stage 2: candidate claims: FTS5 hits ∪ nearest neighbours."""
        return retrieve(q, self.store, limit, self.tuning, semantic)

    def score(self, q: Query, hits: list[Hit], keep: int, t: Thresholds) -> list[Scored]:
        """Stage 3: lexical score (0-100) and cosine of each hit; the best ``keep`` scored in full."""
        return score(q, hits, keep, t, self.vocabulary)

    def decide(self, q: Query, scored: list[Scored], t: Thresholds) -> Decision:
        """Stage 4: answered / ambiguous / refused (by the rules, vetoes applied, or by the
        answer model), and the candidates best first."""
        return decide(q, scored, t, self.tuning, self.store.proper, self.model(t))

    def _finish(
        self, question: str, scored: list[Scored], status: Status, reason: str, keep: int, also: Sequence[Scored] = ()
    ) -> Answer:
        top = scored[:keep]
        claims = {c.id: c for c in self.store.claims([s.row.id for s in [*top, *also]])}
        candidates = tuple(Candidate(claims[s.row.id], round(s.score, 2)) for s in top)
        score = candidates[0].score if candidates else 0.0
        claim = candidates[0].claim if status == "answered" else None
        further = tuple(claims[s.row.id] for s in also) if claim is not None else ()
        return Answer(question, status, score, claim, candidates, reason, also=further)
