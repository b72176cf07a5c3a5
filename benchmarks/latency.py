"""Load time, peak memory and `kb.answer` latency on synthetic stores of 1k, 10k and 100k claims.

    .venv/bin/python benchmarks/latency.py                    # 1k, 10k, 100k; update RESULTS.md
    .venv/bin/python benchmarks/latency.py --sizes 1000,10000 --no-write
    .venv/bin/python benchmarks/latency.py --profile-size 100000   # where load and answer spend time

Each size runs in a fresh subprocess:

1. import the modules and read ``ru_maxrss`` (the import-only baseline RSS);
2. ``KnowledgeBase.load(dir)`` of the synthetic store (benchmarks/synthetic.py, cached on disk),
   timed (wall, and CPU of this process plus any loader worker processes), with every core
   available (``--pin-load`` pins it too); then ``ru_maxrss`` again. Because the loader may
   fork workers, the parent also samples the memory of the worker's whole process tree
   (PSS and RSS sums, every 20 ms) and reports the peak;
3. pinned to one core (``os.sched_setaffinity(0, {core})``), ``kb.answer`` over ``--questions``
   sampled questions (80% in-store paraphrases with a dropped/swapped word or a typo, 20%
   out-of-store) after ``--warmup`` other questions; wall and thread-CPU time per call, and
   the garbage collector's pauses;
4. then, in the same process, over the same questions, the baselines: one
   ``rapidfuzz.process.extractOne(q, all_phrasings, scorer=fuzz.token_set_ratio)`` and one
   FTS5 BM25 OR query (LIMIT 30, as many candidates as groundbot retrieves) over a plain
   FTS5 table (unicode61) of all phrasings, each within a time budget. They are built after
   groundbot's memory is read, so they do not inflate it.

Finally (unless ``--profile-size 0``) a cProfile run of load and of 500 answers at
``--profile-size`` claims, summarised per function; full pstats go to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synthetic  # noqa: E402
from common import OUT, command_line, machine, machine_block, table, update_results  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
BASELINE_AT_LEAST = 50  # questions each baseline answers even when over its time budget
TARGETS = {"p50_ms": 2.0, "p99_ms": 10.0, "load_s": 30.0, "peak_mb": 400.0}


# --------------------------------------------------------------------------- worker (one size)


def _pin(core: int = 0) -> str:
    try:
        os.sched_setaffinity(0, {core})
        return f"core {core}"
    except (AttributeError, OSError) as err:  # not Linux: measure unpinned, and say so
        return f"unpinned ({err})"


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _percentiles(ns: list[int]) -> dict[str, float]:
    xs = sorted(ns)
    n = len(xs)

    def pct(p: float) -> float:  # nearest rank
        return xs[min(n - 1, max(0, math.ceil(p / 100 * n) - 1))] / 1e6

    return {
        "n": n,
        "p50_ms": pct(50),
        "p90_ms": pct(90),
        "p99_ms": pct(99),
        "max_ms": xs[-1] / 1e6,
        "mean_ms": sum(xs) / n / 1e6,
    }


def _time_each(fn, questions: list[str], budget_s: float | None = None, at_least: int = 0):
    """(wall ns, thread-CPU ns) per call, in order; with a budget, stop once it is spent (after ``at_least``)."""
    wall, cpu = [], []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    deadline = clock() + budget_s * 1e9 if budget_s else None
    for q in questions:
        c = cpu_clock()
        t = clock()
        fn(q)
        t2 = clock()
        cpu.append(cpu_clock() - c)
        wall.append(t2 - t)
        if deadline and len(wall) >= at_least and t2 > deadline:
            break
    return wall, cpu


def _db_file(kb) -> dict:
    """Where the store's SQLite database lives, and its size (a file's pages sit in the page cache, not in RSS)."""
    try:
        path = [row[2] for row in kb.store.db.execute("PRAGMA database_list") if row[1] == "main"][0]
        return {"path": path or ":memory:", "mb": os.path.getsize(path) / 2**20 if path else 0.0}
    except Exception as err:  # noqa: BLE001 - informational only
        return {"path": f"? ({err})", "mb": 0.0}


class _GcPauses:
    """Python's garbage-collector pauses during the timed answers (gc.callbacks)."""

    def __init__(self):
        self.start: int | None = None
        self.pauses: list[tuple[int, int]] = []  # (generation, ns)

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.start = time.perf_counter_ns()
        elif self.start is not None:
            self.pauses.append((info["generation"], time.perf_counter_ns() - self.start))
            self.start = None

    def summary(self) -> dict:
        gen2 = [ns for g, ns in self.pauses if g == 2]
        return {
            "collections": len(self.pauses),
            "total_ms": sum(ns for _, ns in self.pauses) / 1e6,
            "max_ms": max((ns for _, ns in self.pauses), default=0) / 1e6,
            "gen2": len(gen2),
            "gen2_max_ms": max(gen2, default=0) / 1e6,
        }


