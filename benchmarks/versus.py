"""This tree's `kb.answer` latency and load time against another commit's, in the same run.

    .venv/bin/python benchmarks/versus.py --base HEAD~1                 # lexical, 10k claims
    .venv/bin/python benchmarks/versus.py --base 8add382 --rounds 5 --write

For a change meant to leave speed alone (a refactor), machines here are too noisy for
figures from different days to say anything: this runs the base commit (checked out once as
a git worktree under benchmarks/out/versus/) and this tree alternately, each round in fresh
subprocesses pinned to one core, over the same questions, and reports each measure's
median over the rounds and the ratio this / base. Three workloads: the synthetic 10k-claim
store of ``synthetic.py`` (lexical), and CLINC150 validation against its knowledge, lexical
and with the semantic tier (vectors from one shared cache, so both trees embed nothing but
the questions). ``--write`` puts the table in RESULTS.md under its own markers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The repository first (results.py imports benchmarks.common), this folder last.
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

from common import EVAL, OUT, ROOT, command_line, machine, machine_block, table  # noqa: E402
from results import replace_section  # noqa: E402

MARK = "versus"


def worker(tree: Path, knowledge: Path, questions: list[str], semantic: Path | None, core: int) -> dict:
    """In a fresh process: load ``knowledge`` with ``tree``'s code, then time every question."""
    sys.path.insert(0, str(tree))
    from knowledge import KnowledgeBase

    assert Path(sys.modules["knowledge"].__file__ or "").resolve().is_relative_to(tree.resolve())
    os.sched_setaffinity(0, {core})
    t0 = time.perf_counter()
    kb = KnowledgeBase.load(knowledge)
    load = time.perf_counter() - t0
    if semantic is not None:
        status = kb.start_semantic(semantic, background=False)
        assert status.state == "ready", status
    for q in questions[:200]:  # warm-up: caches, the model's first runs
        kb.answer(q)
    times = []
    for q in questions[200:]:
        t = time.thread_time()
        kb.answer(q)
        times.append((time.thread_time() - t) * 1000)
    times.sort()
    return {
        "load_s": load,
        "p50_ms": times[len(times) // 2],
        "p99_ms": times[int(len(times) * 0.99)],
        "mean_ms": statistics.fmean(times),
    }


def checkout(rev: str) -> Path:
    """A detached worktree of ``rev`` under benchmarks/out/versus/ (made once)."""
    sha = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    tree = OUT / "versus" / sha[:12]
    if not (tree / "knowledge").exists():
        tree.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), sha], cwd=ROOT, check=True, capture_output=True
        )
    return tree


def workloads(size: int) -> dict[str, tuple[Path, list[str], bool]]:
    """Name -> (knowledge, questions, semantic)."""
    import synthetic
    import yaml

    directory = synthetic.ensure(size)
    clinc = [q["question"] for q in yaml.safe_load((EVAL / "clinc150" / "questions-val.yaml").read_text())]
    return {
        f"synthetic {size:,} claims, lexical": (
            synthetic.knowledge_dir(directory),
            [q["question"] for q in synthetic.load_questions(directory)][:2200],
            False,
        ),
        "CLINC150 validation, lexical": (EVAL / "clinc150" / "knowledge", clinc, False),
        "CLINC150 validation, semantic": (EVAL / "clinc150" / "knowledge", clinc, True),
    }


def run_worker(tree: Path, name: str, size: int, core: int) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        str(tree),
        "--workload",
        name,
        "--size",
        str(size),
        "--core",
        str(core),
    ]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env, cwd=tree)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="HEAD~1", help="the commit to compare against (default: HEAD~1)")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds (base, this; this, base; ...)")
    ap.add_argument("--size", type=int, default=10_000, help="claims in the synthetic store")
    ap.add_argument("--core", type=int, default=0, help="the core every measuring process is pinned to")
    ap.add_argument("--only", default="", help="run only the workloads whose name contains this")
    ap.add_argument("--write", action="store_true", help="write the table into RESULTS.md, in a section of its own for each --base")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workload", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        knowledge, questions, semantic = workloads(args.size)[args.workload]
        cache = OUT / "versus" / "semantic" if semantic else None
        print(json.dumps(worker(args.worker, knowledge, questions, cache, args.core)))
        return
    base = checkout(args.base)
    this = ROOT
    names = [name for name in workloads(args.size) if args.only in name]
    results: dict[tuple[str, str], list[dict]] = {}
    for name in names:
        for r in range(args.rounds):
            order = [("base", base), ("this", this)] if r % 2 == 0 else [("this", this), ("base", base)]
            for label, tree in order:
                results.setdefault((name, label), []).append(run_worker(tree, name, args.size, args.core))
                print(f"[{name}] round {r + 1} {label}: {results[(name, label)][-1]}", file=sys.stderr)
    rows = []
    for name in names:
        for measure in ("p50_ms", "p99_ms", "mean_ms", "load_s"):
            b = statistics.median(x[measure] for x in results[(name, "base")])
            t = statistics.median(x[measure] for x in results[(name, "this")])
            rows.append([name, measure, f"{b:.3f}", f"{t:.3f}", f"{t / b:.2f}"])
    info = machine()
    body = "\n\n".join(
        [
            f"### This tree against {args.base} (`benchmarks/versus.py`)",
            machine_block(info, command_line()),
            f"Medians of {args.rounds} alternating rounds, each a fresh process pinned to core {args.core}; "
            "answer times are thread CPU per question after 200 warm-up questions.",
            table(["workload", "measure", "base", "this", "this / base"], rows),
        ]
    )
    print(body)
    if args.write:
        replace_section(f"{MARK}-{args.base}", body)


if __name__ == "__main__":
    main()
