"""KnowledgeBase: the claims store's public face."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.loader import BUNDLED, DEFAULT_LIMITS, Limits, paused_gc, read_claims
from knowledge.matcher import Answer, Candidate, Matcher, Thresholds
from knowledge.schema import Source, SourcedClaim
from knowledge.store import Store, index_claim


@dataclass(frozen=True)
class Changes:
    """What a reload changed, by claim id."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    edited: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.edited)


class KnowledgeBase:
    """A loaded, indexed set of claims that answers questions.

    >>> kb = KnowledgeBase.load()          # the bundled knowledge
    >>> kb.answer("How many shells does Russia fire a day?").status
    'answered'
    """

    def __init__(self, store: Store, path: Path, thresholds: Thresholds | None = None, limits: Limits = DEFAULT_LIMITS):
        self.store = store
        self.path = path
        self.limits = limits  # a reload reads the files within the same bounds
        self.matcher = Matcher(store, thresholds)

    @classmethod
    def load(
        cls,
        path: Path | str | None = None,
        *,
        database: Path | str | None = None,
        thresholds: Thresholds | None = None,
        limits: Limits = DEFAULT_LIMITS,
    ) -> "KnowledgeBase":
        """Load every knowledge file at ``path`` (a file or directory; default: the bundled one).

        ``database`` is where to build the SQLite store (default: a temporary file,
        removed by ``close``); ``limits`` bounds each file's size, nesting and values.
        Raises knowledge.KnowledgeError listing every problem as file:line:col.
        """
        root = Path(path) if path is not None else BUNDLED
        with paused_gc():
            kb = cls(Store.build(read_claims(root, index_claim, limits), database), root, thresholds, limits)
        return kb

    def answer(self, question: str) -> Answer:
        """Answer ``question`` from the store: answered, ambiguous or refused."""
        return self.matcher.answer(question)

    def search(self, question: str, limit: int = 5) -> list[Candidate]:
        """The claims nearest to ``question``, best first, whatever the decision."""
        return list(self.matcher.answer(question, candidates=limit).candidates)

    def claim(self, claim_id: str) -> SourcedClaim | None:
        """One claim by id, or None."""
        return self.store.claim(claim_id)

    def claims(self) -> list[SourcedClaim]:
        """Every claim, in file order."""
        return self.store.claims()

    @property
    def sources(self) -> dict[str, Source]:
        return self.store.sources

    def tags(self) -> dict[str, int]:
        """Tag -> number of claims, most used first."""
        return self.store.tags()

    def __len__(self) -> int:
        return self.store.size

    def changes_since(self, old: "KnowledgeBase") -> Changes:
        """Claims added, removed and edited compared with an ``old`` knowledge base."""
        before = {c.id: c for c in old.claims()}
        after = {c.id: c for c in self.claims()}

        def content(c: SourcedClaim) -> dict:
            return c.model_dump(exclude={"file", "line"})

        return Changes(
            added=tuple(i for i in after if i not in before),
            removed=tuple(i for i in before if i not in after),
            edited=tuple(i for i in after if i in before and content(after[i]) != content(before[i])),
        )

    def close(self) -> None:
        self.store.close()