def worker(size: int, seed: int, n_questions: int, warmup: int, budget: float, core: int, pin_load: bool) -> dict:
    import resource

    pinned = _pin(core) if pin_load else "not pinned"
    loadavg = os.getloadavg()
    import gc

    from common import BM25Baseline, FuzzBaseline, phrasings_of, shared_score

    from knowledge import KnowledgeBase

    directory = synthetic.ensure(size, seed, n_questions + warmup)
    items = synthetic.load_questions(directory)[: n_questions + warmup]
    gc.collect()
    rss_imports = _maxrss_mb()

    t_start = time.time()
    t, c = time.perf_counter(), time.process_time()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    kb = KnowledgeBase.load(synthetic.knowledge_dir(directory))
    load_s, load_cpu = time.perf_counter() - t, time.process_time() - c
    kids_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Work the loader did in worker processes (reaped by now) is not in process_time.
    load_cpu_children = (kids_after.ru_utime + kids_after.ru_stime) - (kids.ru_utime + kids.ru_stime)
    children_maxrss = kids_after.ru_maxrss / 1024
    t_loaded = time.time()
    rss_loaded = _maxrss_mb()
    rss_loaded_now = _rss_now_mb()
    answer_pin = _pin(core)

    measured, warm = items[:n_questions], items[n_questions:]
    questions = [q["question"] for q in measured]
    for q in warm:
        kb.answer(q["question"])
    pauses = _GcPauses()
    gc.callbacks.append(pauses)
    groundbot_ns, groundbot_cpu = _time_each(kb.answer, questions)
    gc.callbacks.remove(pauses)
    rss_answered = _maxrss_mb()
    t_answered = time.time()
    # Answer quality on the synthetic questions, for context (not a target): shared score.py.
    answers = [kb.answer(q).to_dict() for q in questions]
    quality = shared_score()(measured, answers)

    texts, owners = phrasings_of(kb.claims())
    fuzz = FuzzBaseline(texts, owners)
    for q in warm[:5]:  # one C loop over every phrasing: little to warm up, and 1 s a call at 100k
        fuzz.best(q["question"])
    fuzz_ns, fuzz_cpu = _time_each(fuzz.best, questions, budget, BASELINE_AT_LEAST)
    del fuzz
    bm25 = BM25Baseline(texts, owners)
    for q in warm[:5]:
        bm25.search(q["question"], 30)
    db_file = _db_file(kb)
    kb.close()  # the store may live in a temporary file: do not leave it behind
    bm25_ns, bm25_cpu = _time_each(lambda q: bm25.search(q, 30), questions, budget, BASELINE_AT_LEAST)

    return {
        "size": size,
        "claims": len(kb),
        "phrasings": len(texts),
        "load_pinned": pinned,
        "answer_pinned": answer_pin,
        "t_start": t_start,
        "t_loaded": t_loaded,
        "t_answered": t_answered,
        "load_cpu_children_s": load_cpu_children,
        "children_maxrss_mb": children_maxrss,
        "db_file": db_file,
        "loadavg": loadavg,
        "load_s": load_s,
        "load_cpu_s": load_cpu,
        "rss_imports_mb": rss_imports,
        "peak_after_load_mb": rss_loaded,
        "rss_after_load_mb": rss_loaded_now,
        "peak_after_answers_mb": rss_answered,
        "groundbot": _percentiles(groundbot_ns),
        "fuzz": _percentiles(fuzz_ns),
        "bm25": _percentiles(bm25_ns),
        "groundbot_cpu": _percentiles(groundbot_cpu),
        "gc": pauses.summary(),
        "fuzz_cpu": _percentiles(fuzz_cpu),
        "bm25_cpu": _percentiles(bm25_cpu),
        # groundbot over exactly the questions each baseline got through, for the ratios
        "groundbot_vs_fuzz": _percentiles(groundbot_ns[: len(fuzz_ns)]),
        "groundbot_vs_bm25": _percentiles(groundbot_ns[: len(bm25_ns)]),
        "quality": quality,
        "warmup": len(warm),
    }


