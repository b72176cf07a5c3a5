"""Answer latency with the learned answer model deciding against the rules, same process.

    .venv/bin/python benchmarks/decision_latency.py --data-dir benchmarks/out/semantic --write

Two matchers over one store (CLINC150's knowledge, its 3,100 validation questions), one
deciding by the rules and one by the answer model, lexical and with the semantic tier; the
process is pinned to one core and the two alternate, round after round, on the same
questions. Times are wall-clock per ``Matcher.answer`` call, after a warm-up round of every
question (so that the question embeddings, kept in memory, are paid for by neither).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from common import EVAL, OUT, command_line, machine, machine_block, table  # noqa: E402
from results import replace_section  # noqa: E402

from knowledge import KnowledgeBase  # noqa: E402
from knowledge.answering.evaluation import load_questions  # noqa: E402
from knowledge.answering.matcher import Matcher  # noqa: E402
from knowledge.answering.model import shipped  # noqa: E402

MARK = "decision-latency"


def timed(matcher: Matcher, questions: list[str]) -> list[float]:
    out = []
    for q in questions:
        t0 = time.perf_counter()
        matcher.answer(q)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=OUT / "semantic", help="where the embeddings cache is kept")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds of every question")
    ap.add_argument("--write", action="store_true", help="write the table into RESULTS.md")
    args = ap.parse_args()
    questions = [q.text for q in load_questions(EVAL / "clinc150" / "questions-val.yaml")]
    kb = KnowledgeBase.load(EVAL / "clinc150" / "knowledge")
    rows = []
    for semantic in (False, True):
        if semantic:
            kb.start_semantic(args.data_dir, background=False, question_cache=False)
        os.sched_setaffinity(0, {0})
        matchers = {"rules": Matcher(kb.store), "model": Matcher(kb.store, models=shipped())}
        for m in matchers.values():
            m.semantic = kb.matcher.semantic
            timed(m, questions)  # warm-up: every question embedded once (kept in memory), for both alike
        times: dict[str, list[float]] = {name: [] for name in matchers}
        for _ in range(args.rounds):
            for name, m in matchers.items():
                times[name] += timed(m, questions)
        stats = {}
        for name, ms in times.items():
            ms.sort()
            stats[name] = (statistics.median(ms), ms[int(0.99 * len(ms))], statistics.fmean(ms))
        tier = "semantic" if semantic else "lexical"
        for name, (p50, p99, mean) in stats.items():
            rows.append([tier, name, f"{p50:.2f}", f"{p99:.2f}", f"{mean:.2f}"])
        ratio = [stats["model"][i] / stats["rules"][i] for i in range(3)]
        rows.append([tier, "model / rules", *(f"{r:.2f}x" for r in ratio)])
        print(rows[-3:], file=sys.stderr)
    body = "\n\n".join(
        [
            "### Answer latency: the answer model against the rules (`benchmarks/decision_latency.py`)",
            machine_block(machine(), command_line()),
            f"CLINC150's knowledge, its {len(questions)} validation questions, {args.rounds} alternating rounds, "
            "one core; ms per answer.",
            table(["matcher", "decision", "p50 ms", "p99 ms", "mean ms"], rows),
        ]
    )
    print(body)
    if args.write:
        replace_section(MARK, body)


if __name__ == "__main__":
    main()
