"""Question -> Answer: retrieve with FTS5, repair typos, score, and decide.

The decision is built to refuse rather than guess: a claim is *answered* only when it
scores above a threshold, leads the next claim by a margin, and covers every name and
number the question mentions; close calls become *ambiguous* (a "Did you mean…"),
everything else is *refused*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from knowledge.schema import SourcedClaim
from knowledge.store import Row, Store
from knowledge.text import STOPWORDS, analyse, asks_for, is_number, memoised, stem, visible, words

Status = Literal["answered", "ambiguous", "refused"]


CACHE_SIZE = 100_000


@dataclass(frozen=True)
class Thresholds:
    """When to answer, offer a choice, or refuse. Defaults hold across every data set we test."""

    answer: float = 60.0
    margin: float = 10.0
    ambiguous: float = 45.0
    # A "Did you mean…" must at least be about what was asked: half its weight covered.
    ambiguous_coverage: float = 0.5
    # How many claims FTS5 retrieves, how many of them are scored in full (characters
    # and overlap, the costly parts), and how many of the question's terms go to FTS5.
    retrieve: int = 12
    scored_in_full: int = 5
    max_query_terms: int = 16


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
class _Scored:
    row: Row
    score: float
    coverage: float
    missing: list[str] = field(default_factory=list)


UNKNOWN_WEIGHT = 0.6
# The score's parts, out of 100: how much of the question's weight the claim covers, how
# alike its closest phrasings read, their weighted term overlap, and BM25 relative to the
# best hit. Chosen jointly on CLINC150 validation, CheckThat 2020 training and the bundled
# regression questions (benchmarks/RESULTS.md), never per data set.
W_COVERAGE, W_SIMILARITY, W_OVERLAP, W_BM25 = 25.0, 50.0, 8.0, 17.0
COMMON_FLOOR = 50
COMMON_SHARE = 0.03
COMMON_CAP = 500
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w-]+)")


class Matcher:
    """Scores a question against a Store and decides answered / ambiguous / refused."""

    def __init__(self, store: Store, thresholds: Thresholds | None = None):
        self.store = store
        self.thresholds = thresholds or Thresholds()
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
        t = self.thresholds
        # One pass over the words: the content terms (typos repaired) and the match text.
        content, text = analyse(question, self.repair)
        query_terms = list(dict.fromkeys(content))
        if not query_terms:
            return self._finish(question, [], "refused", "the question has no words to look up", candidates)
        weights = {term: self._weight(term) for term in query_terms}
        known = sorted((q for q in query_terms if q in self.store.df), key=weights.__getitem__, reverse=True)
        hits = self.store.search(self._retrieval_terms(known), max(t.retrieve, candidates))
        if not hits:
            return self._finish(question, [], "refused", "no claim shares a word with the question", candidates)
        rows = self.store.rows([rowid for rowid, _ in hits])
        names = self.names_in(question, query_terms)
        best_bm25 = hits[0][1]
        total = sum(weights.values())
        # Rank every hit by the cheap parts, then spend the character-level comparisons
        # on the few that could still come first.
        cheap = []
        for rowid, relevance in hits:
            row = rows[rowid]
            coverage = sum(w for q, w in weights.items() if q in row.vocabulary) / total
            cheap.append((W_COVERAGE * coverage + W_BM25 * relevance / best_bm25, coverage, row))
        cheap.sort(key=lambda c: c[0], reverse=True)
        scored = []
        for partial, coverage, row in cheap[: max(t.scored_in_full, candidates)]:
            score = (
                partial
                + W_SIMILARITY * self._similarity(row, text) / 100
                + W_OVERLAP * self._overlap(row, weights, total) / 100
            )
            missing = [n for n in names if n not in row.vocabulary and (row.numbers_matter or not is_number(n))]
            scored.append(_Scored(row, round(score, 2), coverage, missing))
        # Python's sort is stable: equal scores stay in BM25 order.
        scored.sort(key=lambda s: s.score, reverse=True)
        top = scored[0]
        margin = top.score - (scored[1].score if len(scored) > 1 else 0.0)
        asked = asks_for(question)
        swapped = self._swapped(top.row, text, query_terms)
        status: Status
        if top.missing:
            status, reason = "refused", f"the best claim does not mention {', '.join(top.missing)}"
        elif swapped:
            status, reason = "refused", f"the question says {swapped[0]} where the claim says {swapped[1]}"
        elif asked and asked not in top.row.answers:
            status, reason = "refused", f"the best claim gives no {asked}"
        elif top.score >= t.answer and margin >= t.margin:
            status, reason = "answered", ""
        elif top.score >= t.ambiguous and top.coverage >= t.ambiguous_coverage:
            status, reason = "ambiguous", "several claims fit" if margin < t.margin else "not sure enough"
        else:
            status, reason = "refused", "no claim fits well enough"
        return self._finish(question, scored, status, reason, candidates)

    def _retrieval_terms(self, known: list[str]) -> list[str]:
        """The rarest of the question's known terms, which are enough to find its claim.

        FTS5 scores every row that matches any term, so a term found in thousands of claims
        costs milliseconds and adds little the rarer terms and the scoring do not: terms in
        more than 3% of the claims (at least 50, at most 500) are left to the scoring.
        The cap trades a little recall on very large stores for a bounded query cost; the
        measured trade-off is in benchmarks/RESULTS.md.
        """
        common = max(COMMON_FLOOR, min(COMMON_SHARE * self.store.size, COMMON_CAP))
        rare = [q for q in known if self.store.df[q] <= common]
        return (rare or known[:2])[: self.thresholds.max_query_terms]

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
        for terms in row.term_sets:
            weight = shared = 0.0
            for term in terms:  # one loop for both sums: this runs ~30 times a question
                weight += idf.get(term, unknown)
                shared += weights.get(term, 0.0)
            scores.append(200 * shared / (total + weight) if total + weight else 0.0)
        scores.sort()
        return sum(scores[-2:]) / len(scores[-2:])

    def _finish(self, question: str, scored: list[_Scored], status: Status, reason: str, keep: int) -> Answer:
        top = scored[:keep]
        claims = {c.id: c for c in self.store.claims([s.row.id for s in top])}
        candidates = tuple(Candidate(claims[s.row.id], round(s.score, 2)) for s in top)
        score = candidates[0].score if candidates else 0.0
        claim = candidates[0].claim if status == "answered" else None
        return Answer(question, status, score, claim, candidates, reason)


def _next_word(text: str, word: str) -> str | None:
    """The content word right after ``word`` in a match text, if no stopword comes between."""
    tokens = text.split()
    if word not in tokens:
        return None
    following = tokens[tokens.index(word) + 1 :][:1]
    return following[0] if following and following[0] not in STOPWORDS else None