# --------------------------------------------------------------------------- profile


def profile(size: int, seed: int, core: int = 0, n_answers: int = 500) -> dict:
    """cProfile of KnowledgeBase.load and of ``n_answers`` answers; the heaviest functions."""
    _pin(core)
    import cProfile

    from knowledge import KnowledgeBase

    directory = synthetic.ensure(size, seed)
    items = [q["question"] for q in synthetic.load_questions(directory)]
    out: dict = {"size": size, "serial": False}
    # cProfile sees only this process: make the loader do its work here, not in worker processes.
    import knowledge.store.loader as loader

    if hasattr(loader, "PARALLEL_BYTES"):
        loader.PARALLEL_BYTES = float("inf")
        out["serial"] = True
    OUT.mkdir(parents=True, exist_ok=True)

    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    kb = KnowledgeBase.load(synthetic.knowledge_dir(directory))
    prof.disable()
    out["load_s_profiled"] = time.perf_counter() - t
    out["load"] = _summary(prof, OUT / f"profile-load-{size}.txt")

    for q in items[n_answers: n_answers + 100]:
        kb.answer(q)
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for q in items[:n_answers]:
        kb.answer(q)
    prof.disable()
    out["answers"] = n_answers
    out["answer_ms_profiled"] = (time.perf_counter() - t) * 1000 / n_answers
    out["answer"] = _summary(prof, OUT / f"profile-answer-{size}.txt")
    kb.close()
    return out


def _summary(prof, path: Path, top: int = 12) -> dict:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(40)
    path.write_text(buf.getvalue())
    total = max(v[3] for v in stats.stats.values())  # the outermost cumulative time

    def name(key) -> str:
        file, line, func = key
        if file == "~":
            return func  # a builtin, e.g. {method 'execute' of 'sqlite3.Connection' objects}
        root = str(Path(__file__).resolve().parent.parent)
        file = file.replace(root + "/", "")
        if "site-packages/" in file:
            file = file.split("site-packages/", 1)[1]
        return f"{file}:{line}({func})"

    by_self = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    ours = [kv for kv in stats.stats.items() if kv[0][0].endswith(".py") and "/knowledge/" in kv[0][0]]
    by_cum = sorted(ours, key=lambda kv: kv[1][3], reverse=True)[:top]
    return {
        "total_s": total,
        "pstats": str(path.relative_to(Path(__file__).resolve().parent.parent)),
        "self": [(name(k), v[1], v[2]) for k, v in by_self],
        "cumulative": [(name(k), v[1], v[3]) for k, v in by_cum],
    }


# --------------------------------------------------------------------------- parent


