"""Where load and answer spend their time and memory, phase by phase, on a synthetic store.

    .venv/bin/python benchmarks/diagnose.py --claims 100000 [--questions 500] [--core 0]

Not a benchmark (no baselines, nothing written to RESULTS.md): a breakdown for whoever tunes
the matcher, printed as Markdown. In one process (the load with every core available, then
pinned to one core for the answers):

- load: ``KnowledgeBase.load(dir)``, wall and CPU time, ``ru_maxrss`` and current RSS,
  optionally the Python heap (tracemalloc), and the SQLite database's own size
  (page_count x page_size) and where it lives;
- answer, split by timing the store's and matcher's methods in place (wrapped on the
  instances, the code under test is not changed): FTS5 search, row fetch, claim fetch,
  typo repair, and the rest (scoring and deciding, in Python); plus how many index rows the
  FTS5 OR query of each question matches (BM25 must score every one of them).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402
from common import table  # noqa: E402


def maxrss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def traced() -> str:
    import tracemalloc

    if not tracemalloc.is_tracing():
        return ""
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    return f"{current / 2**20:.0f} / {peak / 2**20:.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--questions", type=int, default=500)
    ap.add_argument("--core", type=int, default=0)
    ap.add_argument("--tracemalloc", action="store_true",
                    help="also trace Python allocations during load (slower, forked workers trace too; "
                         "SQLite's own memory is not traced)")
    args = ap.parse_args()

    directory = synthetic.ensure(args.claims, args.seed)
    import gc

    from knowledge import KnowledgeBase

    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    phases = [("imports", 0.0, 0.0, maxrss(), rss(), traced())]
    t, c = time.perf_counter(), time.process_time()
    kb = KnowledgeBase.load(synthetic.knowledge_dir(directory))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    phases.append(("KnowledgeBase.load(dir), all cores", time.perf_counter() - t,
                   time.process_time() - c + kids.ru_utime + kids.ru_stime, maxrss(), rss(), traced()))
    children = kids.ru_maxrss / 1024
    os.sched_setaffinity(0, {args.core})
    gc.collect()
    phases.append(("then gc.collect()", 0.0, 0.0, maxrss(), rss(), traced()))
    if args.tracemalloc:
        tracemalloc.stop()
    store = kb.store
    page_count = store.db.execute("PRAGMA page_count").fetchone()[0]
    page_size = store.db.execute("PRAGMA page_size").fetchone()[0]
    db_mb = page_count * page_size / 2**20

    print(f"## Diagnosis at {args.claims:,} claims (seed {args.seed}), pinned to core {args.core}\n")
    print(table(["phase", "wall s", "CPU s", "ru_maxrss after, MB", "RSS now, MB", "Python heap now / peak, MB"],
                [[name, f"{s:.2f}", f"{c:.2f}", f"{peak:.0f}", f"{now:.0f}", py]
                 for name, s, c, peak, now, py in phases]))
    files = [row[2] or ":memory:" for row in store.db.execute("PRAGMA database_list")]
    print(f"\nLargest loader worker process (if any) peaked at {children:.0f} MB RSS; CPU above includes workers.")
    print(f"\nSQLite database: {db_mb:.0f} MB ({page_count:,} pages of {page_size} B) in {', '.join(files)}\n")
    print("(Where load spends its time, by function: the cProfile tables of `benchmarks/latency.py "
          "--profile-size N`.)\n")

    # Time the parts of answer by wrapping methods on the instances.
    spent: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)

    def wrap(obj, attr: str, label: str) -> None:
        fn = getattr(obj, attr, None)
        if fn is None:
            return

        def timed(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.perf_counter() - t0
                calls[label] += 1

        setattr(obj, attr, timed)

    matcher = kb.matcher
    wrap(store, "search", "Store.search (FTS5 BM25 query)")
    wrap(store, "rows", "Store.rows (candidate rows, JSON)")
    wrap(store, "claims", "Store.claims (top-5 claims, sqlite-utils + pydantic)")
    wrap(matcher.vocabulary, "repair", "Vocabulary.repair (typo repair, cached)")

    questions = [q["question"] for q in synthetic.load_questions(directory)]
    for q in questions[args.questions: args.questions + 100]:
        kb.answer(q)
    spent.clear()
    calls.clear()
    t = time.perf_counter()
    for q in questions[: args.questions]:
        kb.answer(q)
    total = time.perf_counter() - t
    n = args.questions
    rows = [[label, calls[label], f"{1000 * s / n:.3f}", f"{100 * s / total:.0f}%"] for label, s in spent.items()]
    rest = total - sum(spent.values())
    rows.append(["everything else in answer (scoring, deciding, text)", "", f"{1000 * rest / n:.3f}",
                 f"{100 * rest / total:.0f}%"])
    rows.append(["**total kb.answer**", n, f"{1000 * total / n:.3f}", "100%"])
    print(table(["answer part", "calls", "ms per question", "share"], rows))

    # The slow tail: the same parts, per question, for the slowest 2% against the median ones,
    # over questions not seen yet (so the typo-repair cache is as cold as in the first pass).
    per: list[tuple[float, dict[str, float]]] = []
    gc_spent = [0.0, 0.0]  # start, total

    def gc_watch(phase: str, info: dict) -> None:
        if phase == "start":
            gc_spent[0] = time.perf_counter()
        else:
            gc_spent[1] += time.perf_counter() - gc_spent[0]

    gc.callbacks.append(gc_watch)
    for q in questions[args.questions + 100: 2 * args.questions + 100]:
        before, gc_before = dict(spent), gc_spent[1]
        t = time.perf_counter()
        kb.answer(q)
        took = time.perf_counter() - t
        per.append((took, {**{k: v - before.get(k, 0.0) for k, v in spent.items()}, "gc": gc_spent[1] - gc_before}))
    gc.callbacks.remove(gc_watch)
    per.sort(key=lambda x: x[0])
    k = max(1, len(per) // 50)
    groups = {"median 2%": per[len(per) // 2 - k // 2: len(per) // 2 - k // 2 + k], "slowest 2%": per[-k:]}
    labels = list(spent)
    rows = []
    for name, group in groups.items():
        total = sum(t for t, _ in group) / len(group)
        parts = [sum(d.get(label, 0.0) for _, d in group) / len(group) for label in labels]
        gc_ms = 1000 * sum(d.get("gc", 0.0) for _, d in group) / len(group)
        rows.append([name, f"{1000 * total:.2f}", *[f"{1000 * p:.2f}" for p in parts],
                     f"{1000 * (total - sum(parts)):.2f}", f"{gc_ms:.2f}"])
    print(f"\nThe slow tail ({k} questions each; ms per question; the garbage collector's pauses fall inside "
          "whichever part allocated when it ran):\n")
    print(table(["questions", "total", *[label.split(" (")[0] for label in labels], "everything else", "of which GC"], rows))

    # How much the FTS5 OR query has to score: rows matched by the terms groundbot searched for.
    searched: list[list[str]] = []
    search = store.search

    def capture(query_terms, *a, **k):
        searched.append(list(query_terms))
        return search(query_terms, *a, **k)

    store.search = capture
    for q in questions[:200]:
        kb.answer(q)
    store.search = search
    matched = []
    for terms in searched:
        if not terms:
            continue
        match = " OR ".join(f'"{t}"' for t in terms)
        try:
            matched.append(store.db.execute(
                "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH ?", [match]).fetchone()[0])
        except Exception as err:  # noqa: BLE001 - the index may be named differently after tuning
            print(f"\n(could not count FTS5 matches: {err})")
            break
    if matched:
        matched.sort()
        print(f"\nRows matched by the FTS5 OR query groundbot ran ({len(matched)} queries for 200 questions, "
              f"the terms it passed to Store.search): median {matched[len(matched) // 2]:,}, p90 {matched[int(len(matched) * .9)]:,}, "
              f"max {matched[-1]:,} of {args.claims:,} claims.")
    kb.close()


if __name__ == "__main__":
    main()
