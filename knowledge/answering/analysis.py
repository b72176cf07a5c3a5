"""Stage ``analyse``: a question -> ``Query``, what the later stages read from it.

Its terms (typos repaired against the store), their weights, the names it mentions, what it
asks for (a time, a count, a price, a place), what a how-many question counts and per what,
whose words it asks for, the time a yes/no question pins, whether it is about the asker or
the bot, and its embedding when the semantic tier is ready.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledge.answering.semantic import SemanticIndex
from knowledge.answering.vocabulary import Vocabulary
from knowledge.store.language import (
    asks_for,
    counted_words,
    personal,
    pinned_time,
    rate_unit,
    whose_words,
)
from knowledge.store.text import analyse as match_text
from knowledge.store.text import normalize, stem

# A yes/no question: one whose time pin ("Has North Korea tested a bomb this year?") is
# part of what must be true, where in "what's my tax this year?" it only says which one.
_YES_NO = re.compile(r"(?:has|have|had|did|does|do|is|are|was|were|will|would|can|could)\b")


@dataclass(frozen=True)
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

    @property
    def named(self) -> bool:
        """Whether the question names anyone or anything: a name or number, or whose words it asks for."""
        return bool(self.names or self.speaker)


def analyse(question: str, vocabulary: Vocabulary, semantic: SemanticIndex | None = None) -> Query:
    """The question's terms (typos repaired), weights, names, kind, and vector."""
    repair = vocabulary.repair
    named, topic = whose_words(question)
    speaker = tuple(repair(stem(w)) for w in named)
    # "What did X say about Y?" is matched on Y against X's claims: its frame and speaker are
    # not what it is about. With no Y, the whole question is kept, and X's claims all answer.
    about = topic if speaker else ""
    content, text = match_text(about, repair) if about else ([], "")
    if not content:
        about = question
        content, text = match_text(question, repair)
    query_terms = list(dict.fromkeys(content))
    weights = {term: vocabulary.weight(term) for term in query_terms}
    vector = semantic.vector(about) if semantic is not None and query_terms else None
    names = vocabulary.names_in(about, query_terms) if query_terms else []
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
        counted=tuple(repair(stem(w)) for w in counted_words(question)),
        speaker=speaker,
        pinned=pinned_time(question) if _YES_NO.match(normalize(question).lstrip()) else None,
        # "how many shells a day?", not "how much am I taxed each year?": a sum asked for is
        # often given per period only in the question
        rate=rate_unit(question) if counted_words(question) else (),
        personal=personal(question),
        vector=vector,
    )