def run_sub(args: list[str], sample: bool = False) -> dict:
    """Run a worker; with ``sample``, watch its process tree's memory (it may fork loaders) every 20 ms."""
    from common import tree_memory

    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    samples: list[tuple[float, float, float, int]] = []
    if sample:
        while proc.poll() is None:
            samples.append((time.time(), *tree_memory(proc.pid)))
            time.sleep(0.02)
    stdout, stderr = proc.communicate()
    if proc.returncode:
        sys.stderr.write(stderr)
        raise SystemExit(f"worker {args} failed with exit code {proc.returncode}")
    result = json.loads(stdout.strip().splitlines()[-1])
    if sample and "t_start" in result:
        def peak(t0: float, t1: float) -> dict:
            window = [s for s in samples if t0 <= s[0] <= t1] or [(0, 0.0, 0.0, 0)]
            return {"rss_sum_mb": max(s[1] for s in window), "pss_sum_mb": max(s[2] for s in window),
                    "max_processes": max(s[3] for s in window), "samples": len(window)}

        result["tree_load"] = peak(result["t_start"], result["t_loaded"])
        result["tree_answers"] = peak(result["t_start"], result["t_answered"])
    return result


def peak_memory(r: dict) -> float:
    tree = r.get("tree_answers", {}).get("pss_sum_mb", 0.0)
    return max(tree, r["peak_after_answers_mb"])


