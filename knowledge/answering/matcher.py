"""Question -> Answer: retrieve with FTS5, repair typos, score, and decide.

The decision is built to refuse rather than guess: a claim is *answered* only when it
scores above a threshold, leads the next claim by a margin, and covers every name and
number the question mentions; close calls become *ambiguous* (a "Did you mean…"),
everything else is *refused*.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from knowledge.answering.places import named_otherwise
from knowledge.answering.semantic import SemanticIndex
from knowledge.store.database import Row, Store
from knowledge.store.schema import SourcedClaim
from knowledge.store.text import (
    STOPWORDS,
    analyse,
    asked_speaker,
    asks_for,
    counted_words,
    is_number,
    memoised,
    normalize,
    personal,
    pinned_time,
    rate_unit,
    roles,
    stem,
    terms,
    visible,
    words,
)

Status = Literal["answered", "ambiguous", "refused"]


CACHE_SIZE = 100_000
# Why a question sharing only a coincidental word or two with the claims is refused.
NOTHING_LIKE = "nothing like the question"
ABOUT_YOU = "the question is about you or me, and the best claim is not"


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


@dataclass(frozen=True)
class Candidate:
    """A claim the matcher considered, with its score from 0 to 100."""

    claim: SourcedClaim
    score: float


@dataclass(frozen=True)
class Answer:
    """The outcome of one question. ``claim`` is set only when ``status`` is answered."""

    question: str
    status: Status
    score: float
    claim: SourcedClaim | None
    candidates: tuple[Candidate, ...]
    reason: str = ""
    # "semantic" when the fused (lexical + embedding) matcher decided, else "lexical".
    matcher: str = "lexical"

    @property
    def options(self) -> tuple[Candidate, ...]:
        """The claims to offer as "Did you mean…" buttons (at most three)."""
        return self.candidates[:3] if self.status == "ambiguous" else ()

    def to_dict(self) -> dict[str, Any]:
        """The `groundbot ask --json` object: a contract, extend it but never rename a field."""
        return {
            "question": self.question,
            "status": self.status,
            "score": round(self.score, 1),
            "claim": claim_dict(self.claim) if self.claim else None,
            "candidates": [
                {"id": c.claim.id, "score": round(c.score, 1), "statement": c.claim.statement} for c in self.candidates
            ],
            "reason": self.reason,
            "matcher": self.matcher,
        }


def claim_dict(claim: SourcedClaim) -> dict[str, Any]:
    """A claim with its source, as JSON-ready data."""
    source = claim.source
    return {
        "id": claim.id,
        "statement": claim.statement,
        "attributed_to": claim.attributed_to,
        "via": claim.via,
        "quote": claim.quote,
        "said_on": claim.said_on,
        "source": {
            "id": source.id,
            "title": source.title,
            "outlet": source.outlet,
            "url": source.url,
            "published": source.published.isoformat() if source.published else None,
        },
    }


@dataclass
class Query:
    """What the matcher reads from a question (stage ``analyse``)."""

    question: str
    text: str
    terms: list[str]
    weights: dict[str, float]
    total: float
    names: list[str]
    asked: str | None
    counted: tuple[str, ...]  # what a how-many question counts (stemmed; empty if not one)
    speaker: tuple[str, ...]  # whose words a "What did X say?" question asks for (stemmed)
    pinned: str | None = None  # the time the question pins ("this year"), as written
    rate: tuple[str, ...] = ()  # the unit a how-many question counts per ("day"), stemmed
    personal: bool = False  # about the one asking or the one asked ("my income", "your help")
    vector: Any = None  # the question's embedding, when the semantic tier is ready


@dataclass
class Scored:
    """One candidate claim with its scores (stage ``score``) and veto (stage ``veto``)."""

    row: Row
    lexical: float
    cosine: float
    coverage: float
    missing: list[str] = field(default_factory=list)
    overlap: float = 0.0  # weighted term overlap with its closest phrasing, 0-100
    score: float = 0.0
    veto: str | None = None


UNKNOWN_WEIGHT = 0.6
# The score's parts, out of 100: how much of the question's weight the claim covers, how
# alike its closest phrasings read, their weighted term overlap, and BM25 relative to the
# best hit. Chosen jointly on CLINC150 validation, CheckThat 2020 training and the bundled
# regression questions (benchmarks/RESULTS.md), never per data set.
W_COVERAGE, W_SIMILARITY, W_OVERLAP, W_BM25 = 25.0, 50.0, 8.0, 17.0
COMMON_FLOOR = 50
COMMON_SHARE = 0.03
COMMON_CAP = 500
EVERYWHERE = 10  # a term in more than this many times the common cut is never looked up
NO_WORD_SHARED = "no claim shares a word with the question"
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w-]+)")


class Matcher:
    """Scores a question against a Store and decides answered / ambiguous / refused.

    A pipeline of named stages: ``analyse`` (terms, names, what is asked, the question's
    vector) -> ``retrieve`` (FTS5 hits, and the nearest claims by embedding when the semantic
    tier is ready) -> ``score`` (lexical features, fused with the cosine to the claim's
    centroid) -> ``veto`` (uncovered names and numbers, a swapped key word, a swapped
    direction, a count of something else) -> ``decide``. One tuning object, ``Thresholds``,
    holds every weight and threshold of both the lexical and the fused matcher.
    """

    def __init__(self, store: Store, thresholds: Thresholds | None = None):
        self.store = store
        self.tuning = thresholds or Thresholds()
        # Set (from another thread) once the embeddings are built; read once per question.
        self.semantic: SemanticIndex | None = None
        # Typo candidates by first letter and length: typos rarely touch the first letter,
        # and real words one letter apart usually do ("host"/"cost", "might"/"fight").
        spellings: dict[tuple[str, int], list[str]] = {}
        for term in store.df:
            if not is_number(term):
                spellings.setdefault((term[0], len(term)), []).append(term)
        self._spellings = spellings
        self._idf = {term: store.idf(term) for term in store.df}
        self._unknown_idf = store.idf("")
        # Plain dicts, not lru_caches of bound methods: those would tie the matcher into a
        # reference cycle, and a reloaded store's matcher must be freed by reference counting
        # alone (KnowledgeBase.load freezes long-lived objects out of the cyclic GC).
        self._repaired: dict[str, str] = {}

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds in force: the fused ones once the semantic tier is ready."""
        return self.tuning.active(self.semantic is not None)

    def repair(self, term: str) -> str:
        """The store's own term nearest to an unknown ``term`` (a typo), or ``term`` itself."""
        return memoised(self._repaired, term, self._repair, CACHE_SIZE)

    def _repair(self, term: str) -> str:
        if term in self.store.df or is_number(term) or len(term) < 5:
            return term
        # Snowball leaves some families apart ("failur"/"fail"): a known stem that starts
        # the unknown one and is most of it is the same word.
        for cut in range(1, 4):
            if len(term) - cut >= 4 and term[:-cut] in self.store.df:
                return term[:-cut]
        # Short words only trade a letter ("shel"/"shell" is a word apart, not a typo);
        # longer ones may also drop or add one, and the longest two.
        limit = 1 if len(term) < 9 else 2
        spread = 0 if len(term) < 7 else limit
        best: tuple[int, int, str] | None = None
        for length in range(len(term) - spread, len(term) + spread + 1):
            choices = self._spellings.get((term[0], length))
            if not choices:
                continue
            found = process.extractOne(term, choices, scorer=OSA.distance, score_cutoff=limit)
            if found:
                key = (found[1], -self.store.df[found[0]], found[0])
                best = key if best is None or key < best else best
        return best[2] if best else term

    def names_in(self, question: str, query_terms: list[str]) -> list[str]:
        """Terms the question names: the store's proper nouns, numbers, and capitalised unknowns."""
        names = [t for t in query_terms if t in self.store.proper or is_number(t)]
        # A word the question capitalises mid-sentence is a name unless the store writes
        # it in lower case: "Iranian" must be covered even if only a phrasing mentions it.
        for word in _CAPITALISED.findall(visible(question).strip()):
            for w in words(word):
                term = self.repair(stem(w))
                if term not in self.store.lowercase_stems and w not in STOPWORDS and term not in names:
                    names.append(term)
        return names

    def answer(self, question: str, candidates: int = 5) -> Answer:
        """Answer one question, keeping the best ``candidates`` claims; never raises on any string."""
        semantic = self.semantic  # one snapshot: the tier may become ready mid-question
        t = self.tuning.active(semantic is not None)
        q = self.analyse(question, semantic)
        if not q.terms:
            return self._finish(question, [], "refused", "the question has no words to look up", candidates)
        hits = self.retrieve(q, max(t.retrieve, candidates), semantic)
        if not hits:
            shared = any(term in self.store.df for term in q.terms)
            reason = "the words it shares with the claims are in too many of them" if shared else NO_WORD_SHARED
            return self._finish(question, [], "refused", reason, candidates)
        scored = self.score(q, hits, max(t.scored_in_full, candidates), t)
        status, reason, ranked = self.decide(q, scored, t)
        found = self._finish(question, ranked, status, reason, candidates)
        return replace(found, matcher="semantic") if semantic is not None else found

    # ------------------------------------------------------------------ stages

    def analyse(self, question: str, semantic: SemanticIndex | None = None) -> Query:
        """Stage 1: the question's terms (typos repaired), weights, names, kind, and vector."""
        content, text = analyse(question, self.repair)
        query_terms = list(dict.fromkeys(content))
        weights = {term: self._weight(term) for term in query_terms}
        vector = semantic.vector(question) if semantic is not None and query_terms else None
        names = self.names_in(question, query_terms) if query_terms else []
        asked = asks_for(question)
        if asked == "place" and not names:
            # "Where did Putin and Kim meet?" asks where a reported thing happened; "where
            # were you made?", naming no one, is small talk, left to the scoring.
            asked = None
        return Query(
            question=question,
            text=text,
            terms=query_terms,
            weights=weights,
            total=sum(weights.values()),
            names=names,
            asked=asked,
            counted=tuple(self.repair(stem(w)) for w in counted_words(question)),
            speaker=tuple(self.repair(stem(w)) for w in asked_speaker(question)),
            pinned=pinned_time(question) if _YES_NO.match(normalize(question).lstrip()) else None,
            # "how many shells a day?", not "how much am I taxed each year?": a sum asked for is
            # often given per period only in the question
            rate=rate_unit(question) if counted_words(question) else (),
            personal=personal(question),
            vector=vector,
        )

    def retrieve(self, q: Query, limit: int, semantic: SemanticIndex | None = None) -> list[tuple[int, float, float]]:
        """Stage 2: candidate claims (rowid, BM25 relevance, cosine): FTS5 hits ∪ nearest neighbours."""
        known = sorted((term for term in q.terms if term in self.store.df), key=q.weights.__getitem__, reverse=True)
        hits = self.store.search(self._retrieval_terms(known), limit) if known else []
        if semantic is None or q.vector is None:
            return [(rowid, relevance, 0.0) for rowid, relevance in hits]
        near = semantic.nearest(q.vector, self.tuning.neighbours)
        found = dict(near)
        extra = [rowid for rowid, _ in hits if rowid not in found]
        found.update(semantic.cosines(q.vector, extra))
        relevance = dict(hits)
        rowids = list(dict.fromkeys([*(r for r, _ in hits), *(r for r, _ in near)]))
        return [(rowid, relevance.get(rowid, 0.0), found[rowid]) for rowid in rowids]

    def score(self, q: Query, hits: list[tuple[int, float, float]], keep: int, t: Thresholds) -> list[Scored]:
        """Stage 3: lexical score (0-100) and cosine of each hit; the best ``keep`` scored in full."""
        rows = self.store.rows([rowid for rowid, _, _ in hits])
        best_bm25 = max((relevance for _, relevance, _ in hits), default=0.0) or 1.0
        # Rank every hit by the cheap parts, then spend the character-level comparisons
        # on the few that could still come first.
        cheap = []
        for rowid, relevance, cosine in hits:
            row = rows[rowid]
            coverage = sum(w for term, w in q.weights.items() if term in row.vocabulary) / q.total
            partial = W_COVERAGE * coverage + W_BM25 * relevance / best_bm25
            estimate = partial / (W_COVERAGE + W_BM25) * 100  # the lexical score, on the cheap parts
            cheap.append((t.fuse(estimate, cosine), estimate, partial, coverage, cosine, row))
        cheap.sort(key=lambda c: c[0], reverse=True)
        if not q.names and t.far_from_all(c[4] for c in cheap[:keep]):
            # Refused whatever the costly parts say (``decide``): nothing like the question. Its
            # candidates, for moderators, keep the cheap parts' estimate and order.
            return [
                Scored(row, round(estimate, 2), cosine, coverage)
                for _, estimate, _, coverage, cosine, row in cheap[:keep]
            ]
        scored = []
        for _, _, partial, coverage, cosine, row in cheap[:keep]:
            overlap = self._overlap(row, q.weights, q.total)
            lexical = partial + W_SIMILARITY * self._similarity(row, q.text) / 100 + W_OVERLAP * overlap / 100
            missing = [
                n
                for n in q.names
                if n not in row.vocabulary
                and (row.numbers_matter or not is_number(n))
                and not _demonym_of(n, row.vocabulary)
                and not _place_of_demonym_in(n, row.vocabulary)
                and not _acronym_in(n, row)
                # A country that only speaks in the claim ("according to Kyiv") is not
                # what it is about: "Ukraine" in the question is not covered by it.
                and not named_otherwise(n, q.terms, row.vocabulary - row.speakers)
            ]
            scored.append(Scored(row, round(lexical, 2), cosine, coverage, missing, overlap))
        return scored

    def veto(self, q: Query, s: Scored) -> str:
        """Stage 4: why claim ``s`` must not answer ``q`` whatever its score ("" when none)."""
        if s.veto is None:
            s.veto = self._veto(q, s)
        return s.veto

    def _veto(self, q: Query, s: Scored) -> str:
        if s.missing:
            return f"the best claim does not mention {', '.join(s.missing)}"
        swapped = self._swapped(s.row, q.text, q.terms)
        if swapped:
            return f"the question says {swapped[0]} where the claim says {swapped[1]}"
        if q.speaker and not any(w in s.row.speakers for w in q.speaker):
            return f"the best claim is not what {' '.join(q.speaker)} said"
        turned = self._reversed(s.row, q)
        if turned:
            return f"the question has {turned[0]} giving to {turned[1]}, the claim the other way round"
        # A yes/no question pinned to a time ("Has North Korea tested a bomb this year?")
        # against a claim that gives no time and covers less than half of the question: the
        # words they share (North Korea, nuclear) are its subject, not what it asks.
        if (
            q.pinned
            and s.coverage < self.tuning.ambiguous_coverage
            and "time" not in s.row.answers
            and not set(terms(q.pinned)) <= s.row.vocabulary
        ):
            return f"the best claim says nothing of {q.pinned}"
        if q.rate and not any(w in s.row.vocabulary for w in q.rate):
            return f"the best claim gives no figure per {q.rate[0]}"
        if q.counted and "count" in s.row.answers and not any(w in s.row.vocabulary for w in q.counted):
            return f"the best claim does not count {' '.join(q.counted)}"
        return ""

    @staticmethod
    def _supplies(q: Query, s: Scored) -> bool:
        """Whether a claim unmistakably gives what ``q`` asks for: a date for "when", a count
        of the very thing counted for "how many"."""
        if q.asked == "time":
            return "date" in s.row.answers
        return q.asked == "count" and "count" in s.row.answers and any(w in s.row.vocabulary for w in q.counted)

    def decide(self, q: Query, scored: list[Scored], t: Thresholds) -> tuple[Status, str, list[Scored]]:
        """Stage 5: answered / ambiguous / refused, and the candidates best first."""
        if t.far_from_all(s.cosine for s in scored):
            # The embedding finds nothing like the question. With a name to hold on to ("why does
            # Michel say we must remain careful?" is far from every claim) it has no opinion, and
            # the lexical matcher decides; without one ("thanks for your help", "how many days
            # have I used") the words the question shares with a claim are a coincidence.
            if q.names:
                t = self.tuning
            else:
                return "refused", NOTHING_LIKE, self._ranked(scored, t)
        ranked = self._ranked(scored, t)
        top = ranked[0]
        margin = top.score - (ranked[1].score if len(ranked) > 1 else 0.0)
        vetoed = self.veto(q, top)
        if vetoed:
            return "refused", vetoed, ranked
        if not t.semantic and not q.names and top.overlap < t.unnamed_overlap:
            # Naming no one, and sharing a word or two with a longer phrasing ("what's the
            # time" against "How many times did North Korea fail to put a satellite into orbit?").
            return "refused", NOTHING_LIKE, ranked
        if not t.semantic and not q.names and q.personal and not top.row.personal and top.overlap < t.personal_overlap:
            # A question about the asker's own things, or about the bot, against a claim about the
            # world: "how many days off have I used?" is not "How many shells does Russia use a day?".
            return "refused", ABOUT_YOU, ranked
        if q.asked and q.asked not in top.row.answers:
            # The best claim cannot say when or how many: the best one that can may answer,
            # if it would have answered on its own merits against the others that can.
            able = [s for s in ranked if self._supplies(q, s)] if t.kind_fallback else []
            if (
                able
                and able[0].score >= t.answer
                and able[0].score - (able[1].score if len(able) > 1 else 0.0) >= t.margin
                and not self.veto(q, able[0])
            ):
                return "answered", "", [able[0], *(s for s in ranked if s is not able[0])]
            return "refused", f"the best claim gives no {q.asked}", ranked
        if top.score >= t.answer and margin >= t.margin:
            return "answered", "", ranked
        if top.score >= t.ambiguous and top.coverage >= t.ambiguous_coverage:
            return "ambiguous", "several claims fit" if margin < t.margin else "not sure enough", ranked
        return "refused", "no claim fits well enough", ranked

    @staticmethod
    def _ranked(scored: list[Scored], t: Thresholds) -> list[Scored]:
        for s in scored:
            s.score = round(t.fuse(s.lexical, s.cosine), 2)
        # Python's sort is stable: equal scores stay in retrieval order.
        return sorted(scored, key=lambda s: s.score, reverse=True)

    def _retrieval_terms(self, known: list[str]) -> list[str]:
        """The rarest of the question's known terms, which are enough to find its claim.

        FTS5 scores every row that matches any term, so a term found in thousands of claims
        costs milliseconds and adds little the rarer terms and the scoring do not: terms in
        more than 3% of the claims (at least 50, at most 500) are left to the scoring, and
        terms in ten times as many are not looked up even when the question has nothing else.
        At 100k claims a cap of 500 rather than 1,000 took p50 from 1.8 to 1.4 ms and the
        synthetic answered_correct from 0.70 to 0.67 (benchmarks/RESULTS.md).
        """
        common = max(COMMON_FLOOR, min(COMMON_SHARE * self.store.size, COMMON_CAP))
        rare = [q for q in known if self.store.df[q] <= common]
        if rare:
            return rare[: self.thresholds.max_query_terms]
        # Only common terms: the two rarest, unless even they are everywhere. At 100k claims,
        # "i need new language" scored every claim with "new" (70 ms) to find nothing.
        return [q for q in known[:2] if self.store.df[q] <= EVERYWHERE * common]

    def _weight(self, term: str) -> float:
        # A word the store has never seen counts against coverage, but at 60% of the weight
        # of a word in no claim, so that one stray word does not sink a clear match.
        return self._idf.get(term) or self._unknown_idf * UNKNOWN_WEIGHT

    def _swapped(self, row: Row, text: str, query_terms: list[str]) -> tuple[str, str] | None:
        """The one word a question changed in a copy of one of the claim's phrasings.

        "Will petrol prices go down?" is "Will electricity prices go down?" with its
        subject swapped: a near miss, not a paraphrase. It counts only when the swapped
        word is a key word of the claim (one the statement and the phrasings share, so the
        varying parts of phrasings, "say hotel in finnish", do not), the new word is one
        the claim never uses, and both qualify the same next word, as the first word of an
        English compound names the kind of thing ("petrol prices", "oil storage"). A head
        word swapped after the same qualifier ("decisive edge" for "decisive advantage")
        is more often a synonym, and is left to the scoring.
        """
        if len(row.texts) < 2 or all(q in row.vocabulary for q in query_terms):
            return None
        phrasings = row.texts[1:]
        sequences = [[w for w in p.split() if w not in STOPWORDS] for p in phrasings]
        key_words = row.term_sets[0] & frozenset().union(*row.term_sets[1:])
        for phrasing, sequence in zip(phrasings, sequences):
            ops = Levenshtein.editops(query_terms, sequence)
            if len(ops) == 1 and ops[0].tag == "replace":
                ours, theirs = query_terms[ops[0].src_pos], sequence[ops[0].dest_pos]
                qualified = _next_word(text, ours)
                if (
                    ours not in row.vocabulary
                    and theirs in key_words
                    and qualified is not None
                    and qualified == _next_word(phrasing, theirs)
                ):
                    return ours, theirs
        return None

    def _reversed(self, row: Row, q: Query) -> tuple[str, str] | None:
        """(giver, receiver) of the question when the claim has them the other way round.

        Embeddings rate "Did Iran get drones from Russia?" close to "Russia turned to Iran
        for drones": the same words, with giver and receiver swapped. Vetoed only when some
        text of the claim contradicts the question and none agrees with it.
        """
        names = self.store.proper.union(q.names)
        giver, receiver = roles(q.text, names)
        if giver is None and receiver is None:
            return None
        contradicts = agrees = False
        for phrasing in row.texts:
            g, r = roles(phrasing, names)
            if (g and g == receiver) or (r and r == giver):
                contradicts = True
            elif (g and g == giver) or (r and r == receiver):
                agrees = True
        return (giver or "?", receiver or "?") if contradicts and not agrees else None

    @staticmethod
    def _similarity(row: Row, text: str) -> float:
        """Character-level likeness to the claim's two closest phrasings (0-100)."""
        scores = sorted((fuzz.token_sort_ratio(text, p) + fuzz.token_set_ratio(text, p)) / 2 for p in row.texts)
        return sum(scores[-2:]) / len(scores[-2:])

    def _overlap(self, row: Row, weights: dict[str, float], total: float) -> float:
        """Weighted Dice overlap of terms with the claim's two closest phrasings (0-100).

        Unlike coverage it also penalises what a phrasing says that the question does not.
        """
        idf, unknown = self._idf, self._unknown_idf
        scores = []
        for phrasing_terms in row.term_sets:
            weight = shared = 0.0
            for term in phrasing_terms:  # one loop for both sums: this runs ~30 times a question
                weight += idf.get(term, unknown)
                shared += weights.get(term, 0.0)
            scores.append(200 * shared / (total + weight) if total + weight else 0.0)
        scores.sort()
        return sum(scores[-2:]) / len(scores[-2:])

    def _finish(self, question: str, scored: list[Scored], status: Status, reason: str, keep: int) -> Answer:
        top = scored[:keep]
        claims = {c.id: c for c in self.store.claims([s.row.id for s in top])}
        candidates = tuple(Candidate(claims[s.row.id], round(s.score, 2)) for s in top)
        score = candidates[0].score if candidates else 0.0
        claim = candidates[0].claim if status == "answered" else None
        return Answer(question, status, score, claim, candidates, reason)


