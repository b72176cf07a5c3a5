"""Stage ``retrieve``: a ``Query`` -> the candidate claims as ``Hit``s.

FTS5 (BM25) over the rarest of the question's known terms, and, when the semantic tier is
ready, the claims nearest the question's embedding, each hit with both its BM25 relevance
and its cosine. A question asking what someone said gets that speaker's claims instead,
when the store has any.
"""

from __future__ import annotations

from typing import NamedTuple

from knowledge.answering.analysis import Query
from knowledge.answering.semantic import SemanticIndex
from knowledge.answering.thresholds import Thresholds
from knowledge.store.database import Store

COMMON_FLOOR = 50
COMMON_SHARE = 0.03
COMMON_CAP = 500
EVERYWHERE = 10  # a term in more than this many times the common cut is never looked up
SPEAKER_POOL = 50  # of a named speaker's claims, the most considered


class Hit(NamedTuple):
    """A retrieved claim: its store rowid, BM25 relevance (0 when only the embedding found
    it) and cosine to the question (0 without the semantic tier).

    A named tuple: a question retrieves up to twenty, and a frozen dataclass costs five
    times as much to make (a tenth of a lexical answer's time in all).
    """

    rowid: int
    relevance: float
    cosine: float


def retrieve(q: Query, store: Store, limit: int, t: Thresholds, semantic: SemanticIndex | None = None) -> list[Hit]:
    """Candidate claims: FTS5 hits ∪ nearest neighbours, FTS5's first, in retrieval order."""
    known = sorted((term for term in q.terms if term in store.df), key=q.weights.__getitem__, reverse=True)
    said = store.said_by(q.speaker, SPEAKER_POOL) if q.speaker else []
    if said:
        return _theirs(q, store, known, said, semantic)
    hits = store.search(retrieval_terms(store, known, t.max_query_terms), limit) if known else []
    if semantic is None or q.vector is None:
        return [Hit(rowid, relevance, 0.0) for rowid, relevance in hits]
    near = semantic.nearest(q.vector, t.neighbours)
    found = dict(near)
    extra = [rowid for rowid, _ in hits if rowid not in found]
    found.update(semantic.cosines(q.vector, extra))
    relevance = dict(hits)
    rowids = list(dict.fromkeys([*(r for r, _ in hits), *(r for r, _ in near)]))
    return [Hit(rowid, relevance.get(rowid, 0.0), found[rowid]) for rowid in rowids]


def _theirs(q: Query, store: Store, known: list[str], said: list[int], semantic: SemanticIndex | None) -> list[Hit]:
    """The claims of the speaker ``q`` names, and only those: no one else's words answer
    "what did X say?". FTS5's relevance among them first, then the rest in store order."""
    hits = store.search(known, len(said), within=said) if known else []
    found = {rowid for rowid, _ in hits}
    pool = [*hits, *((rowid, 0.0) for rowid in said if rowid not in found)]
    cosines = dict(semantic.cosines(q.vector, said)) if semantic is not None and q.vector is not None else {}
    return [Hit(rowid, relevance, cosines.get(rowid, 0.0)) for rowid, relevance in pool]


def retrieval_terms(store: Store, known: list[str], max_terms: int) -> list[str]:
    """The rarest of the question's known terms, which are enough to find its claim.

    FTS5 scores every row that matches any term, so a term found in thousands of claims
    costs milliseconds and adds little the rarer terms and the scoring do not: terms in
    more than 3% of the claims (at least 50, at most 500) are left to the scoring, and
    terms in ten times as many are not looked up even when the question has nothing else.
    At 100k claims a cap of 500 rather than 1,000 took p50 from 1.8 to 1.4 ms and the
    synthetic answered_correct from 0.70 to 0.67 (benchmarks/RESULTS.md).
    """
    common = max(COMMON_FLOOR, min(COMMON_SHARE * store.size, COMMON_CAP))
    rare = [q for q in known if store.df[q] <= common]
    if rare:
        return rare[:max_terms]
    # Only common terms: the two rarest, unless even they are everywhere. At 100k claims,
    # "i need new language" scored every claim with "new" (70 ms) to find nothing.
    return [q for q in known[:2] if store.df[q] <= EVERYWHERE * common]
