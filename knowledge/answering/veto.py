"""Stage ``veto``: why a candidate must not answer a question, whatever its score.

Each veto names the class of near miss it catches: a name or number the claim never
mentions, one key word swapped for another, whose words were asked for, giver and receiver
the other way round, a time, rate or counted thing the claim does not give. The reason is
the sentence a moderator reads in ``ask --json`` and the event log ("" when none applies).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from knowledge.answering.analysis import Query
from knowledge.answering.places import named_otherwise
from knowledge.answering.scoring import Scored
from knowledge.answering.speakers import speaks
from knowledge.store.database import Row
from knowledge.store.language import roles
from knowledge.store.text import STOPWORDS, is_number, terms

_DEMONYM_ENDINGS = ("n", "an", "ian", "ean", "ese", "i", "ish", "ans", "ians", "eans")


class Objection(NamedTuple):
    """One class of near miss a candidate falls into: its ``kind`` (a feature of the answer
    model, one of ``KINDS``) and the sentence a moderator reads."""

    kind: str
    reason: str


KINDS = ("names", "swapped", "speaker", "reversed", "pinned", "rate", "counted")


def objections(q: Query, s: Scored, proper: frozenset[str], ambiguous_coverage: float) -> Iterator[Objection]:
    """Every class of near miss claim ``s`` falls into as an answer to ``q``, in ``KINDS`` order.

    ``proper`` holds the store's proper nouns (stems), who may give or receive.

    ``ambiguous_coverage`` is the lexical matcher's: below it a claim covers too little of a
    time-pinned yes/no question for the words they share to be what it asks.
    """
    missing = uncovered_names(q, s.row)
    if missing:
        yield Objection("names", f"the best claim does not mention {', '.join(missing)}")
    swapped = _swapped(s.row, q.text, q.terms)
    if swapped:
        yield Objection("swapped", f"the question says {swapped[0]} where the claim says {swapped[1]}")
    if q.speaker and not speaks(q, s.row):
        yield Objection("speaker", f"the best claim is not what {' '.join(q.speaker)} said")
    turned = _reversed(s.row, q, proper)
    if turned:
        yield Objection(
            "reversed", f"the question has {turned[0]} giving to {turned[1]}, the claim the other way round"
        )
    # A yes/no question pinned to a time ("Has North Korea tested a bomb this year?")
    # against a claim that gives no time and covers less than half of the question: the
    # words they share (North Korea, nuclear) are its subject, not what it asks.
    if (
        q.pinned
        and s.coverage < ambiguous_coverage
        and "time" not in s.row.answers
        and not set(terms(q.pinned)) <= s.row.vocabulary
    ):
        yield Objection("pinned", f"the best claim says nothing of {q.pinned}")
    if q.rate and not any(w in s.row.vocabulary for w in q.rate):
        yield Objection("rate", f"the best claim gives no figure per {q.rate[0]}")
    if q.counted and "count" in s.row.answers and not any(w in s.row.vocabulary for w in q.counted):
        yield Objection("counted", f"the best claim does not count {' '.join(q.counted)}")


def veto(q: Query, s: Scored, proper: frozenset[str], ambiguous_coverage: float) -> str:
    """Why claim ``s`` must not answer ``q``: its first objection's reason ("" when none)."""
    first = next(objections(q, s, proper, ambiguous_coverage), None)
    return first.reason if first is not None else ""


def uncovered_names(q: Query, row: Row) -> list[str]:
    """The names and numbers of the question the claim does not mention, in the question's order."""
    return [
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


def _swapped(row: Row, text: str, query_terms: list[str]) -> tuple[str, str] | None:
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


def _reversed(row: Row, q: Query, proper: frozenset[str]) -> tuple[str, str] | None:
    """(giver, receiver) of the question when the claim has them the other way round.

    Embeddings rate "Did Iran get drones from Russia?" close to "Russia turned to Iran
    for drones": the same words, with giver and receiver swapped. Vetoed only when some
    text of the claim contradicts the question and none agrees with it.
    """
    names = proper.union(q.names)
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
