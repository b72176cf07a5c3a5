"""The semantic tier's cost: kb.answer latency with it on beside the lexical matcher (same
process, same questions), warm and cold start, and peak memory, at 1k/10k/100k claims.

    .venv/bin/python benchmarks/semantic_latency.py --size 1000 --cold     # one size per process
    .venv/bin/python benchmarks/semantic_latency.py --size 100000

Each run is one process pinned to one core (``--core``; ``--core 0,1`` for two), the ONNX
model on one thread per core.
Stores are the synthetic ones of ``synthetic.py``. Their pseudo-words mean nothing to a
sentence model, so what this measures is cost, not quality: ``--cold`` embeds every text
for real (the cold start), in ``benchmarks/out/semantic-latency/cold-N``; otherwise that
folder is read if a cold run left one (the model's real vectors), else ``warm``, where any text
missing from the cache is first filled with a random unit vector (not timed, and said so in
the output; random vectors have no neighbourhoods, which makes the HNSW search slower than on
real ones), and the warm start is timed: reading every vector from the cache (or the saved
centroids and graph), as a restart does. The question is embedded for
real on every call. Prints one JSON object; nothing is written to RESULTS.md.

The pseudo-words also split into more word pieces than people's words (a median of 18
tokens a question against 11 for CLINC150's), and the model's cost grows with tokens:
``--real`` also times CLINC150 validation questions (from ../shared/eval) against the same
store, both matchers, in the same process, as ``lexical_real`` and ``semantic_real``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import EVAL, OUT  # noqa: E402
from synthetic import ensure, knowledge_dir, load_questions  # noqa: E402

from knowledge import KnowledgeBase  # noqa: E402
from knowledge.answering.embedding import MODEL_ID, VectorCache, text_key  # noqa: E402
from knowledge.answering.evaluation import load_questions as load_real  # noqa: E402
from knowledge.answering.semantic import CACHE_FILE, claim_texts  # noqa: E402

CACHE_DIR = OUT / "semantic-latency"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


WARMUP = 100


def timings(kb: KnowledgeBase, questions: list[str]) -> dict:
    """Latency of ``questions[WARMUP:]`` after answering ``questions[:WARMUP]`` untimed: no timed
    question was asked before, so none has its vector memoised."""
    for q in questions[:WARMUP]:
        kb.answer(q)
    questions = questions[WARMUP:]
    wall, cpu = [], []
    for q in questions:
        t, c = time.perf_counter(), time.thread_time()
        kb.answer(q)
        cpu.append((time.thread_time() - c) * 1000)
        wall.append((time.perf_counter() - t) * 1000)
    wall.sort()
    cpu.sort()
    # Wall time on a shared machine includes waiting for the core; CPU time is the matcher's own.
    return {"p50_ms": round(statistics.median(wall), 2), "p99_ms": round(wall[int(0.99 * len(wall)) - 1], 2),
            "cpu_p50_ms": round(statistics.median(cpu), 2), "cpu_p99_ms": round(cpu[int(0.99 * len(cpu)) - 1], 2),
            "mean_ms": round(statistics.fmean(wall), 2), "questions": len(wall)}


def fill_random(kb: KnowledgeBase, path: Path) -> int:
    """Give every claim text missing from the cache a random unit vector; how many were missing."""
    import numpy as np

    texts, _ = claim_texts(kb.store)
    cache = VectorCache(path)
    keys = [text_key(t) for t in dict.fromkeys(texts)]
    missing = []
    for start in range(0, len(keys), 20_000):  # a slice at a time: all 600k vectors are ~1 GB
        part = keys[start:start + 20_000]
        found = cache.get(MODEL_ID, part)
        missing += [k for k in part if k not in found]
    rng = np.random.default_rng(1)
    for start in range(0, len(missing), 20_000):
        part = missing[start:start + 20_000]
        vectors = rng.standard_normal((len(part), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        cache.put(MODEL_ID, [(k, v.tobytes()) for k, v in zip(part, vectors)])
    cache.close()
    return len(missing)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--questions", type=int, default=1000)
    ap.add_argument("--core", default="0", help="the core(s) to run on, e.g. 0 or 0,1 (a cold build embeds on each)")
    ap.add_argument("--cold", action="store_true", help="embed every text for real (an empty cache)")
    ap.add_argument("--real", action="store_true", help="also time real questions (CLINC150 validation)")
    args = ap.parse_args()
    os.sched_setaffinity(0, {int(c) for c in args.core.split(",")})
    directory = ensure(args.size)
    questions = [q["question"] for q in load_questions(directory)][: WARMUP + args.questions]
    out: dict = {"claims": args.size, "rss_after_imports_mb": round(rss_mb(), 1)}
    t = time.perf_counter()
    kb = KnowledgeBase.load(knowledge_dir(directory))
    out["lexical_load_s"] = round(time.perf_counter() - t, 2)
    out["lexical"] = timings(kb, questions)
    real = [q.text for q in load_real(EVAL / "clinc150" / "questions-val.yaml")] if args.real else []
    real = list(dict.fromkeys(real))[: WARMUP + args.questions]
    if real:
        out["lexical_real"] = timings(kb, real)
    out["rss_lexical_mb"] = round(rss_mb(), 1)
    cache_dir = CACHE_DIR / f"cold-{args.size}"
    if args.cold:  # the vectors, and the centroids and graph saved beside them
        shutil.rmtree(cache_dir, ignore_errors=True)
    elif not (cache_dir / CACHE_FILE).is_file():
        cache_dir = CACHE_DIR / "warm"
    out["cache"] = cache_dir.name
    cache_dir.mkdir(parents=True, exist_ok=True)
    if not args.cold:
        out["random_vectors_filled"] = fill_random(kb, cache_dir / CACHE_FILE)
    t, c = time.perf_counter(), time.process_time()
    status = kb.start_semantic(cache_dir, background=False)
    out["semantic_start_s"] = round(time.perf_counter() - t, 2)
    out["semantic_start_cpu_s"] = round(time.process_time() - c, 2)
    out["semantic_status"] = status.to_dict()
    out["texts_per_s"] = round(status.total / max(out["semantic_start_s"], 1e-9), 1)
    out["semantic"] = timings(kb, questions)
    if real:
        out["semantic_real"] = timings(kb, real)
    out["peak_rss_mb"] = round(rss_mb(), 1)
    out["ratio_p50"] = round(out["semantic"]["p50_ms"] / out["lexical"]["p50_ms"], 2)
    out["load_average"] = os.getloadavg()
    print(json.dumps(out))
    kb.close()


if __name__ == "__main__":
    main()
