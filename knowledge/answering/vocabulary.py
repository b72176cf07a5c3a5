"""``Vocabulary``: what answering reads from one loaded store, built once per load.

The store's terms by first letter and length (for typo repair), each term's idf (for the
weights of a question's terms) and the store's names. Every stage reads it; none changes it.
"""

from __future__ import annotations

import re

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.store.database import Store
from knowledge.store.text import STOPWORDS, is_number, memoised, stem, visible, words

CACHE_SIZE = 100_000
UNKNOWN_WEIGHT = 0.6
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w-]+)")


class Vocabulary:
    """The store's terms, their weights and their spellings, for the answering stages."""

    def __init__(self, store: Store):
        self.store = store
        # Typo candidates by first letter and length: typos rarely touch the first letter,
        # and real words one letter apart usually do ("host"/"cost", "might"/"fight").
        spellings: dict[tuple[str, int], list[str]] = {}
        for term in store.df:
            if not is_number(term):
                spellings.setdefault((term[0], len(term)), []).append(term)
        self._spellings = spellings
        self.idf = {term: store.idf(term) for term in store.df}
        self.unknown_idf = store.idf("")
        # Plain dicts, not lru_caches of bound methods: those would tie the matcher into a
        # reference cycle, and a reloaded store's matcher must be freed by reference counting
        # alone (KnowledgeBase.load freezes long-lived objects out of the cyclic GC).
        self._repaired: dict[str, str] = {}

    def repair(self, term: str) -> str:
        """The store's own term nearest to an unknown ``term`` (a typo), or ``term`` itself."""
        return memoised(self._repaired, term, self._repair, CACHE_SIZE)

    def _repair(self, term: str) -> str:
        df = self.store.df
        if term in df or is_number(term) or len(term) < 5:
            return term
        # Snowball leaves some families apart ("failur"/"fail"): a known stem that starts
        # the unknown one and is most of it is the same word.
        for cut in range(1, 4):
            if len(term) - cut >= 4 and term[:-cut] in df:
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
                key = (found[1], -df[found[0]], found[0])
                best = key if best is None or key < best else best
        return best[2] if best else term

    def weight(self, term: str) -> float:
        """A question term's weight: its idf in the store.

        A word the store has never seen counts against coverage, but at 60% of the weight
        of a word in no claim, so that one stray word does not sink a clear match.
        """
        return self.idf.get(term) or self.unknown_idf * UNKNOWN_WEIGHT

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
