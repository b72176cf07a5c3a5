"""Writing the draft: the drafted claims, their slug ids, and the knowledge file a moderator
reviews (``render_yaml``), with a one-line-per-claim ``summary`` for a chat reply.

``Drafted.to_json`` is the `groundbot draft --json` contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

# --- results -----------------------------------------------------------------------------


@dataclass
class Drafted:
    """One drafted claim; offsets are into the text given to ``draft_claims``."""

    statement: str
    attributed_to: str
    via: str | None
    quote: str | None
    span: tuple[int, int]
    speaker_span: tuple[int, int] | None
    sentence: str
    flags: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    id: str = ""

    def to_json(self) -> dict[str, Any]:
        """The `groundbot draft --json` contract: exactly these keys."""
        return {
            "statement": self.statement,
            "attributed_to": self.attributed_to,
            "via": self.via,
            "quote": self.quote,
            "span": list(self.span),
            "speaker_span": list(self.speaker_span) if self.speaker_span else None,
            "sentence": self.sentence,
            "flags": list(self.flags),
            "questions": list(self.questions),
        }


# --- the knowledge file ----------------------------------------------------------------------


@dataclass
class Draft:
    """A drafted knowledge file: its source block and claims, plus notes for the reviewer."""

    source: dict[str, Any]
    claims: list[Drafted]
    notes: list[str] = field(default_factory=list)


# Words a slug id leaves out.
_SLUG_SKIP = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "for",
    "and",
    "or",
    "with",
    "that",
    "this",
    "is",
    "are",
    "be",
    "has",
    "have",
    "had",
    "it",
    "its",
    "by",
    "as",
    "at",
    "from",
    "was",
    "were",
    "will",
    "would",
    "could",
    "may",
    "might",
    "there",
    "their",
    "which",
    "who",
    "according",
    "cited",
    "not",
    "but",
}


def unique_slug(words: Iterable[str], taken: set[str]) -> str:
    """An id from the first six telling ``words``, not in ``taken`` (a number added if need be); added to it."""
    parts = []
    for w in words:
        w = re.sub(r"[^a-z0-9]+", "-", w.lower()).strip("-")
        if w and w not in _SLUG_SKIP and w not in parts:
            parts.append(w)
        if len(parts) >= 6:
            break
    base = "-".join(parts)[:60].strip("-") or "claim"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _q(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are valid YAML, and never misread."""
    import json

    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)


def _comment(label: str, text: str, width: int = 100) -> list[str]:
    """``text`` as YAML comment lines under a claim, wrapped at ``width``, the first one labelled."""
    import textwrap

    lines = textwrap.wrap(
        re.sub(r"\s+", " ", text), width - 4 - len(label), break_on_hyphens=False, break_long_words=False
    ) or [""]
    return [f"  # {label}{lines[0]}"] + [f"  # {' ' * len(label)}{line}" for line in lines[1:]]


def render_yaml(draft: Draft) -> str:
    """The draft as a knowledge file, with a comment above each claim for the reviewer."""
    out = [
        "# DRAFT to review before publishing: written by `groundbot draft`, not by a person.",
        "# Check each claim against its source sentence (in the comment above it), act on every",
        "# 'check:' flag, edit the questions, and delete what should not be answered.",
    ]
    out += [f"# {note}" for note in draft.notes]
    out.append("source:")
    for key in ("id", "title", "outlet", "url", "published", "language"):
        out.append(f"  {key}: {_q(draft.source.get(key))}")
    out.append("claims:" if draft.claims else "claims: []")
    for c in draft.claims:
        out.append("")
        out += _comment("source sentence: ", c.sentence)
        if c.flags:
            out += _comment("", "; ".join(c.flags))
        out.append(f"  - id: {c.id}")
        out.append(f"    statement: {_q(c.statement)}")
        out.append(f"    attributed_to: {_q(c.attributed_to)}")
        if c.via:
            out.append(f"    via: {_q(c.via)}")
        if c.quote:
            out.append(f"    quote: {_q(c.quote)}")
        out.append("    questions:")
        out += [f"      - {_q(q)}" for q in c.questions]
        if c.keywords:
            out.append(f"    keywords: [{', '.join(_q(k) for k in c.keywords)}]")
    return "\n".join(out) + "\n"


def summary(draft: Draft, width: int = 90) -> str:
    """Who says what, one line per claim, and how many claims need a look: for a chat reply."""
    flagged = sum(1 for c in draft.claims if c.flags)
    lines = [
        f"{len(draft.claims)} claims drafted from “{draft.source.get('title') or draft.source['id']}”; "
        f"{flagged} need a look (see the 'check:' comments)."
    ]
    for c in draft.claims:
        who = c.attributed_to.split(",")[0]
        text = c.statement if len(c.statement) <= width else c.statement[: width - 1].rstrip() + "…"
        lines.append(f"{'⚠️ ' if c.flags else ''}{who}: {text}")
    lines += [f"{note}" for note in draft.notes]
    return "\n".join(lines)
