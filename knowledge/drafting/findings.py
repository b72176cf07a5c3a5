"""What the attribution rules find, and what the drafter hands on to be written as claims.

A ``Finding`` is one attributed piece of a paragraph: its words (as character offsets into
the paragraph), who says it, through what, and how the rule found it. ``Drafter.run``
(``knowledge.drafting.attribution``) returns the article as ``Passage``s in text order: each
a finding, or a sentence of the outlet's own (no finding) to be drafted as the outlet's.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.drafting.reading import Paragraph
from knowledge.drafting.speakers import Speaker


@dataclass
class Finding:
    """Something the article attributes to a speaker; offsets are into its paragraph."""

    content: tuple[int, int]  # paragraph-relative characters
    speaker: Speaker
    via: str | None
    quote: str | None
    kind: str  # "quote", "indirect", "according", "stance"
    footprint: tuple[int, int] | None = None  # the whole attribution, cue and speaker included
    cut: tuple[int, int] | None = None  # "according to X" inside the content, left out of the statement
    append: str = ""  # the antecedent a relative clause leaves out
    statement: str | None = None  # when the words are not a sentence: "Pepper called the decision a …"


@dataclass(frozen=True)
class Passage:
    """One piece of the article in text order: a ``finding``, or None for the outlet's own
    sentence; the ``paragraph`` it is in, that paragraph's ``index``, and the ``unit`` (the
    sentence, or sentences joined by a quotation, as paragraph offsets) it was found in."""

    finding: Finding | None
    paragraph: Paragraph
    index: int
    unit: tuple[int, int]
