"""One question's embedding: the packaged model (float32 products) against the int8 one groundbot makes.

    .venv/bin/python benchmarks/embedding_speed.py [--questions 1000] [--no-write]

Both models run in this one process, pinned to one core, on one onnxruntime thread each,
question by question and interleaved (so machine load hits both alike), on CLINC150
validation questions (real people's questions, read from ../shared/eval), each once. The
packaged model is opened as groundbot opened it before it quantised its products; the int8
one is ``knowledge.answering.embedding.Embedder``. Also: how far the vectors move (cosine between the
two models' vectors of each question), and each model's tokens per question.

Writes the "embedding-speed" section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import EVAL, command_line, machine, machine_block, table  # noqa: E402
from benchmarks.results import replace_section  # noqa: E402
from knowledge.answering.embedding import Embedder, model_files  # noqa: E402
from knowledge.answering.evaluation import load_questions  # noqa: E402


class PackagedModel:
    """The packaged file as onnxruntime loads it: int8 weights widened to float32 products."""

    def __init__(self) -> None:
        import numpy as np
        import onnxruntime
        from tokenizers import Tokenizer

        model, tokenizer = model_files()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.np = np

    def embed(self, text: str):
        np = self.np
        ids = np.array([self.tokenizer.encode(text).ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        pooled = self.session.run(None, feeds)[0][0].mean(axis=0)
        return pooled / np.linalg.norm(pooled)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=1000, help="timed questions (after 50 untimed)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    info = machine()
    texts = list(dict.fromkeys(q.text for q in load_questions(EVAL / "clinc150" / "questions-val.yaml")))
    texts = texts[: 50 + args.questions]
    packaged, quantised = PackagedModel(), Embedder()
    for text in texts[:50]:
        packaged.embed(text)
        quantised.embed([text])
    cpu: dict[str, list[float]] = {"packaged": [], "int8": []}
    cosines, tokens = [], []
    for text in texts[50:]:
        c = time.thread_time()
        a = packaged.embed(text)
        cpu["packaged"].append(time.thread_time() - c)
        c = time.thread_time()
        b = quantised.embed([text])[0]
        cpu["int8"].append(time.thread_time() - c)
        cosines.append(float(a @ b))
        tokens.append(len(packaged.tokenizer.encode(text).ids))
    rows = [[name, f"{statistics.fmean(v) * 1000:.2f}", f"{percentile(v, 50) * 1000:.2f}",
             f"{percentile(v, 99) * 1000:.2f}", f"{1 / statistics.fmean(v):,.0f}"] for name, v in cpu.items()]
    ratio = statistics.fmean(cpu["packaged"]) / statistics.fmean(cpu["int8"])
    body = "\n".join([
        "## One question's embedding: float32 products against int8 (benchmarks/embedding_speed.py)",
        "",
        machine_block(info, command_line()),
        "- cores used: 1 (pinned), one onnxruntime thread per model",
        "",
        table(["model", "mean ms (thread CPU)", "p50 ms", "p99 ms", "questions/s"], rows),
        "",
        f"- {len(tokens)} CLINC150 validation questions, each once, the two models interleaved question by "
        f"question after 50 untimed; a median of {statistics.median(tokens):.0f} tokens a question.",
        f"- int8 is {ratio:.2f}x as fast as the packaged model's float32 products in this run.",
        f"- cosine between the two models' vectors of a question: median {statistics.median(cosines):.4f}, "
        f"lowest {min(cosines):.4f}; answer quality with each is in the `quality.py` block.",
    ])
    print(body)
    if not args.no_write:
        replace_section("embedding-speed", body)


if __name__ == "__main__":
    main()
