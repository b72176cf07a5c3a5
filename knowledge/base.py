"""KnowledgeBase: the claims store's public face."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.answering.answer import Answer, Candidate
from knowledge.answering.matcher import Matcher
from knowledge.answering.model import Models
from knowledge.answering.semantic import CACHE_FILE, SemanticBuilder, SemanticIndex, SemanticStatus
from knowledge.answering.thresholds import Thresholds
from knowledge.store.database import Store, index_claim
from knowledge.store.loader import BUNDLED, DEFAULT_LIMITS, Limits, read_claims
from knowledge.store.schema import Source, SourcedClaim


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

    def __init__(
        self,
        store: Store,
        path: Path,
        thresholds: Thresholds | None = None,
        limits: Limits = DEFAULT_LIMITS,
        models: Models | None = None,
    ):
        self.store = store
        self.path = path
        self.limits = limits  # a reload reads the files within the same bounds
        self.matcher = Matcher(store, thresholds, models)
        self._semantic: SemanticBuilder | None = None

    @classmethod
    def load(
        cls,
        path: Path | str | None = None,
        *,
        database: Path | str | None = None,
        thresholds: Thresholds | None = None,
        limits: Limits = DEFAULT_LIMITS,
        models: Models | None = None,
    ) -> "KnowledgeBase":
        """Load every knowledge file at ``path`` (a file or directory; default: the bundled one).

        ``database`` is where to build the SQLite store (default: a temporary file,
        removed by ``close``); ``limits`` bounds each file's size, nesting and values;
        ``models``, answer models that decide instead of the rules (``model.shipped()``).
        Raises knowledge.KnowledgeError listing every problem as file:line:col.
        """
        root = Path(path) if path is not None else BUNDLED
        return cls(Store.build(read_claims(root, index_claim, limits), database), root, thresholds, limits, models)

    def start_semantic(
        self,
        data_dir: Path | str | None,
        *,
        background: bool = True,
        question_cache: bool = False,
    ) -> SemanticStatus:
        """Turn on the semantic tier: embed every claim's statement and questions, then answer
        with the fused matcher. Until then (and if the model is not installed) answers stay lexical.

        Vectors are cached in ``data_dir``/embeddings.db (none when ``data_dir`` is None), so
        a restart or reload embeds only new or changed text. ``background`` builds in a daemon
        thread and returns at once; otherwise it returns when the tier is ready (or failed).
        ``question_cache`` also caches the questions' vectors there (benchmarks).
        """
        if self._semantic is not None:
            return self._semantic.status
        cache = Path(data_dir) / CACHE_FILE if data_dir is not None else None
        self._semantic = SemanticBuilder(self.store, cache, self._use_semantic, question_cache=question_cache)
        if background:
            self._semantic.start()
        else:
            self._semantic.build()
        return self._semantic.status

    def embedded(self, data_dir: Path | str) -> tuple[int, int]:
        """(texts whose vectors ``data_dir``'s cache already holds, texts to embed), without
        embedding anything: for ``groundbot run --check``. (0, total) without the model."""
        from knowledge.answering.embedding import MODEL_ID, VectorCache, available, text_key
        from knowledge.answering.semantic import claim_texts

        texts, _ = claim_texts(self.store)
        path = Path(data_dir) / CACHE_FILE
        if not available() or not path.is_file():
            return 0, len(texts)
        cache = VectorCache(path)
        try:
            keys = [text_key(t) for t in texts]
            found = cache.get(MODEL_ID, list(dict.fromkeys(keys)))
        finally:
            cache.close()
        return sum(k in found for k in keys), len(texts)

    def _use_semantic(self, index: SemanticIndex) -> None:
        self.matcher.semantic = index

    @property
    def semantic(self) -> SemanticStatus:
        """How far the semantic tier is ("off" until ``start_semantic``)."""
        return self._semantic.status if self._semantic is not None else SemanticStatus("off")

    def wait_semantic(self, timeout: float | None = None) -> SemanticStatus:
        """Block until a background ``start_semantic`` ends (tests, CLI, benchmarks)."""
        return self._semantic.wait(timeout) if self._semantic is not None else self.semantic

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
        """Close the store; a background embedding stops at its next chunk."""
        if self._semantic is not None:
            self._semantic.stop()
            self._semantic.wait(5)
        self.matcher.semantic = None
        self.store.close()