def verdict(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def render(results: list[dict], prof: dict | None, info: dict, command: str, args) -> str:
    out = ["### Latency, load and memory (`benchmarks/latency.py`)", "", machine_block(info, command), ""]
    out += [
        f"Synthetic stores from `benchmarks/synthetic.py` (seed {args.seed}; 5 phrasings per claim; "
        "1000 claims per YAML file). Each size in a fresh process; the load runs "
        + ("pinned to one core" if args.pin_load else f"with all {os.cpu_count()} cores available (the loader may use "
           "worker processes)") + f", then the process is pinned to core {args.core} for the answers; "
        f"{args.questions} questions timed after {args.warmup} warm-up questions; the baselines answer "
        "the same questions in the same process, after groundbot. Times are wall-clock per call (ms); "
        "CPU is the thread's CPU time per call, which a busy machine inflates less (a wall max far above the "
        "CPU max is the process waiting, not working).",
        "",
        "`kb.answer` latency (ms) beside the baselines. The baselines are slow at 10k-100k, so each gets a "
        f"time budget of {args.baseline_budget:g} s per size (at least {BASELINE_AT_LEAST} questions, the first n "
        "of the same list): n says how many it answered, and the ratio compares groundbot over exactly those n "
        "questions (groundbot / baseline, at p50 and at p99):",
        "",
    ]
    rows = []
    for r in results:
        for system, label in [("groundbot", "**groundbot** `kb.answer`"),
                              ("fuzz", "extractOne token_set_ratio"),
                              ("bm25", "plain FTS5 BM25 OR query")]:
            s = r[system]
            if system == "groundbot":
                ratio = ""
            else:
                g = r[f"groundbot_vs_{system}"]
                ratio = f"x{g['p50_ms'] / s['p50_ms']:.3f} / x{g['p99_ms'] / s['p99_ms']:.3f}"
            c = r.get(f"{system}_cpu")
            cpu = f"{c['p50_ms']:.2f} / {c['p99_ms']:.2f} / {c['max_ms']:.2f}" if c else ""
            rows.append([f"{r['size']:,}", label, s["n"], f"{s['p50_ms']:.2f}", f"{s['p90_ms']:.2f}",
                         f"{s['p99_ms']:.2f}", f"{s['max_ms']:.2f}", f"{s['mean_ms']:.2f}", cpu, ratio])
    out += [table(["claims", "system", "n", "p50", "p90", "p99", "max", "mean", "CPU p50 / p99 / max",
                   "groundbot/baseline p50 / p99 (below 1: groundbot faster)"], rows), ""]
    out += ["Python garbage collection during groundbot's timed answers (gc.callbacks): " + "; ".join(
        f"{r['size']:,}: {r['gc']['collections']} collections, {r['gc']['total_ms']:.0f} ms in all, "
        f"longest {r['gc']['max_ms']:.1f} ms; {r['gc']['gen2']} full (gen 2), longest {r['gc']['gen2_max_ms']:.1f} ms"
        for r in results if "gc" in r) + ".", ""]
    out += ["Load average (1/5/15 min) when each size started: " + "; ".join(
        f"{r['size']:,}: " + "/".join(f"{x:.2f}" for x in r.get("loadavg", ())) for r in results)
        + " (on 2 cores; above ~1, other processes competed for the CPU).", ""]

    out += ["Load (`KnowledgeBase.load(dir)`: YAML, validation, SQLite + FTS5 index, matcher) and memory. "
            "The loader may fork worker processes, so memory is read three ways: `ru_maxrss` of the measuring "
            "process (read after imports, then after load), `ru_maxrss` of its largest child, and the peak "
            "sum over the whole process tree sampled every 20 ms from outside (PSS: pages a fork shares with "
            "its parent counted once). **peak memory** = the larger of the tree's PSS peak and the process's "
            "own `ru_maxrss`, from the start of load to the last timed answer. Load CPU = this process + its "
            "(reaped) workers.", ""]
    rows = []
    for r in results:
        tree_l = r.get("tree_load", {})
        rows.append([f"{r['size']:,}", f"{r['phrasings']:,}", f"{r['load_s']:.2f}",
                     f"{r['load_cpu_s'] + r.get('load_cpu_children_s', 0):.2f} "
                     f"({r.get('load_cpu_children_s', 0):.2f} in workers)",
                     f"{r['rss_imports_mb']:.0f}", f"{r['peak_after_load_mb']:.0f}",
                     f"{r.get('children_maxrss_mb', 0):.0f}",
                     f"{tree_l.get('pss_sum_mb', 0):.0f} / {tree_l.get('rss_sum_mb', 0):.0f} "
                     f"({tree_l.get('max_processes', 0)} proc)",
                     f"{r['peak_after_answers_mb']:.0f}",
                     f"**{peak_memory(r):.0f}**", f"{peak_memory(r) - r['rss_imports_mb']:.0f}",
                     f"{r['db_file']['mb']:.0f}" if r.get("db_file", {}).get("mb") else "in memory"])
    out += [table(["claims", "texts", "load s (wall)", "load CPU s", "RSS after imports MB",
                   "ru_maxrss after load MB", "largest worker ru_maxrss MB", "tree peak during load PSS / RSS MB",
                   "ru_maxrss after answers MB", "peak memory MB", "store's own MB (peak - imports)",
                   "SQLite file MB (page cache, not RSS)"], rows), ""]

    big = max(results, key=lambda r: r["size"])
    g = big["groundbot"]
    checks = [
        (f"p50 <= {TARGETS['p50_ms']:g} ms at {big['size']:,}", f"{g['p50_ms']:.2f} ms", g["p50_ms"] <= TARGETS["p50_ms"]),
        (f"p99 <= {TARGETS['p99_ms']:g} ms at {big['size']:,}", f"{g['p99_ms']:.2f} ms", g["p99_ms"] <= TARGETS["p99_ms"]),
        (f"load + index <= {TARGETS['load_s']:g} s at {big['size']:,} ({big.get('load_pinned', '')})",
         f"{big['load_s']:.1f} s", big["load_s"] <= TARGETS["load_s"]),
        (f"peak memory <= {TARGETS['peak_mb']:g} MB at {big['size']:,}", f"{peak_memory(big):.0f} MB",
         peak_memory(big) <= TARGETS["peak_mb"]),
    ]
    if big["size"] < 100_000:
        out += [f"(Largest size measured in this run: {big['size']:,}; the targets are for 100,000.)", ""]
    out += [table(["target", "measured", "verdict"], [[a, b, verdict(c)] for a, b, c in checks]), ""]

    out += ["Answer quality on the synthetic questions (context, not a target; shared score.py):", ""]
    out += [table(["claims", "answered_correct", "clarify_with_right_option", "wrong_claim", "oos_refused",
                   "precision_of_answers"],
                  [[f"{r['size']:,}", *[r["quality"].get(k, "") for k in (
                      "answered_correct", "clarify_with_right_option", "wrong_claim", "oos_refused",
                      "precision_of_answers")]] for r in results]), ""]

    if prof:
        out += [f"Profile (cProfile, {prof['size']:,} claims, pinned"
                + ("; the load forced serial, `knowledge.store.loader.PARALLEL_BYTES` raised, so that cProfile sees "
                   "the work its worker processes would do" if prof.get("serial") else "")
                + f"; profiled load {prof['load_s_profiled']:.1f} s, "
                f"{prof['answer_ms_profiled']:.2f} ms per answer over {prof['answers']} answers — cProfile adds "
                f"overhead; full stats in `benchmarks/out/profile-*-{prof['size']}.txt`, git-ignored):", ""]
        for part, title in [("load", "KnowledgeBase.load"), ("answer", "kb.answer")]:
            p = prof[part]
            out += [f"<details><summary>{title}: heaviest functions</summary>", "",
                    table(["knowledge/ function (cumulative)", "calls", "cum s", "share"],
                          [[f"`{n}`", c, f"{t:.2f}", f"{100 * t / p['total_s']:.0f}%"] for n, c, t in p["cumulative"]]),
                    "",
                    table(["function (own time)", "calls", "self s", "share"],
                          [[f"`{n}`", c, f"{t:.2f}", f"{100 * t / p['total_s']:.0f}%"] for n, c, t in p["self"]]),
                    "", "</details>", ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description="Load, memory and answer latency on synthetic stores.")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="claims per store, comma-separated")
    ap.add_argument("--questions", type=int, default=2000, help="timed questions per size")
    ap.add_argument("--warmup", type=int, default=200, help="untimed questions first")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--core", type=int, default=0, help="the CPU core to pin each measuring process to")
    ap.add_argument("--pin-load", action="store_true",
                    help="pin the load to the core too (default: load with every core, then pin for answers)")
    ap.add_argument("--baseline-budget", type=float, default=20.0,
                    help=f"seconds per baseline per size (at least {BASELINE_AT_LEAST} questions; 0: all questions)")
    ap.add_argument("--profile-size", type=int, default=10_000, help="profile at this size (0: no profile)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--profile-worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        print(json.dumps(worker(args.worker, args.seed, args.questions, args.warmup, args.baseline_budget, args.core,
                                args.pin_load)))
        return
    if args.profile_worker:
        print(json.dumps(profile(args.profile_worker, args.seed, args.core)))
        return

    info, command = machine(), command_line()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    for size in sorted(set(sizes + ([args.profile_size] if args.profile_size else []))):
        t = time.perf_counter()
        synthetic.ensure(size, args.seed, args.questions + args.warmup)  # generated here, not in the measured process
        print(f"[latency] store of {size:,} claims ready ({time.perf_counter() - t:.1f} s)", file=sys.stderr)
    results = []
    common = ["--seed", str(args.seed), "--questions", str(args.questions), "--warmup", str(args.warmup),
              "--baseline-budget", str(args.baseline_budget), "--core", str(args.core)] + (
                  ["--pin-load"] if args.pin_load else [])
    for size in sizes:
        r = run_sub(["--worker", str(size), *common], sample=True)
        print(f"[latency] {size:,}: load {r['load_s']:.1f} s, peak {peak_memory(r):.0f} MB, "
              f"groundbot p50 {r['groundbot']['p50_ms']:.2f} p99 {r['groundbot']['p99_ms']:.2f} ms, "
              f"fuzz p50 {r['fuzz']['p50_ms']:.2f}, bm25 p50 {r['bm25']['p50_ms']:.2f}", file=sys.stderr)
        results.append(r)
    prof = run_sub(["--profile-worker", str(args.profile_size), "--seed", str(args.seed), "--core", str(args.core)]
                   ) if args.profile_size else None
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "latency.json").write_text(json.dumps({"machine": info, "command": command, "results": results,
                                                  "profile": prof}, indent=1))
    body = render(results, prof, info, command, args)
    print(body)
    if not args.no_write:
        update_results("latency", body)


if __name__ == "__main__":
    main()
