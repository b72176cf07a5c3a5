"""What answering returns: an ``Answer`` with its status, claim and candidates, and the
`groundbot ask --json` form of it (a contract: extend it, never rename a field)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from knowledge.store.schema import SourcedClaim

Status = Literal["answered", "ambiguous", "refused"]


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
    # Further claims that answer the question on their own, shown under ``claim`` (answered only).
    also: tuple[SourcedClaim, ...] = ()

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
            "also": [claim_dict(c) for c in self.also],
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