# A yes/no question: one whose time pin ("Has North Korea tested a bomb this year?") is
# part of what must be true, where in "what's my tax this year?" it only says which one.
_YES_NO = re.compile(r"(?:has|have|had|did|does|do|is|are|was|were|will|would|can|could)\b")

_DEMONYM_ENDINGS = ("n", "an", "ian", "ean", "ese", "i", "ish", "ans", "ians", "eans")


def _demonym_of(name: str, vocabulary: frozenset[str]) -> bool:
    """Whether ``name`` is a people's or language's name for a place the claim names
    ("korean" for "korea", "ukrainian" for "ukrain", "iranian" for "iran")."""
    for ending in _DEMONYM_ENDINGS:
        if name.endswith(ending) and len(name) - len(ending) >= 4:
            base = name[: -len(ending)]
            if base in vocabulary or base + "e" in vocabulary or base + "a" in vocabulary:
                return True
    return False


def _place_of_demonym_in(name: str, vocabulary: frozenset[str]) -> bool:
    """Whether ``name`` is a place whose people's name the claim uses ("russia" for
    "russian", "korea" for "korean", "ukrain" for "ukrainian"): a claim about the Russian
    army is about Russia."""
    if len(name) < 4 or not name.isalpha():
        return False
    bases = {name, name[:-1]} if name.endswith(("a", "e")) else {name}
    return any(base + ending in vocabulary for base in bases for ending in _DEMONYM_ENDINGS if len(ending) > 1)


def _acronym_in(name: str, row: Row) -> bool:
    """Whether ``name`` ("us", "uk") is the initials of words the claim's statement has in a
    row ("united states", "united kingdom")."""
    if not 2 <= len(name) <= 4 or not name.isalpha():
        return False
    tokens = [t for t in row.texts[0].split() if t not in STOPWORDS]
    n = len(name)
    return any("".join(t[0] for t in tokens[i : i + n]) == name for i in range(len(tokens) - n + 1))


def _next_word(text: str, word: str) -> str | None:
    """The content word right after ``word`` in a match text, if no stopword comes between."""
    tokens = text.split()
    if word not in tokens:
        return None
    following = tokens[tokens.index(word) + 1 :][:1]
    return following[0] if following and following[0] not in STOPWORDS else None
